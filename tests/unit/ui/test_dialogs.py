"""Settings, the welcome step, recipe compare and scale, and the larger-text setting,
through the real widgets; assertions on the database and on what the widgets show."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.models import Batch, RecipeVersion
from smallbatch_desktop.services.common import all_settings
from smallbatch_desktop.services.ui_queries import is_empty_workshop, version_detail
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.tasks import SyncPool, TaskRunner
from smallbatch_desktop.ui.testing import child, make_context
from smallbatch_desktop.ui.theme import LARGE_POINT_SIZE, LARGER_TEXT_KEY, NORMAL_POINT_SIZE


def _tab_order(first: QWidget, count: int) -> list[QWidget]:
    """The next ``count`` widgets Tab reaches from ``first`` (as Qt walks the chain)."""
    out = [first]
    cursor = first
    for _ in range(500):  # the chain is a ring; never loop forever
        if len(out) >= count:
            break
        cursor = cursor.nextInFocusChain()
        if cursor is first:
            break
        w = cursor
        if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisible() and w.isEnabled():
            owner = w.parentWidget()
            if isinstance(owner, QComboBox | QAbstractSpinBox):
                w = owner  # an editable combo or a date edit: Tab lands in its line edit
            if w not in out:
                out.append(w)
    return out


def _ok(dialog: Any) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


# -- settings ----------------------------------------------------------------------------


def test_settings_preview_follows_the_pattern_and_names_the_field(
    qtbot: Any, window: Any, session_factory: sessionmaker[Session], normal_font: None
) -> None:
    dialog = window.open_settings()
    pattern = child(dialog, QWidget, "lotCodePattern")
    preview = child(dialog, QLabel, "lotCodePreview")
    error = child(dialog, QLabel, "lotCodePatternError")
    day = dialog._today

    pattern.clear()
    qtbot.keyClicks(pattern, "{PRODUCT}-{YYYY}{MM}{DD}-{SEQ:3}")
    assert preview.text() == f"HS-{day:%Y%m%d}-001"
    assert not error.isVisible() and not pattern.property("invalid")

    qtbot.keyClicks(pattern, "{LOT}")  # an unknown token, live
    assert preview.text() == "—"
    assert error.isVisible() and error.text().startswith("Lot code pattern:")
    assert "{LOT}" in error.text()
    assert pattern.property("invalid") is True

    # Save refuses, keeps the dialog and what was typed, and saves nothing
    _ok(dialog)
    assert dialog.isVisible()
    assert pattern.text().endswith("{LOT}")
    with session_factory() as s:
        assert all_settings(s)["lot_code_pattern"] != pattern.text()

    for _ in range(len("{LOT}")):
        qtbot.keyClick(pattern, Qt.Key.Key_Backspace)
    assert preview.text() == f"HS-{day:%Y%m%d}-001" and not error.isVisible()
    dialog.reject()


def test_settings_save_business_details_and_units(
    qtbot: Any,
    window: Any,
    session_factory: sessionmaker[Session],
    qsettings: QSettings,
    normal_font: None,
) -> None:
    dialog = window.open_settings()
    name = child(dialog, QWidget, "businessName")
    address = child(dialog, QWidget, "businessAddress")
    name.clear()
    _ok(dialog)  # a required field left empty: the message names it, next to it
    name_error = child(dialog, QLabel, "businessNameError")
    assert dialog.isVisible() and name_error.text().startswith("Business name: give")
    assert name.property("invalid") is True

    qtbot.keyClicks(name, "Hearth & Hive")
    address.setPlainText("3 Orchard Row\nHudson, NY")
    pattern = child(dialog, QWidget, "lotCodePattern")
    pattern.setText("{PRODUCT}{YY}{JJJ}{SEQ:2}")
    units = child(dialog, QWidget, "unitSystem")
    units.setCurrentIndex(units.findData("us"))
    child(dialog, QWidget, "defaultLabelStock").setCurrentText("Avery L7160")
    with qtbot.waitSignal(dialog.accepted):
        _ok(dialog)
    with session_factory() as s:
        saved = all_settings(s)
    assert saved["business_name"] == "Hearth & Hive"
    assert saved["business_address"] == "3 Orchard Row\nHudson, NY"
    assert saved["lot_code_pattern"] == "{PRODUCT}{YY}{JJJ}{SEQ:2}"
    assert saved["unit_system"] == "us"
    assert saved["default_label_stock"] == "Avery L7160"
    assert window.statusBar().currentMessage() == "Settings saved"

    again = window.open_settings()  # reopened, it shows what was saved
    assert child(again, QWidget, "businessName").text() == "Hearth & Hive"
    assert child(again, QWidget, "unitSystem").currentData() == "us"
    again.reject()


def test_settings_tab_order_runs_down_the_form_then_save_cancel(
    qtbot: Any, window: Any, normal_font: None
) -> None:
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    names = [
        w.objectName()
        for w in _tab_order(child(dialog, QWidget, "businessName"), 16)
        if w.objectName()
    ]
    assert names[:4] == ["businessName", "businessAddress", "lotCodePattern", "unitSystem"]
    assert names.index("largerText") < names.index("okButton")
    assert dialog.focusWidget() is child(dialog, QWidget, "businessName")
    dialog.reject()


# -- larger text -------------------------------------------------------------------------


def test_larger_text_from_settings_and_from_the_view_menu(
    qtbot: Any,
    window: Any,
    workshop: dict[str, int],
    qsettings: QSettings,
    normal_font: None,
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    view = window.show_view("batchView")
    view.refresh()
    status_col = 3
    normal_width = view.table.columnWidth(status_col)
    assert app.font().pointSize() == NORMAL_POINT_SIZE

    dialog = window.open_settings()
    child(dialog, QWidget, "largerText").setChecked(True)
    with qtbot.waitSignal(dialog.accepted):
        _ok(dialog)
    assert app.font().pointSize() == LARGE_POINT_SIZE
    assert qsettings.value(LARGER_TEXT_KEY, False, type=bool) is True
    assert window.actions_[ActionId.LARGER_TEXT].isChecked()
    qtbot.waitUntil(lambda: view.table.columnWidth(status_col) > normal_width)
    # the key columns still fit: the header text is never wider than its column
    fm = view.table.horizontalHeader().fontMetrics()
    for col in range(view.KEY_COLUMNS):
        title = view.model.headerData(col, Qt.Orientation.Horizontal)
        # the product column gives way first (full name in its tooltip), then the
        # version steps aside (named in the product's tooltip and the detail)
        if col != 1 and not view.table.isColumnHidden(col):
            assert view.table.columnWidth(col) > fm.horizontalAdvance(title)
    assert window.width() <= 1280  # nothing forced the window wider

    window.actions_[ActionId.LARGER_TEXT].trigger()  # View menu: back to normal
    assert app.font().pointSize() == NORMAL_POINT_SIZE
    assert qsettings.value(LARGER_TEXT_KEY, True, type=bool) is False
    qtbot.waitUntil(lambda: view.table.columnWidth(status_col) == normal_width)


# -- welcome -----------------------------------------------------------------------------


@pytest.fixture
def sync_tasks(qtbot: Any, session_factory: sessionmaker[Session]) -> TaskRunner:
    return TaskRunner(session_factory, SyncPool())


def _welcome(qtbot: Any, sf: sessionmaker[Session], tasks: TaskRunner) -> Any:
    from smallbatch_desktop.ui.dialogs.welcome import WelcomeDialog

    dialog = WelcomeDialog(make_context(sf))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_welcome_empty_workshop(
    qtbot: Any, session_factory: sessionmaker[Session], sync_tasks: TaskRunner
) -> None:
    with session_factory() as s:
        assert is_empty_workshop(s)
    dialog = _welcome(qtbot, session_factory, sync_tasks)
    assert dialog.empty.isChecked()  # the safe default
    start = child(dialog, QWidget, "startButton")
    start.click()  # no name yet: refused, the message is at the field
    assert dialog.isVisible()
    assert child(dialog, QLabel, "businessNameError").text().startswith("Business name: give")
    with session_factory() as s:
        assert "business_name" not in {k for k, v in all_settings(s).items() if v}

    qtbot.keyClicks(dialog.name, "Ember & Lye")
    qtbot.keyClicks(dialog.address, "12 Mill Lane")
    with qtbot.waitSignal(dialog.accepted):
        start.click()
    assert not dialog.demo_loaded
    with session_factory() as s:
        assert all_settings(s)["business_name"] == "Ember & Lye"
        assert all_settings(s)["business_address"] == "12 Mill Lane"
        assert is_empty_workshop(s)  # nothing else was added


def test_welcome_demo_workshop_keeps_the_makers_name(
    qtbot: Any, session_factory: sessionmaker[Session], sync_tasks: TaskRunner
) -> None:
    dialog = _welcome(qtbot, session_factory, sync_tasks)
    qtbot.keyClicks(dialog.name, "Hearth & Hive")
    qtbot.mouseClick(dialog.demo, Qt.MouseButton.LeftButton)
    assert dialog.demo.isChecked() and not dialog.empty.isChecked()
    with qtbot.waitSignal(dialog.accepted):
        child(dialog, QWidget, "startButton").click()
    assert dialog.demo_loaded and not dialog.progress.isVisible()
    with session_factory() as s:
        assert not is_empty_workshop(s)
        assert s.scalar(select(Batch).limit(1)) is not None
        assert all_settings(s)["business_name"] == "Hearth & Hive"  # not the demo's


def test_welcome_demo_failure_is_shown_and_the_dialog_stays(
    qtbot: Any,
    session_factory: sessionmaker[Session],
    sync_tasks: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from smallbatch_desktop.services import demo

    def broken(_s: Any, **_kw: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "load_demo", broken)
    dialog = _welcome(qtbot, session_factory, sync_tasks)
    qtbot.keyClicks(dialog.name, "Ember & Lye")
    dialog.demo.setChecked(True)
    child(dialog, QWidget, "startButton").click()
    assert dialog.isVisible() and not dialog.demo_loaded
    assert "disk full" in child(dialog, QLabel, "welcomeError").text()
    assert dialog.buttons.isEnabled()
    with session_factory() as s:
        assert is_empty_workshop(s)  # the demo job rolled back


# -- recipe compare and scale ------------------------------------------------------------


def test_compare_shows_what_changed_between_versions(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: sessionmaker[Session]
) -> None:
    from smallbatch_desktop.ui.dialogs.recipe import CompareDialog

    with session_factory() as s:
        v1 = s.get(RecipeVersion, workshop["hs_v1"])
        assert v1 is not None
        recipe_id, code = v1.recipe_id, v1.recipe.code
    dialog = CompareDialog(window.ctx, recipe_id, window)
    qtbot.addWidget(dialog)
    dialog.a.setCurrentIndex(dialog.a.findData(workshop["hs_v1"]))
    dialog.b.setCurrentIndex(dialog.b.findData(workshop["hs_v2"]))
    t = dialog.table
    rows = [tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())]
    assert t.horizontalHeaderItem(2).text() == f"{code} v1"
    assert t.horizontalHeaderItem(3).text() == f"{code} v2"
    assert dialog.summary.text() == f"{len(rows)} differences from {code} v1 to {code} v2."
    whats = {r[0] for r in rows}
    assert {"Field", "Ingredient"} <= whats
    steps = next(r for r in rows if r[0] == "Field" and r[1] == "steps")
    assert "85 °C" in steps[2] and "88 °C" in steps[3]
    ingredient = next(r for r in rows if r[0] == "Ingredient")
    assert "1.3" in ingredient[3] and "1.3" not in ingredient[2]

    dialog.b.setCurrentIndex(dialog.b.findData(workshop["hs_v1"]))
    assert t.rowCount() == 0
    assert dialog.summary.text() == f"{code} v1 and {code} v1 are identical."


def test_scale_multiplies_every_line_exactly(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as s:
        d = version_detail(s, workshop["hs_v2"])
    recipes = window.show_view("recipeView")
    recipes.open_version(workshop["hs_v2"])
    dialog = recipes.scale()
    qtbot.addWidget(dialog)
    assert dialog.unit.currentText() == d.yield_unit
    target = d.yield_quantity * Decimal("2.5")
    qtbot.keyClicks(dialog.target, f"{target.normalize():f}")
    assert dialog.factor.text() == "Factor × 2.5"
    t = dialog.table
    assert t.rowCount() == len(d.lines)
    for r, line in enumerate(d.lines):
        assert t.item(r, 0).text() == line.name
        assert Decimal(t.item(r, 1).text()) == line.quantity
        assert Decimal(t.item(r, 2).text()) == line.quantity * Decimal("2.5")
        assert t.item(r, 3).text() == line.unit

    dialog.target.setText("0")  # refused by the service, said next to the field
    error = child(dialog, QLabel, "scaleError")
    assert error.isVisible() and error.text()
    assert t.rowCount() == 0 and dialog.factor.text() == ""


def test_tab_order_in_the_form_dialogs(qtbot: Any, window: Any, workshop: dict[str, int]) -> None:
    """Every form dialog: Tab starts in the first field and reaches OK and Cancel last."""
    for open_dialog, first in (
        (window.receive_lot, "receiveScan"),
        (window.new_material, "materialCode"),
        (window.new_supplier, "supplierName"),
        (window.new_recipe, "recipeName"),
        (window.new_batch, "recipeVersionCombo"),
    ):
        dialog = open_dialog()
        qtbot.waitExposed(dialog)
        chain = dialog.tab_chain()
        assert chain[0].objectName() == first, first
        assert [w.objectName() for w in chain[-2:]] == ["okButton", ""]  # OK, Cancel
        assert dialog.focusWidget() is chain[0], first
        reached = _tab_order(chain[0], len(chain))
        assert reached == [w for w in chain if w.isVisible() and w.isEnabled()], first
        dialog.reject()
