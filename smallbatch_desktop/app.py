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


def make_application(argv: list[str] | None = None) -> Any:
    """The QApplication with names, high-DPI policy, theme and font size."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

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
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    larger = QSettings().value(LARGER_TEXT_KEY, False, type=bool)
    apply_theme(app, larger=bool(larger))
    return app


def run_gui(db: str | None = None, *, argv: list[str] | None = None) -> int:
    """Open the app on ``db`` (default: the user's database); returns the exit code."""
    from smallbatch_desktop.paths import data_dir, default_database, log_dir

    log_file = setup_logging(log_dir())
    log.info("starting; data folder %s", data_dir())
    app = make_application(argv)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from smallbatch_desktop.domain.errors import UserError
    from smallbatch_desktop.ui.errors import ErrorReporter

    reporter = ErrorReporter(None, log_folder=log_file.parent)
    install_exception_hooks(reporter)

    target = db or default_database()
    try:
        engine, session_factory = open_database_fast(target)
    except UserError as exc:
        QMessageBox.critical(None, "Smallbatch", f"Cannot open the database:\n{exc.message}")
        return 2
    except Exception as exc:
        log.exception("cannot open database %s", target)
        QMessageBox.critical(
            None,
            "Smallbatch",
            f"Cannot open the database {target}:\n{exc}\n\nDetails are in {log_file}.",
        )
        return 2

    settings = QSettings()
    window = build_main_window(session_factory, settings, target, reporter)
    if not first_run(session_factory, window):
        engine.dispose()
        return 0
    window.show()
    log.info("window shown after %.0f ms", (time.perf_counter() - _T0) * 1000)
    if os.environ.get("SMALLBATCH_QUIT_AFTER_PAINT"):
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, app.quit)
    code = int(app.exec())
    engine.dispose()
    return code


def _head_revision_from_files() -> str | None:
    """The newest migration id, read from the shipped files without importing Alembic
    (importing and configuring Alembic costs more than half a second at start-up)."""
    import re

    import smallbatch_desktop.db as db_package  # not db.migrate: that imports Alembic

    versions = Path(db_package.__file__).with_name("migrations") / "versions"
    revs: dict[str, str | None] = {}
    pattern = re.compile(
        r"^(down_revision|revision)\b[^=]*=\s*(?:\"([^\"]*)\"|'([^']*)'|None)", re.M
    )
    for path in versions.glob("*.py"):
        found = {
            m.group(1): (m.group(2) or m.group(3))
            for m in pattern.finditer(path.read_text("utf-8"))
        }
        if "revision" not in found:
            return None  # a file we cannot read this way: let Alembic decide
        revs[str(found["revision"])] = found.get("down_revision")
    downs = {d for d in revs.values() if d}
    heads = [r for r in revs if r not in downs]
    return heads[0] if len(heads) == 1 else None


def open_database_fast(target: str) -> tuple[Any, Any]:
    """``open_database`` that skips Alembic when the schema is already at head."""
    from sqlalchemy import text

    from smallbatch_desktop.db.engine import make_session_factory, open_database

    head = _head_revision_from_files()
    if head is not None:
        from smallbatch_desktop.db.engine import make_engine

        engine = make_engine(target)
        try:
            with engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # no table yet (new file): migrate the normal way
            current = None
        if current == head:
            return engine, make_session_factory(engine)
        engine.dispose()
    return open_database(target)


def build_main_window(
    session_factory: Any, settings: Any, db_label: str, reporter: Any = None
) -> Any:
    from smallbatch_desktop.ui.main_window import MainWindow

    window = MainWindow(
        session_factory, settings, db_label=_short_db_label(db_label), errors=reporter
    )
    window.restore_state()
    return window


def first_run(session_factory: Any, window: Any) -> bool:
    """On an empty workshop, ask for business details and offer demo data.
    Returns False if the user closed the welcome step (the app then quits)."""
    from smallbatch_desktop.services.ui_queries import is_empty_workshop

    with session_factory() as s:
        empty = is_empty_workshop(s)
    if not empty:
        return True
    from PySide6.QtWidgets import QDialog

    from smallbatch_desktop.ui.dialogs.welcome import WelcomeDialog

    dialog = WelcomeDialog(session_factory, window.tasks)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    window.refresh_current()
    return True


def _short_db_label(target: str) -> str:
    if "://" in target:
        from sqlalchemy.engine import make_url

        return make_url(target).render_as_string(hide_password=True)
    return str(Path(target).expanduser())


def main() -> int:
    return run_gui()


if __name__ == "__main__":
    raise SystemExit(main())
