"""Background jobs: long work runs in a ``QThreadPool`` with its own Session.

A job is a plain function ``fn(session, progress) -> result``.  It must not touch
widgets; it reports through ``progress.report(done, total, text)`` and checks
``progress.cancelled`` (or calls ``progress.check()``, which raises ``Cancelled``).
The result arrives on the UI thread through the ``TaskHandle`` signals.  Tests pass a
``SyncPool`` so a job runs to completion inside ``submit``.

Each job runs in one unit of work: ``session_factory.begin()`` for a job that writes
(``write=True``), ``session_factory.trial()`` for a preview that writes to check and is
always rolled back (``write="trial"``), a read-only session otherwise.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a job when the user pressed Cancel."""


class Progress:
    """Handed to a job: report progress, look at the cancel flag."""

    def __init__(self, handle: TaskHandle) -> None:
        self._handle = handle
        self._event = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        self._event.set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled

    def report(self, done: int, total: int, text: str = "") -> None:
        self._handle._w_progress.emit(int(done), int(total), text)


class TaskHandle(QObject):
    """One submitted job. Its public signals are always emitted on the UI thread.

    Signals:
        progress(int, int, str): done, total (0 when unknown) and a line of text.
        finished(object): the job's return value.
        failed(object): the exception it raised (a ``UserError`` or a bug).
        cancelled(): the job stopped because the user cancelled.
        done(): emitted last, whatever the outcome.
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    done = Signal()
    # emitted by the worker thread; queued to this object's (UI) thread
    _w_progress = Signal(int, int, str)
    _w_outcome = Signal(str, object)

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.control = Progress(self)
        self.is_running = True
        self.outcome = ""
        self._w_progress.connect(self._on_progress)
        self._w_outcome.connect(self._on_outcome)

    def cancel(self) -> None:
        self.control.cancel()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.emit(done, total, text)

    @Slot(str, object)
    def _on_outcome(self, kind: str, value: object) -> None:
        self.is_running = False
        self.outcome = kind
        if kind == "finished":
            self.finished.emit(value)
        elif kind == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.done.emit()


Job = Callable[["Session", Progress], Any]


def _runner(
    handle: TaskHandle, fn: Job, session_factory: sessionmaker[Session], write: bool | str
) -> Callable[[], None]:
    """The callable the pool runs on a worker thread (the pool owns its own QRunnable)."""

    def run() -> None:
        h = handle
        try:
            if write == "trial":  # writes to check, always rolled back (a preview)
                with session_factory.trial() as s:  # type: ignore[attr-defined]
                    result = fn(s, h.control)
            elif write:
                from smallbatch_desktop.db.engine import run_write

                def unit(s: Session) -> Any:
                    out = fn(s, h.control)
                    h.control.check()  # cancelled: rolled back, nothing written
                    return out

                result = run_write(session_factory, unit)
            else:
                with session_factory() as s:
                    result = fn(s, h.control)
        except Cancelled:
            h._w_outcome.emit("cancelled", None)
        except Exception as exc:  # reported to the UI thread, which logs and shows it
            log.debug("task %r failed", h.title, exc_info=True)
            h._w_outcome.emit("failed", exc)
        else:
            h._w_outcome.emit("finished", result)

    return run


class Pool(Protocol):
    def start(self, work: Callable[[], None]) -> None: ...


class SyncPool:
    """Runs each job at once on the calling thread: deterministic tests."""

    def start(self, work: Callable[[], None]) -> None:
        work()


class TaskRunner(QObject):
    """Submits jobs and keeps track of the running ones.

    Signals:
        started(object): a ``TaskHandle`` that was just submitted.
        idle(): no job is running any more.
    """

    started = Signal(object)
    idle = Signal()

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        pool: Pool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sf = session_factory
        self._pool: Pool = pool if pool is not None else QThreadPool.globalInstance()
        self._running: list[TaskHandle] = []
        self._finished: deque[TaskHandle] = deque(maxlen=64)
        #: called with a job's exception when the caller gave no ``on_error``
        self.default_error_handler: Callable[[BaseException], None] | None = None

    def child(self, parent: QObject) -> TaskRunner:
        """A runner on the same pool whose jobs belong to ``parent`` (a dialog that
        cancels its own jobs when it closes, and only those)."""
        runner = TaskRunner(self._sf, self._pool, parent)
        runner.default_error_handler = self.default_error_handler
        return runner

    @property
    def running(self) -> list[TaskHandle]:
        return list(self._running)

    def submit(
        self,
        title: str,
        fn: Job,
        *,
        write: bool | Literal["trial"] = False,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> TaskHandle:
        """Start ``fn``. Callbacks are connected before it starts (a ``SyncPool`` runs it
        inside this call) and always run on the UI thread."""
        handle = TaskHandle(title)
        self._running.append(handle)
        if on_result is not None:
            handle.finished.connect(on_result)
        if on_error is not None:
            handle.failed.connect(on_error)
        elif self.default_error_handler is not None:
            handle.failed.connect(self.default_error_handler)
        else:
            handle.failed.connect(lambda exc: log.error("task %r failed: %r", title, exc))
        if on_cancel is not None:
            handle.cancelled.connect(on_cancel)
        handle.done.connect(lambda h=handle: self._finish(h))
        self.started.emit(handle)
        self._pool.start(_runner(handle, fn, self._sf, write))
        return handle

    def cancel_all(self) -> None:
        for h in self._running:
            h.cancel()

    def wait(self, msecs: int = 5000) -> bool:
        pool = self._pool
        if isinstance(pool, QThreadPool):
            return pool.waitForDone(msecs)
        return True

    def _finish(self, handle: TaskHandle) -> None:
        if handle in self._running:
            self._running.remove(handle)
        # Keep recent handles alive a while: callers may still hold or wait on them, and
        # the worker's closure must never drop the last reference on its own thread.
        self._finished.append(handle)
        if not self._running:
            self.idle.emit()
