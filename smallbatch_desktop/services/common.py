"""Helpers every service uses: the audit trail, settings, text checks, lookups."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import DuplicateError, NotFoundError, ValidationError
from smallbatch_desktop.domain.models import AuditEntry, Base, Setting
from smallbatch_desktop.domain.text import check_text
from smallbatch_desktop.services.fast_reads import like_operator

T = TypeVar("T", bound=Base)

#: Settings and their defaults. Values are JSON.
DEFAULT_SETTINGS: dict[str, Any] = {
    "business_name": "",
    "business_address": "",
    "lot_code_pattern": "{PRODUCT}-{YY}{JJJ}-{SEQ:2}",
    "receiving_lot_pattern": "R{YY}{MM}{DD}-{SEQ:2}",
    "unit_system": "metric",
    "currency": "USD",
    "expiring_soon_days": 30,
    "default_label_stock": "Avery 5160",
    "default_printer_profile": "",
    "gs1_digital_link_domain": "",
}


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some kiosks
        return "operator"


def audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    **details: Any,
) -> None:
    """Record who did what. Details must be JSON-serialisable (Decimals become text)."""
    clean = {k: _jsonable(v) for k, v in details.items()}
    session.add(
        AuditEntry(
            actor=actor or current_user(),
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=clean,
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


#: ``session.info`` key: the settings read once for a bulk read-only pass (a snapshot
#: backfill reads them for every batch); see ``settings_read_once``
SETTINGS_MEMO = "smallbatch.settings"


def get_setting(session: Session, key: str) -> Any:
    memo = session.info.get(SETTINGS_MEMO)
    if memo is not None:
        return memo.get(key, DEFAULT_SETTINGS.get(key))
    row = session.get(Setting, key)
    if row is None:
        return DEFAULT_SETTINGS.get(key)
    return row.value


@contextmanager
def settings_read_once(session: Session) -> Iterator[None]:
    """Within the block ``get_setting`` answers from one read of every setting (for a
    pass over thousands of records that changes no setting)."""
    session.info[SETTINGS_MEMO] = {row.key: row.value for row in session.scalars(select(Setting))}
    try:
        yield
    finally:
        session.info.pop(SETTINGS_MEMO, None)


def set_setting(session: Session, key: str, value: Any, *, actor: str = "") -> None:
    if key == "currency":
        value = currency_code(value)
    if key == "lot_code_pattern" or key == "receiving_lot_pattern":
        from smallbatch_desktop.domain.lotcodes import parse_pattern

        parse_pattern(str(value), field=key.replace("_", " "))
    row = session.get(Setting, key)
    old = None if row is None else row.value
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    if old != value:
        audit(session, actor, "setting.change", "setting", None, key=key, old=old, new=value)


def currency_code(value: Any, *, field: str = "currency") -> str:
    """An ISO 4217 code such as EUR, USD or GBP (three letters, upper case)."""
    code = str(value or "").strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationError(
            f"{field}: use the three-letter code of your currency, e.g. EUR, USD or GBP",
            field=field,
        )
    return code


def all_settings(session: Session) -> dict[str, Any]:
    values = dict(DEFAULT_SETTINGS)
    for row in session.scalars(select(Setting)):
        values[row.key] = row.value
    return values


#: what to ask for when a required field is empty, in a maker's words
REQUIRED_HINTS: dict[str, str] = {
    "reason": "say why you are changing this (it goes in the record with your name)",
    "who": "say who did it",
    "business name": "give your business name (it goes on labels and batch records)",
    "recipe name": "give the recipe a name",
    "product code": "give the product a short code (lot codes start with it)",
    "supplier name": "give the supplier's name",
    "material name": "give the material a name",
    "material code": "give the material a short code",
    "customer": "give the customer's name",
    "customer name": "give the customer's name",
}


def required_text(value: str | None, *, field: str, max_len: int = 200, lines: bool = False) -> str:
    """Stripped text, refused when empty, too long or holding a control character
    (``lines``: line breaks and tabs allowed, see ``domain.text``)."""
    text = check_text((value or "").strip(), field=field, lines=lines)
    if not text:
        hint = REQUIRED_HINTS.get(field, "fill this in")
        raise ValidationError(f"{field}: {hint}", field=field)
    if len(text) > max_len:
        raise ValidationError(
            f"{field}: at most {max_len} characters (got {len(text)})", field=field
        )
    return text


def optional_text(
    value: str | None, *, field: str, max_len: int = 2000, lines: bool = False
) -> str:
    """Like :func:`required_text`, but empty is fine."""
    text = check_text((value or "").strip(), field=field, lines=lines)
    if len(text) > max_len:
        raise ValidationError(
            f"{field}: at most {max_len} characters (got {len(text)})", field=field
        )
    return text


def get_or_404(session: Session, model: type[T], id_: int, *, field: str) -> T:
    obj = session.get(model, id_)
    if obj is None:
        raise NotFoundError(
            f"{field}: no {model.__tablename__.rstrip('s').replace('_', ' ')} with id {id_}",
            field=field,
        )
    return obj


def let_others_in(session: Session) -> bool:
    """Between two rows of a preview (``SessionFactory.trial``): give the write lock to
    the other workstations when the preview has held it for a while.  True when it did:
    what the rows wrote so far is rolled back (it was only written to check them) and
    the caller forgets what it read or cached since.  Outside a trial: nothing, False."""
    from smallbatch_desktop.db.engine import BREATHE

    breathe = session.info.get(BREATHE)
    return bool(breathe is not None and breathe())


def lock(session: Session, model: type[T], id_: int, *, field: str) -> T:
    """The row, locked for the rest of this unit of work and read afresh.

    Every use case that checks a row and then writes on the strength of it (stock left,
    pieces left, status, the next label number) reads the row through here first:
    PostgreSQL takes a row lock (``SELECT ... FOR UPDATE``), so another workstation's
    transaction on the same row waits until this one ends and then sees its result.
    On SQLite ``FOR UPDATE`` does not exist and is not needed: a write unit of work
    (``session_factory.begin()``) already holds the database's write lock
    (``BEGIN IMMEDIATE``, see ``db.engine``).
    """
    obj = session.scalars(
        select(model)
        .where(model.id == id_)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if obj is None:
        raise NotFoundError(
            f"{field}: no {model.__tablename__.rstrip('s').replace('_', ' ')} with id {id_}",
            field=field,
        )
    return obj


#: pg_advisory_xact_lock keys serialising lot code generation and order numbers (any
#: constants work, as long as they differ)
_LOT_CODE_LOCK = 0x5B1C0DE
_ORDER_NUMBER_LOCK = 0x5B1C0DF


def lock_lot_codes(session: Session) -> None:
    """Serialise the choice of new lot codes between workstations for this unit of work.

    The next free code is found by reading the codes taken; on PostgreSQL two
    transactions could read the same state and pick the same code, so they queue on a
    transaction-scoped advisory lock.  SQLite's write lock already serialises them."""
    from smallbatch_desktop.db.engine import xact_lock

    xact_lock(session, _LOT_CODE_LOCK)


def lock_order_numbers(session: Session) -> None:
    """Serialise taking order numbers between workstations for this unit of work.

    A new order's number is checked (an imported order already in Smallbatch is a
    duplicate) or chosen (the next ``SO-`` number) by reading the numbers taken; on
    PostgreSQL a second workstation importing the same export, or taking an order at the
    same moment, waits here until the first one's unit of work ends and then reads its
    orders.  SQLite's write lock already serialises them."""
    from smallbatch_desktop.db.engine import xact_lock

    xact_lock(session, _ORDER_NUMBER_LOCK)


def insert_with_new_code(
    session: Session, obj: Base, new_code: Callable[[], str], *, attempts: int = 8
) -> None:
    """Add ``obj`` (a batch or material lot) under a freshly generated lot code.

    The code is the next free one (``new_code``), chosen under ``lock_lot_codes``; should
    the database still refuse it as taken (a workstation on an old version chose the
    same code a moment earlier), only this insert is undone (a savepoint) and the next
    free code is tried."""
    for attempt in range(attempts):
        obj.lot_code = new_code()  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.add(obj)
                session.flush()
            return
        except DuplicateError as exc:
            if not exc.constraint.endswith("lot_code") or attempt == attempts - 1:
                raise


def parse_date(value: object, *, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValidationError(f"{field}: a date is required (YYYY-MM-DD)", field=field)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"{field}: {text!r} is not a date; use YYYY-MM-DD", field=field
        ) from None


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalize_gtin(value: str | None, *, field: str = "GTIN") -> str:
    """'' stays ''; 8/12/13/14 digits become a validated GTIN-14."""
    text = (value or "").strip().replace(" ", "").replace("-", "")
    if not text:
        return ""
    if not text.isdigit() or len(text) not in (8, 12, 13, 14):
        raise ValidationError(f"{field}: {value!r} must be 8, 12, 13 or 14 digits", field=field)
    text = text.zfill(14)
    if gtin_check_digit(text[:-1]) != int(text[-1]):
        raise ValidationError(
            f"{field}: {value!r} has a wrong check digit (expected {gtin_check_digit(text[:-1])})",
            field=field,
        )
    return text


def next_number(session: Session, column: Any, prefix: str) -> str:
    """``<prefix><NNNN>``: one more than the highest number with that prefix in ``column``
    (order and purchase order numbers, ``SO-2026-0001``)."""
    numbers = session.scalars(select(column).where(column.like(prefix + "%"))).all()
    top = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{top + 1:04d}"


def like(session: Session) -> str:
    """The case-insensitive search operator for the session's database
    (``fast_reads.like_operator``)."""
    return like_operator(session.get_bind().dialect.name)
