"""The one family of errors a person can act on.

A ``UserError`` message is shown to the maker as it is: it names the field and says what
is wrong.  Anything that is not a ``UserError`` is a bug: logged with its trace and shown
in a dialog that keeps the app running.
"""

from __future__ import annotations


class UserError(Exception):
    """A refusal the user can act on. ``field`` names the input at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """Input that is malformed or out of range (negative quantity, unknown unit...)."""


class UnitError(ValidationError):
    """A unit that is unknown or of another dimension."""


class ConflictError(UserError):
    """The action clashes with the state of the data (duplicate code, released batch...)."""


class InsufficientStockError(ConflictError):
    """Consuming more of a lot than is on hand."""


class ImmutableError(ConflictError):
    """Editing something that is frozen: a published recipe version, a released batch."""


class StatusError(ConflictError):
    """A batch status change that its life does not allow."""


class NotFoundError(UserError):
    """An id or code that names nothing (unknown lot, unknown recipe...)."""


class DatabaseFault(UserError):
    """The database could not do what was asked, for a reason outside the app: another
    workstation holds the lock, the disk is full, the file is read-only or damaged, it
    was made by a newer version, the server cannot be reached.  Nothing was saved; the
    message says what to do.  ``db/faults.py`` turns driver errors into these."""


class DatabaseLockedError(DatabaseFault):
    """Another connection kept the write lock for longer than we wait."""


class DiskFullError(DatabaseFault):
    """No room left on the disk (or under the database's size limit)."""


class ReadOnlyDatabaseError(DatabaseFault):
    """The file, or the folder it lives in, cannot be written."""


class CorruptDatabaseError(DatabaseFault):
    """The file is damaged or is not a Smallbatch database; restore a backup.

    ``path`` is the damaged file, when known (the app offers to restore it)."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class NewerSchemaError(DatabaseFault):
    """The database was upgraded by a newer Smallbatch than this one."""


class ServerUnreachableError(DatabaseFault):
    """The PostgreSQL server does not answer, or refused the login."""


class DuplicateError(ConflictError):
    """A unique value (lot code, name) that another row holds, found by the database
    itself: typically another workstation saved the same value a moment earlier.
    ``constraint`` is ``table.column``."""

    def __init__(self, message: str, *, field: str | None = None, constraint: str = "") -> None:
        super().__init__(message, field=field)
        self.constraint = constraint
