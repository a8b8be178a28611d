"""The main window: navigation, remembered state, shortcuts, dialogs, errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from smallbatch_desktop.ui.actions import ACTIONS, MENUS, TOOLBAR, VIEW_ACTIONS, ActionId
from smallbatch_desktop.ui.main_window import VIEWS
from smallbatch_desktop.ui.testing import make_window


def test_every_action_is_in_the_table_and_common_ones_have_shortcuts(window: Any) -> None:
    assert set(window.actions_.all()) == set(ActionId)
    in_menus = {a for _t, ids in MENUS for a in ids if a is not None}
    window_wide = {a for a in ActionId if not ACTIONS[a].scope}
    assert window_wide <= in_menus | {ActionId.QUIT} | set(TOOLBAR)
    # a view's own actions are on that view (its toolbar), from the same table
    designer = window.show_view("labelView")
    on_view = set(designer.actions())
    for aid in set(ActionId) - window_wide:
        assert window.actions_[aid] in on_view, aid
    for aid in (
        ActionId.NEW_BATCH,
        ActionId.RECEIVE_LOT,
        ActionId.NEW_RECIPE,
        ActionId.SAVE,
        ActionId.FOCUS_SCAN,
        ActionId.FIND,
        ActionId.REFRESH,
        ActionId.PRINT_LABELS,
        ActionId.TRACE_LOT,
        *VIEW_ACTIONS,
    ):
        assert not window.actions_[aid].shortcut().isEmpty(), aid
    shortcuts = [
        a.shortcut().toString()
        for a in window.actions_.all().values()
        if not a.shortcut().isEmpty()
    ]
    assert len(shortcuts) == len(set(shortcuts)), "a shortcut is used twice"
    assert ACTIONS[ActionId.NEW_BATCH].text


def test_navigation_by_action_list_and_keyboard(qtbot: Any, window: Any) -> None:
    names = [v[0] for v in VIEWS]
    for aid, name in VIEW_ACTIONS.items():
        window.actions_[aid].trigger()
        assert window.current_view_name() == name
        assert window.stack.currentWidget().objectName() == name
    window.nav.setCurrentRow(names.index("inventoryView"))
    assert window.current_view_name() == "inventoryView"
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view_name() == "batchView"
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert window.scan_box.hasFocus()
    window.actions_[ActionId.FIND].trigger()
    assert window.view("batchView").search.hasFocus()


def test_installed_dialogs_are_opened_with_the_batch(
    window: Any, workshop: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    from PySide6.QtWidgets import QDialog

    seen: list[tuple[Any, ...]] = []

    class Fake(QDialog):
        def __init__(self, sf: Any, *args: Any, parent: Any = None, **kw: Any) -> None:
            super().__init__(parent)
            seen.append((args, kw))

    for mod, cls in (
        ("print_labels", "PrintLabelsDialog"),
        ("provenance", "ProvenanceDialog"),
        ("recall", "RecallDialog"),
    ):
        monkeypatch.setitem(
            sys.modules,
            f"smallbatch_desktop.ui.dialogs.{mod}",
            types.SimpleNamespace(**{cls: Fake}),
        )
    window.refresh_current()
    window.view("batchView").select_batch(workshop["hs_batch"])
    window.print_labels()
    window.provenance()
    window.recall("R-1")
    assert seen == [
        ((workshop["hs_batch"],), {}),
        ((workshop["hs_batch"],), {}),
        ((), {"lot_code": "R-1"}),
    ]


def test_geometry_state_and_last_view_are_remembered(
    qtbot: Any, session_factory: Any, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = make_window(session_factory, settings)
    qtbot.addWidget(w)
    w.show()
    w.resize(640, 480)
    w.show_view("traceView")
    w.close()
    settings.sync()
    w2 = make_window(
        session_factory, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(w2)
    assert w2.current_view_name() == "traceView"
    assert (w2.width(), w2.height()) == (640, 480)


def test_an_unexpected_error_is_logged_and_shown_and_the_app_keeps_running(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from smallbatch_desktop.app import install_exception_hooks

    window.errors.show_dialogs = True
    old_hook = sys.excepthook
    try:
        install_exception_hooks(window.errors)
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = old_hook
    dialog = window.findChild(QWidget, "errorDialog")
    assert dialog is not None and dialog.isVisible()
    assert "boom in a slot" in dialog.findChild(QLabel, "errorSummary").text()
    assert "RuntimeError" in caplog.text
    dialog.close()
    window.errors.last = None
    window.show_view("recipeView")  # still alive
    assert window.isVisible()


def test_a_bug_in_an_action_handler_is_reported_not_raised(
    window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise ValueError("handler bug")

    monkeypatch.setitem(window._handlers, ActionId.REFRESH, broken)
    window.actions_[ActionId.REFRESH].trigger()
    assert isinstance(window.errors.last, ValueError)
    window.errors.last = None


def test_larger_text_is_a_setting(window: Any, qsettings: QSettings) -> None:
    from smallbatch_desktop.ui.theme import LARGE_POINT_SIZE, NORMAL_POINT_SIZE

    app = QApplication.instance()
    original = app.font()
    try:
        window.actions_[ActionId.LARGER_TEXT].trigger()
        assert qsettings.value("ui/larger_text", type=bool) is True
        assert app.font().pointSize() == LARGE_POINT_SIZE
        window.actions_[ActionId.LARGER_TEXT].trigger()
        assert app.font().pointSize() == NORMAL_POINT_SIZE
        assert qsettings.value("ui/larger_text", type=bool) is False
    finally:
        app.setFont(original)


def test_shortcuts_dialog_lists_them(window: Any) -> None:
    from PySide6.QtWidgets import QTableWidget

    from smallbatch_desktop.ui.testing import child

    d = window.show_shortcuts()
    table = child(d, QTableWidget, "shortcutsTable")
    rows = [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]
    assert any(seq == "Ctrl+B" and where == "Everywhere" for _t, seq, where in rows)
    # the label designer's own actions are listed too, with where they work
    assert ("Align left", "Alt+Shift+L", "Label designer") in rows
    assert ("Redo", "Ctrl+Shift+Z, Ctrl+Y", "Label designer") in rows
    d.close()


def test_batch_search_is_debounced_and_status_filtered(
    qtbot: Any, window: Any, workshop: dict[str, int]
) -> None:
    view = window.view("batchView")
    view.refresh()
    assert view.count_label.text() == "6 batches"
    qtbot.keyClicks(view.search, "soap")
    assert view.model.rowCount() == 6  # not yet: debounced
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=2000)
    assert view.count_label.text() == "2 batches"
    view.status.setCurrentIndex(view.status.findData("rejected"))
    assert view.model.rowCount() == 1 and view.count_label.text() == "1 batch"


def test_reject_asks_why_and_buttons_follow_the_status(
    window: Any, workshop: dict[str, int], session_factory: Any
) -> None:
    from smallbatch_desktop.domain.models import Batch

    view = window.view("batchView")
    view.refresh()
    view.select_batch(workshop["planned_batch"])
    detail = view.detail
    enabled = {a for a, b in detail.status_buttons.items() if b.isEnabled()}
    assert enabled == {"start", "reject"}
    detail.ask_reason = lambda *_a: None  # cancelled
    assert detail.change_status("reject") is False
    detail.ask_reason = lambda *_a: "Peppers too mild"
    assert detail.change_status("reject") is True
    with session_factory() as s:
        b = s.get(Batch, workshop["planned_batch"])
        assert b.status == "rejected" and b.close_reason == "Peppers too mild"
    assert not any(b.isEnabled() for b in detail.status_buttons.values())
    assert not detail.notes_tab.save_button.isEnabled() and detail.amendments_tab.button.isEnabled()


def test_background_tasks_report_progress_and_can_be_cancelled(
    qtbot: Any, session_factory: Any
) -> None:
    import threading

    from smallbatch_desktop.ui.tasks import TaskRunner

    runner = TaskRunner(session_factory)  # a real thread pool
    gate = threading.Event()
    progress: list[int] = []

    def job(session: Any, p: Any) -> int:
        for i in range(1000):
            p.report(i, 1000)
            if i == 3:
                gate.set()
            p.check()
            threading.Event().wait(0.002)
        return 1

    cancelled: list[bool] = []
    handle = runner.submit("long", job, on_cancel=lambda: cancelled.append(True))
    handle.progress.connect(lambda d, _t, _x: progress.append(d))
    assert gate.wait(5)
    with qtbot.waitSignal(handle.done, timeout=5000):
        handle.cancel()
    assert cancelled == [True] and progress and not runner.running

    with qtbot.waitSignal(runner.idle, timeout=5000):
        h = runner.submit("sum", lambda s, p: 41 + 1)
        results: list[int] = []
        h.finished.connect(results.append)
    assert results == [42]


def test_task_errors_go_to_the_reporter(window: Any) -> None:
    def job(session: Any, p: Any) -> None:
        raise KeyError("in a worker")

    window.tasks.submit("bad", job)
    assert isinstance(window.errors.last, KeyError)
    window.errors.last = None
