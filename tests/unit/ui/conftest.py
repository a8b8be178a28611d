"""Fixtures for UI tests: a main window on a fresh database, QSettings in a temp folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.ui.testing import make_window, temp_settings


@pytest.fixture(autouse=True)
def _app_font_restored(qapp: Any) -> Iterator[None]:
    """Saving Settings re-applies the text size to the whole application; the next test
    gets the application's font back."""
    from PySide6.QtGui import QFont

    before = QFont(qapp.font())
    yield
    qapp.setFont(before)


@pytest.fixture
def normal_font() -> Iterator[None]:
    """The test starts at the normal text size; the app's own font comes back after it,
    whatever the test did to the text size."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from smallbatch_desktop.ui.theme import apply_font

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QFont(app.font())
    apply_font(app, larger=False)
    yield
    app.setFont(before)


@pytest.fixture
def app_style(qapp: Any) -> Iterator[None]:
    """The application's own look, as the app starts with it: Fusion and the style
    sheet (a sheet changes how a new text size reaches the widgets)."""
    from smallbatch_desktop.ui.theme import apply_theme

    sheet, style = qapp.styleSheet(), qapp.style().name()
    apply_theme(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return temp_settings(tmp_path)


@pytest.fixture
def workshop(session_factory: sessionmaker[Session]) -> dict[str, int]:
    from smallbatch_desktop.ui.sample_data import build_small_workshop

    with session_factory.begin() as s:
        return build_small_workshop(s)


@pytest.fixture
def window(
    qtbot: Any, session_factory: sessionmaker[Session], qsettings: QSettings
) -> Iterator[Any]:
    w = make_window(session_factory, qsettings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    assert w.errors.last is None or not _is_bug(w.errors.last), (
        f"unexpected error: {w.errors.last!r}"
    )


def _is_bug(exc: BaseException) -> bool:
    from smallbatch_desktop.domain.errors import UserError

    return not isinstance(exc, UserError)
