"""Composition root: logging -> QApplication -> database -> first-run welcome -> window.

Nothing here is imported by the rest of the app; collaborators (session factory,
settings, error reporter) are built once and passed in.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger("smallbatch")

_T0 = time.perf_counter()


def setup_logging(folder: Path, *, level: int = logging.INFO) -> Path:
    """A rotating log file in the data folder (5 x 1 MB); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "smallbatch.log"
    root = logging.getLogger()
    if not any(
        isinstance(h, logging.handlers.RotatingFileHandler)
        and Path(h.baseFilename) == path.resolve()
        for h in root.handlers
    ):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    # the file gets the details; a terminal the app was started from only what went wrong
    for h in root.handlers:
        if type(h) is logging.StreamHandler and h.level == logging.NOTSET:
            h.setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return path


def install_exception_hooks(reporter: Any) -> None:
    """Uncaught exceptions (in slots, timers, virtual overrides) are logged and shown;
    the app keeps running. Qt's own warnings go to the log."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        try:
            reporter.report(exc, context="uncaught")
        except Exception:  # the error path must never raise
            log.exception("error while reporting an uncaught exception")

    sys.excepthook = hook

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def qt_handler(mode: QtMsgType, context: Any, message: str) -> None:
        qt_log.log(
            levels.get(mode, logging.WARNING), "%s (%s:%s)", message, context.file, context.line
        )
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            try:
                reporter.report(RuntimeError(f"Qt: {message}"), context="qt")
            except Exception:
                log.exception("error while reporting a Qt message")

    qInstallMessageHandler(qt_handler)


def app_icon() -> Any:
    """The app icon at every size shipped in resources/icons (Qt picks the nearest)."""
    from PySide6.QtGui import QIcon

    from smallbatch_desktop.paths import resource

    icon = QIcon()
    for png in sorted(resource("icons").glob("smallbatch-*.png")):
        icon.addFile(str(png))
    return icon


def make_application(argv: list[str] | None = None) -> Any:
    """The QApplication with names, high-DPI policy, theme and font size."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    import smallbatch_desktop.ui  # noqa: F401  (PySide6 6.12 refcount guard, before any Qt call)
    from smallbatch_desktop import APP_ID, APP_NAME, ORG_NAME, __version__
    from smallbatch_desktop.ui.theme import LARGER_TEXT_KEY, apply_theme

    existing = QApplication.instance()
    if existing is not None:
        return existing
    # Fractional scale factors (125 %, 150 %) stay crisp instead of rounding.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    # the taskbar, window title bar and Alt+Tab show our icon; on Linux the desktop file
    # name ties the running window to packaging/linux/smallbatch.desktop (Wayland too)
    QGuiApplication.setDesktopFileName("smallbatch")
    app.setWindowIcon(app_icon())
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    larger = QSettings().value(LARGER_TEXT_KEY, False, type=bool)
    apply_theme(app, larger=bool(larger))
    return app


class LazySessionFactory:
    """Stands in for ``sessionmaker`` until the first session is asked for (or ``warm()``
    runs after the first paint): only then are SQLAlchemy, the engine and the ORM
    loaded.  Used when ``db.migrate.is_at_head`` already said the schema is current.

    Thread-safe: a background job may be the first user."""

    def __init__(self, target: str) -> None:
        import threading

        self.target = target
        self._lock = threading.Lock()
        self._engine: Any = None
        self._factory: Any = None

    def _real(self) -> Any:
        if self._factory is None:
            with self._lock:
                if self._factory is None:
                    from smallbatch_desktop.db.engine import make_engine, make_session_factory

                    engine = make_engine(self.target)
                    import smallbatch_desktop.domain.models  # noqa: F401  (mappers ready)

                    self._engine = engine
                    self._factory = make_session_factory(engine)
        return self._factory

    def warm(self) -> None:
        self._real()

    @property
    def engine(self) -> Any:
        self._real()
        return self._engine

    def __call__(self, **kwargs: Any) -> Any:
        return self._real()(**kwargs)

    def begin(self) -> Any:
        return self._real().begin()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


class OpenedDatabase:
    """What ``open_for_window`` hands the window: a session factory, how the batch list
    reads, and ``close()``."""

    def __init__(self, session_factory: Any, batch_reads: Any, closers: list[Any]) -> None:
        self.session_factory = session_factory
        self.batch_reads = batch_reads
        self._closers = closers

    def is_empty_workshop(self) -> bool:
        from smallbatch_desktop.services.fast_reads import workshop_is_empty

        with self.batch_reads() as read:
            return workshop_is_empty(read)

    def close(self) -> None:
        for close in self._closers:
            try:
                close()
            except Exception:
                log.exception("closing the database")


def open_for_window(target: str) -> OpenedDatabase:
    """Open ``target`` for the window, as cheaply as the first paint allows.

    An SQLite file already at the newest migration (``db.migrate.is_at_head``: the
    standard library only) is read by the batch list through a read-only ``sqlite3``
    connection, and SQLAlchemy loads after the first paint (``LazySessionFactory``).
    Anything else -- a new file, a file to migrate, PostgreSQL -- is opened and migrated
    the normal way before the window is built."""
    from smallbatch_desktop.db.migrate import is_at_head, sqlite_file

    path = sqlite_file(target)
    if path is not None and is_at_head(path):
        import threading
        from contextlib import contextmanager

        from smallbatch_desktop.services.fast_reads import open_sqlite_readonly, sqlite_reader

        file = str(path.resolve())
        conn = open_sqlite_readonly(file)
        read = sqlite_reader(conn)
        owner = threading.get_ident()

        @contextmanager
        def reads() -> Any:
            if threading.get_ident() == owner:
                yield read
                return
            # a worker (the batch list's exact count) reads on a connection of its own:
            # sharing the UI thread's would make the UI wait for the worker's query
            own = open_sqlite_readonly(file)
            try:
                yield sqlite_reader(own)
            finally:
                own.close()

        lazy = LazySessionFactory(target)
        return OpenedDatabase(lazy, reads, [conn.close, lazy.dispose])
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.ui.models.batches import session_reads

    engine, session_factory = open_database(target)
    return OpenedDatabase(session_factory, session_reads(session_factory), [engine.dispose])


def open_database_fast(target: str) -> tuple[Any, Any]:
    """``(engine, session_factory)`` that skips Alembic when the schema is at head
    (kept for scripts; the GUI uses ``open_for_window``)."""
    from smallbatch_desktop.db.opening import open_for_use

    return open_for_use(target)


def run_gui(db: str | None = None, *, argv: list[str] | None = None) -> int:
    """Open the app on ``db`` (default: the user's database); returns the exit code."""
    from smallbatch_desktop.paths import data_dir, log_dir

    log_file = setup_logging(log_dir())
    log.info("starting; data folder %s", data_dir())
    app = make_application(argv)

    from PySide6.QtCore import QSettings

    from smallbatch_desktop.ui.errors import ErrorReporter

    reporter = ErrorReporter(None, log_folder=log_file.parent)
    install_exception_hooks(reporter)

    target = db if db is not None else configured_database(QSettings())
    opened = _open_or_explain(target, log_file)
    if opened is None:
        return 2

    settings = QSettings()
    window = build_main_window(
        opened.session_factory, settings, target, reporter, batch_reads=opened.batch_reads
    )
    if not first_run(opened, window):
        opened.close()
        return 0
    window.show()
    log.info("window shown after %.0f ms", (time.perf_counter() - _T0) * 1000)
    if not os.environ.get("SMALLBATCH_QUIT_AFTER_PAINT"):  # benchmarks: no housekeeping
        # quick_check and the daily backup, in the background once the window is up
        window.ready.connect(window.backup_actions.check_on_start)
    window.ready.connect(
        lambda: log.info("ready after %.0f ms", (time.perf_counter() - _T0) * 1000)
    )
    if os.environ.get("SMALLBATCH_QUIT_AFTER_PAINT"):
        from PySide6.QtCore import QTimer

        window.ready.connect(lambda: QTimer.singleShot(0, app.quit))
    code = int(app.exec())
    opened.close()
    return code


#: QSettings key: the shared database this workstation uses (empty: its own SQLite file)
SHARED_DB_KEY = "database/url"


def configured_database(settings: Any) -> str:
    """The database the app opens when no ``--db`` is given: ``SMALLBATCH_DB``, else the
    shared database set in Settings on this machine, else the user's own file."""
    from smallbatch_desktop.paths import default_database

    if os.environ.get("SMALLBATCH_DB"):
        return default_database()
    shared = str(settings.value(SHARED_DB_KEY, "") or "").strip()
    if shared:
        shared = _move_password_out(settings, shared)
    return shared or default_database()


def _move_password_out(settings: Any, url: str) -> str:
    """An older version kept the shared database's password in the settings, in plain
    text: move it, once, to the password file libpq reads (``db.pgpass``, mode 0600)
    and keep the URL without it."""
    if "://" not in url or "@" not in url:
        return url
    from smallbatch_desktop.db.pgpass import keep_password, password_file

    try:
        clean = keep_password(url)
    except Exception as exc:  # never the URL itself: it holds the password
        log.warning(
            "could not move the shared database password to %s: %s",
            password_file(),
            type(exc).__name__,
        )
        return url
    if clean != url:
        settings.setValue(SHARED_DB_KEY, clean)
        settings.sync()
        log.info("the shared database password now lives in %s", password_file())
    return clean


def _open_or_explain(target: str, log_file: Path) -> OpenedDatabase | None:
    """``open_for_window``, with every failure shown as a message; a damaged SQLite
    file is offered its newest backup and opened again when restored."""
    from PySide6.QtWidgets import QMessageBox

    from smallbatch_desktop.db.faults import explain
    from smallbatch_desktop.db.migrate import (
        UpgradeFailedError,
        UpgradeStopped,
        is_at_head,
        sqlite_file,
    )
    from smallbatch_desktop.db.opening import describe
    from smallbatch_desktop.domain.errors import CorruptDatabaseError, UserError

    for _attempt in range(2):
        try:
            if not is_at_head(target):
                # a new, older or shared database: set up or updated on a worker thread,
                # with a window saying what happens while an older one is updated
                from smallbatch_desktop.ui.upgrade import prepare_database

                prepare_database(target, where=describe(target))
            return open_for_window(target)
        except UpgradeStopped:
            from smallbatch_desktop.ui.upgrade import stopped_message

            log.warning("the update of %s was stopped", describe(target))
            QMessageBox.information(None, "Smallbatch", stopped_message(describe(target)))
            return None
        except UpgradeFailedError as exc:
            log.error("updating %s failed", describe(target), exc_info=exc)
            QMessageBox.critical(None, "Smallbatch", f"{exc}\n\nDetails are in {log_file}.")
            return None
        except Exception as exc:
            fault = exc if isinstance(exc, UserError) else explain(exc, where=describe(target))
            if fault is None:
                log.exception("cannot open database %s", target)
                QMessageBox.critical(
                    None,
                    "Smallbatch",
                    f"Cannot open the database {describe(target)}:\n{exc}\n\n"
                    f"Details are in {log_file}.",
                )
                return None
            log.warning("cannot open database %s: %s", describe(target), fault)
            path = sqlite_file(target)
            if isinstance(fault, CorruptDatabaseError) and path is not None:
                from smallbatch_desktop.ui.backup import ask_to_restore

                if ask_to_restore(None, path, str(exc.__cause__ or exc).splitlines()[0]):
                    continue
                return None
            QMessageBox.critical(None, "Smallbatch", f"Cannot open the database:\n{fault.message}")
            return None
    return None


def build_main_window(
    session_factory: Any,
    settings: Any,
    db_label: str,
    reporter: Any = None,
    *,
    batch_reads: Any = None,
) -> Any:
    from smallbatch_desktop.ui.main_window import MainWindow

    window = MainWindow(
        session_factory,
        settings,
        db_label=_short_db_label(db_label),
        errors=reporter,
        batch_reads=batch_reads,
    )
    window.restore_state()
    return window


def first_run(opened: Any, window: Any) -> bool:
    """On an empty workshop, ask for business details and offer demo data.
    Returns False if the user closed the welcome step (the app then quits).

    ``opened`` is an ``OpenedDatabase`` (or, for older callers, a session factory)."""
    if isinstance(opened, OpenedDatabase):
        empty = opened.is_empty_workshop()
        session_factory = opened.session_factory
    else:
        from smallbatch_desktop.services.ui_queries import is_empty_workshop

        session_factory = opened
        with session_factory() as s:
            empty = is_empty_workshop(s)
    if not empty:
        return True
    from PySide6.QtWidgets import QDialog

    from smallbatch_desktop.ui.dialogs.welcome import WelcomeDialog

    dialog = WelcomeDialog(window.ctx)
    return dialog.exec() == QDialog.DialogCode.Accepted


def _short_db_label(target: str) -> str:
    from smallbatch_desktop.db.opening import describe

    return describe(target)


def main() -> int:
    return run_gui()


if __name__ == "__main__":
    raise SystemExit(main())
