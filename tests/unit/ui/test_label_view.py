"""The label designer, driven through its real widgets."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QMessageBox
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.label_layout import BarcodeElement, TextElement
from smallbatch_desktop.ui.testing import child, make_context


@pytest.fixture
def demo(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    from smallbatch_desktop.services.demo import load_demo

    with session_factory.begin() as s:
        load_demo(s)
    return session_factory


@pytest.fixture
def view(qtbot: Any, demo: sessionmaker[Session]) -> Any:
    from smallbatch_desktop.ui.views.labels import LabelView

    v = LabelView(make_context(demo))
    qtbot.addWidget(v)
    v.resize(1300, 800)
    v.show()
    qtbot.waitExposed(v)
    v.flush_preview()
    return v


def test_opens_the_default_layout_and_renders_it(view: Any) -> None:
    assert view.objectName() == "labelView"
    assert view.label_layout.name == "Standard 66.7 x 25.4"
    assert view.stock.key == "Avery 5160"
    outcome = view.flush_preview()
    assert outcome is not None and outcome.image is not None
    assert not outcome.errors
    assert any("Everything fits" in t for t in view.message_texts())


def test_add_text_and_barcode_nudge_undo_redo(qtbot: Any, view: Any) -> None:
    view.new_layout()
    assert view.has_unsaved_changes()
    name = view.add_element("text")
    assert name == "text1"
    code = view.add_element("barcode")
    assert isinstance(view.label_layout.element(code), BarcodeElement)
    # the barcode is selected: move it with the keyboard, 0.5 mm and 5 mm steps
    view.select([code])
    before = view.label_layout.element(code)
    canvas = view.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    after = view.label_layout.element(code)
    assert after.x == pytest.approx(before.x - 0.5)
    assert after.y == pytest.approx(min(before.y + 5, view.label_layout.height - before.h))
    # undo twice with Ctrl+Z restores the position, redo with Ctrl+Shift+Z
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.label_layout.element(code) == before
    qtbot.keyClick(
        canvas,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert view.label_layout.element(code).x == pytest.approx(before.x - 0.5)
    # undo the move, the barcode and the text: back to the new layout's one element
    for _ in range(3):
        view.undo_stack.undo()
    assert [e.name for e in view.label_layout.elements] == ["product"]


def test_drag_moves_with_snapping_as_one_command(qtbot: Any, view: Any) -> None:
    view.new_layout()
    name = view.add_element("text")
    view.canvas.set_zoom(4.0)
    item = view.scene.item(name)
    start = view.canvas.mapFromScene(item.sceneBoundingRect().center())
    count = view.undo_stack.count()
    vp = view.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    px = view.canvas.px_per_mm()
    qtbot.mouseMove(vp, start + QPoint(int(3.3 * px), int(1.1 * px)))
    qtbot.mouseRelease(
        vp, Qt.MouseButton.LeftButton, pos=start + QPoint(int(3.3 * px), int(1.1 * px))
    )
    e = view.label_layout.element(name)
    assert view.undo_stack.count() == count + 1
    assert e.x % 0.5 == pytest.approx(0) and e.y % 0.5 == pytest.approx(0)
    view.undo_stack.undo()
    assert view.label_layout.element(name).x != e.x or view.label_layout.element(name).y != e.y


def test_property_panel_edits_validate_and_undo(qtbot: Any, view: Any) -> None:
    view.new_layout()
    name = view.add_element("text")
    text_edit = child(view, QLineEdit, "prop_text")
    text_edit.selectAll()
    qtbot.keyClicks(text_edit, "Lot {lot}")
    assert view.label_layout.element(name).text == "Lot {lot}"
    # typing is one command: one undo restores the template
    view.undo_stack.undo()
    assert view.label_layout.element(name).text == "{product}"
    view.undo_stack.redo()
    # an unknown field is refused as you type and named in the panel
    text_edit.selectAll()
    qtbot.keyClicks(text_edit, "{prodct}")
    error = view.panel.error
    assert error.isVisible() and "unknown field {prodct}" in error.text()
    assert view.label_layout.element(name).text == "Lot {lot}"
    # a size in the panel applies; a box pushed outside the label is refused
    size = child(view, QDoubleSpinBox, "prop_size")
    size.setValue(12.0)
    assert view.label_layout.element(name).size == 12.0
    width = child(view, QDoubleSpinBox, "prop_w")
    width.setValue(500.0)
    assert "outside" in view.panel.error.text()
    assert view.label_layout.element(name).w < 100


def test_align_and_delete(view: Any) -> None:
    view.new_layout()
    name = view.add_element("barcode")
    view.select([name])
    view.align("right")
    e = view.label_layout.element(name)
    assert e.x + e.w == pytest.approx(view.label_layout.width, abs=0.01)
    view.align("top")
    assert view.label_layout.element(name).y == 0
    view.delete_selected()
    assert name not in [x.name for x in view.label_layout.elements]
    view.undo_stack.undo()
    assert name in [x.name for x in view.label_layout.elements]


def test_preview_shows_ink_at_the_element_and_names_refusals(view: Any) -> None:
    view.new_layout()
    name = view.add_element("barcode")
    view.select([name])
    view.align("left")
    view.align("top")
    outcome = view.flush_preview()
    assert outcome.image is not None and not outcome.errors
    image = outcome.image
    e = view.label_layout.element(name)
    sx, sy = image.width() / view.label_layout.width, image.height() / view.label_layout.height

    def dark(x0: float, y0: float, x1: float, y1: float) -> int:
        n = 0
        for py in range(int(y0 * sy), int(y1 * sy), 2):
            for px in range(int(x0 * sx), int(x1 * sx), 2):
                if image.pixelColor(px, py).lightness() < 128:
                    n += 1
        return n

    assert dark(e.x, e.y, e.x + e.w, e.y + e.h) > 50
    # the far right of the label is empty (new layout: product text at the top only)
    assert (
        dark(
            view.label_layout.width - 10,
            view.label_layout.height - 8,
            view.label_layout.width - 1,
            view.label_layout.height - 1,
        )
        == 0
    )
    # a text that cannot fit at the minimum x-height is refused by the renderer, named,
    # and the rest of the label still renders
    view._on_element_edited("product", "h", 1.0)
    outcome = view.flush_preview()
    assert "product" in outcome.failed_elements
    assert outcome.image is not None
    assert any("product" in t and "x-height" in t for t in view.message_texts())
    assert view.scene.item("product").error


def test_save_layout_and_read_it_back(qtbot: Any, view: Any, demo: sessionmaker[Session]) -> None:
    from smallbatch_desktop.services.labels import get_layout, resolve_layout

    view.new_layout()
    view.add_element("text")
    code = view.add_element("barcode")
    view._on_element_edited(code, "symbology", "qr")
    assert view.save_as("Jar label")
    assert not view.has_unsaved_changes()
    with demo() as s:
        stored = get_layout(s, "Jar label")
    assert stored.layout.elements == view.label_layout.elements
    assert stored.stock_key == "Avery 5160"
    # attach to a recipe and make it that recipe's default
    idx = view.recipe_combo.findText("Habanero Hot Sauce")
    view.recipe_combo.setCurrentIndex(idx)
    view._recipe_chosen()
    view.default_check.setChecked(True)
    view._default_clicked(True)
    with demo() as s:
        rid = view.recipe_combo.currentData()
        assert resolve_layout(s, recipe_id=rid).name == "Jar label"
    # edit and save again: the same row is updated
    view.nudge(0.5, 0)  # nothing selected: no change
    view.select([code])
    view.nudge(0.5, 0)
    assert view.has_unsaved_changes()
    assert view.save()
    with demo() as s:
        assert (
            get_layout(s, "Jar label").layout.element(code).x == view.label_layout.element(code).x
        )


def test_unsaved_changes_prompt(view: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    view.new_layout()
    view.add_element("text")
    monkeypatch.setattr(view, "_ask_unsaved", lambda: QMessageBox.StandardButton.Cancel)
    assert not view.open_layout("Standard 100 x 50 roll")
    assert view.label_layout.name.startswith("New layout")
    monkeypatch.setattr(view, "_ask_unsaved", lambda: QMessageBox.StandardButton.Discard)
    assert view.open_layout("Standard 100 x 50 roll")
    assert view.stock.key == "roll:100x50"
    assert view.label_layout.width == 100


def test_stock_search_finds_5160_and_sizes(qtbot: Any, view: Any) -> None:
    picker = view.stock_picker
    search = child(view, QLineEdit, "stockSearch")
    search.setText("5160")
    found = picker.run_search()
    assert found and found[0].part == "5160"
    search.setText("63.5 x 38.1")
    found = picker.run_search()
    assert any(s.part.upper() == "L7160" for s in found)
    assert any(s.key.startswith("roll:") for s in found)
    # choosing a stock resizes the label; undo brings the old stock back
    l7160 = next(s for s in found if s.part.upper() == "L7160")
    view.set_stock(l7160)
    assert view.label_layout.width == pytest.approx(l7160.label_width)
    view.undo_stack.undo()
    assert view.stock.key == "Avery 5160"


def test_preview_with_a_batch(view: Any, demo: sessionmaker[Session]) -> None:
    from smallbatch_desktop.domain.models import Batch

    view.set_preview_batch(5)
    outcome = view.flush_preview()
    assert outcome is not None and not outcome.errors
    with demo() as s:
        batch = s.get(Batch, 5)
        assert batch is not None
        assert view._data.lot == batch.lot_code


# switching the main window to any second view makes the offscreen platform plugin warn
# (it cannot propagate the window's new size hints); the recipe view does the same
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_main_window_embeds_the_view(window: Any) -> None:
    widget = window.show_view("labelView")
    assert widget.objectName() == "labelView"
    assert type(widget).__name__ == "LabelView"
    assert isinstance(widget.label_layout.elements[0], TextElement)


def test_gs1_use_combo_sets_the_minimum_module_and_the_preview_refuses(
    qtbot: Any, view: Any
) -> None:
    """The GS1 use shows for GS1 symbols only; 'distribution' asks 0.743 mm Data Matrix
    modules, more than the standard layout's 12.5 mm box holds: the preview names it."""
    from PySide6.QtWidgets import QComboBox

    view.select(["code"])
    combo = child(view, QComboBox, "prop_gs1_use")
    assert combo.isVisibleTo(view)
    assert combo.currentData() == "general"
    index = combo.findData("distribution")
    assert "0.495 mm" in combo.itemText(index)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert view.label_layout.element("code").gs1_use == "distribution"
    outcome = view.flush_preview()
    assert "code" in outcome.failed_elements
    assert any("code" in t and "0.743 mm" in t for t in view.message_texts())
    view._on_element_edited("code", "symbology", "qr")
    view.select(["code"])
    assert not combo.isVisibleTo(view)


def test_new_elements_land_in_free_space_and_overlaps_are_warned(qtbot: Any, view: Any) -> None:
    from smallbatch_desktop.domain.label_space import Rect, overlaps

    view.new_layout()  # one "product" text at the top of a 66.7 x 25.4 mm label
    added = [view.add_element(kind) for kind in ("barcode", "text", "text")]
    layout = view.label_layout
    assert overlaps(layout) == []  # each one placed clear of the others
    boxes = {e.name: Rect(e.x, e.y, e.w, e.h) for e in layout.elements}
    for name in added:
        box = boxes[name]
        assert box.x >= 0 and box.y >= 0
        assert box.right <= layout.width and box.bottom <= layout.height
        assert not any(box.intersects(b) for n, b in boxes.items() if n != name)
    view.flush_preview()
    texts = view.message_texts()
    assert not any("overlaps" in t or "lies over" in t for t in texts), texts
    # drag a text onto the barcode's quiet zone with the property panel: the status
    # line names it (instead of "Everything fits"), and clicking the message selects it
    code, text = added[0], added[1]
    bc = view.label_layout.element(code)
    view.select([text])
    x_box = child(view, QDoubleSpinBox, "prop_x")
    y_box = child(view, QDoubleSpinBox, "prop_y")
    x_box.setValue(round(bc.x + bc.w - 1.0, 2))  # into the right quiet zone only
    y_box.setValue(round(bc.y + 1.0, 2))
    view.flush_preview()
    texts = view.message_texts()
    warning = next(t for t in texts if "lies over barcode" in t)
    assert warning.startswith(f"⚠ {text}: lies over barcode {code} (its bars or quiet zone)")
    assert not any("Everything fits" in t for t in texts)
    item = next(
        view.messages.item(i)
        for i in range(view.messages.count())
        if view.messages.item(i).text() == warning
    )
    view.select([])
    view.messages.itemActivated.emit(item)
    assert view.scene.selected_names() == [text]
    # undo the move: the warning goes, everything fits again
    view.undo_stack.undo()
    view.undo_stack.undo()
    view.flush_preview()
    assert not any("lies over" in t for t in view.message_texts())


def test_a_layout_name_that_looks_like_html_shows_as_typed_in_its_tooltip(view: Any) -> None:
    from PySide6.QtGui import Qt as QtNs

    view.new_layout()
    assert view.save_as("<b>Jar</b> label")
    items = [view.layout_list.item(i) for i in range(view.layout_list.count())]
    (item,) = [it for it in items if "Jar" in it.text()]
    assert item.text().endswith("<b>Jar</b> label")  # a list item's text is plain already
    tip = item.toolTip()
    assert "&lt;b&gt;Jar&lt;/b&gt; label" in tip and "<b>Jar</b>" not in tip
    assert QtNs.mightBeRichText(tip)  # escaped inside a paragraph: shown literally
