"""One way to run a user action from the UI, and one signal that says what it changed.

Modelled on Anki's ``CollectionOp``: a user action is a plain function taking a
``Session`` (it calls the services, which never commit). The runner opens the unit of
work (``session_factory.begin()``) through ``UiContext.run`` (``OpRunner.run``), and
then:

- a ``UserError`` is shown beside the field it names (``form=``), in a label
  (``message=``) or, with neither, in a message box; nothing was written;
- any other exception is a bug: logged with its trace and shown in the error dialog,
  the app keeps running, nothing was written;
- on success the ``ChangeBus`` announces the kinds of data the action changed
  (``Change`` flags) and every view that shows such data reloads it (``watch``), so no
  view needs a Refresh button to see what another view did.

Long work (printing hundreds of labels, imports) still runs in the ``TaskRunner``'s
thread pool; ``run_task_op`` announces its changes when the job finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Flag, auto
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from smallbatch_desktop.domain.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smallbatch_desktop.ui.context import UiContext
    from smallbatch_desktop.ui.tasks import Progress, TaskHandle
    from smallbatch_desktop.ui.widgets.fields import FormErrors

log = logging.getLogger(__name__)

T = TypeVar("T")


class Change(Flag):
    """The kinds of data a user action may change (what views listen for)."""

    NONE = 0
    #: a batch: planned, status, quantities, notes, QC results, inputs, amendments
    BATCHES = auto()
    #: material lots: received, consumed (a batch's inputs), adjusted
    LOTS = auto()
    #: materials (name, unit, reorder level, allergens...)
    MATERIALS = auto()
    SUPPLIERS = auto()
    #: recipes and their versions
    RECIPES = auto()
    CUSTOMERS = auto()
    #: shipments of batches to customers (forward trace, what is left of a batch)
    SHIPMENTS = auto()
    #: label layouts, label stocks, printer profiles, print runs
    LABELS = auto()
    #: business settings, units shown, lot code pattern, currency, text size
    SETTINGS = auto()
    #: customer orders (the orders view)
    ORDERS = auto()

    @classmethod
    def all(cls) -> Change:
        out = cls.NONE
        for member in cls:
            out |= member
        return out


@dataclass(frozen=True)
class Changed:
    """What one action changed. ``origin`` is the widget that ran it (a view may skip a
    reload it has just done itself)."""

    kinds: Change
    origin: object | None = None

    def touches(self, kinds: Change) -> bool:
        return bool(self.kinds & kinds)


class ChangeBus(QObject):
    """Held in ``UiContext``; every successful action is announced here.

    Signals:
        changed(object): a ``Changed``, after the action's transaction committed.
    """

    changed = Signal(object)

    def announce(self, kinds: Change, origin: object | None = None) -> None:
        if kinds:
            log.debug("changed: %s", kinds)
            self.changed.emit(Changed(kinds, origin))


@dataclass(frozen=True)
class OpResult(Generic[T]):
    """The outcome of ``run_op``: true when the action committed."""

    ok: bool
    value: T | None = None
    error: BaseException | None = None

    def __bool__(self) -> bool:
        return self.ok


def show_user_error(
    ctx: UiContext,
    exc: UserError,
    *,
    form: FormErrors | None = None,
    message: QLabel | None = None,
) -> None:
    """A ``UserError`` beside its field (``form``), in a label, or in a message box."""
    if form is not None:
        widget = form.show(exc)
        if widget is not None:
            widget.setFocus()
        return
    if message is not None:
        show = getattr(message, "show_message", None)
        if callable(show):
            show(exc.message)
        else:
            message.setText(exc.message)
            message.show()
        return
    ctx.errors.report(exc)


class OpRunner:
    """``UiContext.run``: the one way a view or dialog runs a user action."""

    def run(
        self,
        fn: Callable[[Session], T],
        *,
        changes: Change | Callable[[T], Change],
        form: FormErrors | None = None,
        message: QLabel | None = None,
        on_refused: Callable[[UserError], None] | None = None,
        origin: object | None = None,
        what: str = "",
    ) -> OpResult[T]:
        """Run one user action in one unit of work; show what went wrong or announce
        what changed. ``changes`` may depend on the action's result (a callable). A
        refusal goes to ``form``, ``message`` or ``on_refused`` (a view with its own way
        of showing it), else to a message box."""
        ctx: UiContext = self  # type: ignore[assignment]
        if form is not None:
            form.clear()
        elif message is not None and callable(getattr(message, "show_message", None)):
            message.show_message("")  # type: ignore[attr-defined]
        from smallbatch_desktop.db.engine import run_write

        try:
            # a deadlock or serialization failure on PostgreSQL runs it again (run_write)
            value = run_write(ctx.session_factory, fn)
        except UserError as exc:
            log.info("refused%s: %s", f" ({what})" if what else "", exc.message)
            if on_refused is not None:
                on_refused(exc)
            else:
                show_user_error(ctx, exc, form=form, message=message)
            return OpResult(False, None, exc)
        except Exception as exc:  # a bug: logged and shown, the app keeps running
            ctx.errors.report(exc, context=what or getattr(fn, "__name__", "action"))
            return OpResult(False, None, exc)
        kinds = changes(value) if callable(changes) else changes
        ctx.bus.announce(kinds, origin)
        return OpResult(True, value)


def run_task_op(
    ctx: UiContext,
    title: str,
    job: Callable[[Session, Progress], Any],
    *,
    changes: Change,
    origin: object | None = None,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
) -> TaskHandle:
    """Long work that writes: runs in the thread pool in its own unit of work, and the
    change is announced on the UI thread once it committed."""

    def done(result: Any) -> None:
        ctx.bus.announce(changes, origin)
        if on_result is not None:
            on_result(result)

    return ctx.tasks.submit(
        title, job, write=True, on_result=done, on_error=on_error, on_cancel=on_cancel
    )


class _Watcher(QObject):
    """Reloads its widget when the bus announces a change it shows; a hidden widget
    (another view, a closed tab) reloads when it is next shown."""

    def __init__(
        self, widget: QWidget, bus: ChangeBus, kinds: Change, reload: Callable[[Changed], None]
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._kinds = kinds
        self._reload = reload
        self._pending: Changed | None = None
        bus.changed.connect(self._on_changed)
        widget.installEventFilter(self)

    def _on_changed(self, event: Changed) -> None:
        if not event.touches(self._kinds):
            return
        if self._widget.isVisible():
            self._pending = None
            self._run(event)
        else:
            kinds = event.kinds | (self._pending.kinds if self._pending else Change.NONE)
            self._pending = Changed(kinds, event.origin)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._widget and event.type() == QEvent.Type.Show and self._pending:
            pending, self._pending = self._pending, None
            self._run(pending)
        return False

    def _run(self, event: Changed) -> None:
        try:
            self._reload(event)
        except Exception:  # a view that cannot reload must not break the action
            log.exception("reloading %s after %s", self._widget.objectName(), event.kinds)


def watch(
    widget: QWidget, ctx: UiContext, kinds: Change, reload: Callable[[Changed], None]
) -> None:
    """Call ``reload(changed)`` whenever an action changes one of ``kinds`` (at once when
    the widget is visible, else when it is next shown). The connection ends with the
    widget."""
    _Watcher(widget, ctx.bus, kinds, reload)
