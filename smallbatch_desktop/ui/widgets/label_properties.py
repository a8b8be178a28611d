"""The designer's property panel: the layout's settings and the selected element's.

The panel shows values and reports what the user typed; it never changes the layout.
The designer validates each edit (a template with an unknown field, a box that leaves
the label, a duplicate name...) and either turns it into an undo command or hands the
message back with ``show_error``, which marks the field and says what is wrong while
the user keeps typing.

Rows are shown for the fields the element's dataclass has, so a new element kind in
``domain.label_layout`` needs only a row here if it brings a new field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.gs1 import GS1_USES
from smallbatch_desktop.domain.label_layout import (
    ALIGNS,
    FONTS,
    MIN_X_HEIGHT_SMALL_PACK_MM,
    SYMBOLOGIES,
    VALIGNS,
    BarcodeElement,
    Element,
    ImageElement,
    Layout,
    LineElement,
)
from smallbatch_desktop.ui.theme import set_invalid

SYMBOLOGY_NAMES = {
    "code128": "Code 128",
    "qr": "QR code",
    "datamatrix": "Data Matrix",
    "gs1-128": "GS1-128",
    "gs1-datamatrix": "GS1 Data Matrix",
    "gs1-digital-link-qr": "GS1 Digital Link QR",
    "auto-linear": "Auto: GS1-128 with a GTIN, else Code 128",
    "auto-matrix": "Auto: GS1 Data Matrix with a GTIN, else Data Matrix",
}
KIND_NAMES = {
    "text": "Text",
    "ingredients": "Ingredients",
    "barcode": "Barcode",
    "image": "Image",
    "line": "Line",
    "box": "Box",
}
GS1_SYMBOLOGIES = ("gs1-128", "gs1-datamatrix", "auto-linear", "auto-matrix")
AIS = ("01", "10", "11", "15", "17", "21")

# field, label, editor kind, tooltip
_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("name", "&Name", "line", "Names the element in messages; unique in the layout"),
    ("x", "&X", "mm", "From the label's left edge, mm"),
    ("y", "&Y", "mm", "From the label's top edge, mm"),
    ("w", "&Width", "mm", "mm"),
    ("h", "&Height", "mm", "mm"),
    ("text", "&Text", "template", "Text with fields in braces, such as {product} or {lot}"),
    ("prefix", "&Prefix", "line", "Printed before the list, e.g. 'Ingredients: '"),
    ("size", "Font si&ze", "pt", "Largest size, pt; shrinks to fit down to the legal minimum"),
    ("font", "&Font", "font", ""),
    ("bold", "&Bold", "check", ""),
    ("align", "&Alignment", "align", ""),
    ("valign", "&Vertical", "valign", ""),
    ("wrap", "Wra&p lines", "check", "Unchecked: one line that shrinks to fit"),
    ("inci", "&INCI names", "check", "Cosmetics: list ingredients by their INCI names"),
    ("contains_line", "'&Contains:' line", "check", "Add a US-style 'Contains:' line"),
    ("symbology", "S&ymbology", "symbology", ""),
    ("data", "&Data", "template", "What the barcode holds, with fields: {lot} by default"),
    (
        "ais",
        "GS1 &AIs",
        "line",
        "Application identifiers in order: 01 GTIN, 11 made, "
        "15 best before, 17 expiry, 10 lot, 21 serial",
    ),
    ("domain", "Link do&main", "line", "GS1 Digital Link resolver host; empty: the workshop's"),
    (
        "gs1_use",
        "GS1 &use",
        "gs1_use",
        "Where the GS1 barcode is scanned: sets the smallest module GS1 allows "
        "(0.25 mm general, 0.495 mm in distribution)",
    ),
    ("hri", "Human-&readable", "check", "Print the data under a linear barcode"),
    ("hri_size", "Te&xt size", "pt", "pt"),
    ("path", "Ima&ge", "path", "A PNG or JPEG logo"),
    ("keep_aspect", "&Keep aspect", "check", ""),
    ("stroke", "Line wi&dth", "mm_small", "mm"),
    ("radius", "Corner &radius", "mm_small", "mm"),
    ("fill", "F&illed", "check", ""),
)


def parse_ais(text: str) -> tuple[str, ...]:
    """'01, 15 10' -> ('01', '15', '10'); raises ValueError naming a bad AI."""
    parts = tuple(p for p in text.replace(",", " ").replace("(", " ").replace(")", " ").split())
    for p in parts:
        if p not in AIS:
            raise ValueError(f"GS1 AIs: ({p}) is not supported; use {', '.join(AIS)}")
    if not parts:
        raise ValueError("GS1 AIs: give at least one, e.g. 01 15 10")
    return parts


# Setters that show an element's value in its editor.  They leave an editor that already
# shows the value alone, so refreshing the panel never moves the cursor being typed with.


def _show_text(edit: QLineEdit, value: Any) -> None:
    if edit.text() != str(value):
        edit.setText(str(value))


def _show_words(edit: QLineEdit, value: Sequence[str]) -> None:
    text = " ".join(value)
    if edit.text() != text:
        edit.setText(text)


def _show_number(spin: QDoubleSpinBox, value: Any) -> None:
    if abs(spin.value() - float(value)) > 1e-9:
        spin.setValue(float(value))


def _show_checked(check: QCheckBox, value: Any) -> None:
    check.setChecked(bool(value))


def _show_choice(combo: QComboBox, value: Any) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


class PropertyPanel(QWidget):
    """Edits the layout's name and minimum x-height and the selected element's fields.

    Signals:
        elementEdited(str, str, object): element name, field name, new value; only for
            edits the user made (never for values the panel was given).
        layoutEdited(str, object): "name" or "min_x_height", new value.
        embedImageRequested(str): embed the image file of the named element.
    """

    elementEdited = Signal(str, str, object)
    layoutEdited = Signal(str, object)
    embedImageRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("propertyPanel")
        self._loading = False
        self._element: Element | None = None
        self._fields: list[str] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)

        lay_box = QGroupBox("Layout")
        lay_box.setObjectName("layoutGroup")
        lay_form = QFormLayout(lay_box)
        self.layout_name = QLineEdit()
        self.layout_name.setObjectName("layoutName")
        self.layout_name.textEdited.connect(lambda t: self._layout_edit("name", t))
        lay_form.addRow("Na&me", self.layout_name)
        self.min_x = QDoubleSpinBox()
        self.min_x.setObjectName("layoutMinXHeight")
        self.min_x.setRange(MIN_X_HEIGHT_SMALL_PACK_MM, 5.0)
        self.min_x.setDecimals(2)
        self.min_x.setSingleStep(0.1)
        self.min_x.setSuffix(" mm")
        self.min_x.setToolTip(
            "Smallest x-height text may shrink to: 1.2 mm (EU), 0.9 mm on packs whose "
            "largest surface is under 80 cm²"
        )
        self.min_x.valueChanged.connect(lambda v: self._layout_edit("min_x_height", v))
        lay_form.addRow("Min. x-hei&ght", self.min_x)
        self.layout_size = QLabel()
        self.layout_size.setObjectName("layoutSize")
        self.layout_size.setWordWrap(True)
        lay_form.addRow("Label", self.layout_size)
        outer.addWidget(lay_box)

        self.group = QGroupBox("Element")
        self.group.setObjectName("elementGroup")
        g = QVBoxLayout(self.group)
        self.hint = QLabel("Select an element on the label, or add one from the toolbar.")
        self.hint.setObjectName("propHint")
        self.hint.setWordWrap(True)
        g.addWidget(self.hint)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        g.addLayout(self.form)
        self.error = QLabel()
        self.error.setObjectName("propError")
        self.error.setProperty("role", "fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        g.addWidget(self.error)
        outer.addWidget(self.group)
        outer.addStretch(1)

        self.editors: dict[str, QWidget] = {}
        self._rows: dict[str, QWidget] = {}
        self._getters: dict[str, Callable[[], Any]] = {}
        self._setters: dict[str, Callable[[Any], None]] = {}
        self._field_menu = QMenu(self)
        self._template_target: QLineEdit | None = None
        for name, label, kind, tip in _ROWS:
            self._add_row(name, label, kind, tip)
        self.show_selection(None, [])

    # -- building ------------------------------------------------------------------------

    def _add_row(self, name: str, label: str, kind: str, tip: str) -> None:
        row: QWidget
        editor: QWidget
        if kind in ("line", "template", "path"):
            edit = QLineEdit()
            edit.textEdited.connect(lambda t, n=name: self._edit(n, t))
            editor = edit
            self._getters[name] = edit.text
            self._setters[name] = partial(_show_words if name == "ais" else _show_text, edit)
            row = edit
            if kind == "template":
                row = self._with_button(edit, name)
            elif kind == "path":
                row = self._path_row(edit)
        elif kind in ("mm", "mm_small", "pt"):
            spin = QDoubleSpinBox()
            spin.setDecimals(2)
            if kind == "mm":
                spin.setRange(0, 1000)
                spin.setSingleStep(0.5)
                spin.setSuffix(" mm")
            elif kind == "mm_small":
                spin.setRange(0, 50)
                spin.setSingleStep(0.05)
                spin.setSuffix(" mm")
            else:
                spin.setRange(3, 96)
                spin.setSingleStep(0.5)
                spin.setSuffix(" pt")
            spin.setKeyboardTracking(True)
            spin.valueChanged.connect(lambda v, n=name: self._edit(n, round(v, 2)))
            editor = row = spin
            self._getters[name] = spin.value
            self._setters[name] = partial(_show_number, spin)
        elif kind == "check":
            check = QCheckBox()
            check.toggled.connect(lambda v, n=name: self._edit(n, bool(v)))
            editor = row = check
            self._getters[name] = check.isChecked
            self._setters[name] = partial(_show_checked, check)
        else:
            combo = QComboBox()
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
            choices: Sequence[str]
            names: dict[str, str]
            if kind == "font":
                choices, names = (
                    FONTS,
                    {"sans": "DejaVu Sans", "condensed": "DejaVu Sans Condensed"},
                )
            elif kind == "align":
                choices, names = ALIGNS, {"left": "Left", "center": "Centre", "right": "Right"}
                combo.setToolTip(
                    "Left is where a line starts: Hebrew and Arabic text starts at the right"
                )
            elif kind == "valign":
                choices, names = VALIGNS, {"top": "Top", "middle": "Middle", "bottom": "Bottom"}
            elif kind == "gs1_use":
                choices = tuple(GS1_USES)
                names = {
                    k: f"{u.title.capitalize()}: {u.linear_min_mm:.3g} mm"
                    for k, u in GS1_USES.items()
                }
            else:
                choices, names = SYMBOLOGIES, SYMBOLOGY_NAMES
            for c in choices:
                combo.addItem(names.get(c, c), c)
            combo.activated.connect(lambda _i, n=name, c=combo: self._edit(n, c.currentData()))
            editor = row = combo
            self._getters[name] = combo.currentData
            self._setters[name] = partial(_show_choice, combo)
        editor.setObjectName(f"prop_{name}")
        if tip:
            editor.setToolTip(tip)
        self.editors[name] = editor
        self._rows[name] = row
        self.form.addRow(label, row)

    def _with_button(self, edit: QLineEdit, name: str) -> QWidget:
        box = QWidget()
        h = QHBoxLayout(box)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(edit, 1)
        button = QToolButton()
        button.setObjectName(f"insertField_{name}")
        button.setText("{…}")
        button.setToolTip("Insert a field")
        button.setAccessibleName("Insert a field")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(self._field_menu)
        button.pressed.connect(lambda e=edit: self._set_template_target(e))
        h.addWidget(button)
        return box

    def _set_template_target(self, edit: QLineEdit) -> None:
        self._template_target = edit

    def _path_row(self, edit: QLineEdit) -> QWidget:
        box = QWidget()
        h = QHBoxLayout(box)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(edit, 1)
        browse = QPushButton("&Browse…")
        browse.setObjectName("prop_browse")
        browse.clicked.connect(self._browse)
        h.addWidget(browse)
        embed = QPushButton("E&mbed")
        embed.setObjectName("prop_embed")
        embed.setToolTip("Store the image inside the layout, so it prints on any computer")
        embed.clicked.connect(self._embed)
        h.addWidget(embed)
        return box

    def set_fields(self, fields: Sequence[str]) -> None:
        """The fields offered by the insert-field menus: "product", "best_before:%d %b %Y"..."""
        self._field_menu.clear()
        for f in fields:
            action = self._field_menu.addAction("{" + f + "}")
            action.triggered.connect(lambda _c=False, f=f: self._insert_field(f))

    def _insert_field(self, name: str) -> None:
        edit = self._template_target
        if edit is None or not edit.isVisible():
            edit = next(
                (
                    e
                    for n in ("text", "data")
                    if isinstance(e := self.editors[n], QLineEdit) and e.isVisible()
                ),
                None,
            )
        if edit is None:
            return
        edit.insert("{" + name + "}")
        edit.setFocus()
        field = next(n for n, w in self.editors.items() if w is edit)
        self._edit(field, edit.text())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose an image", "", "Images (*.png *.jpg *.jpeg)"
        )
        if path:
            edit = self.editors["path"]
            assert isinstance(edit, QLineEdit)
            edit.setText(path)
            self._edit("path", path)

    def _embed(self) -> None:
        if self._element is not None:
            self.embedImageRequested.emit(self._element.name)

    # -- showing -----------------------------------------------------------------------

    def show_layout(self, layout: Layout, stock_text: str) -> None:
        self._loading = True
        try:
            if self.layout_name.text() != layout.name:
                self.layout_name.setText(layout.name)
            if abs(self.min_x.value() - layout.min_x_height) > 1e-9:
                self.min_x.setValue(layout.min_x_height)
            self.layout_size.setText(stock_text)
        finally:
            self._loading = False

    def show_selection(self, element: Element | None, selected: Sequence[Element]) -> None:
        """Show ``element`` (the single selected one) or a hint for none / several."""
        self._loading = True
        try:
            changed_element = (
                self._element is None or element is None or (self._element.name != element.name)
            )
            self._element = element
            if changed_element:
                self.clear_error()
            if element is None:
                self.group.setTitle("Element")
                self.hint.setText(
                    f"{len(selected)} elements selected: move them with the arrow keys, "
                    "align or delete them."
                    if selected
                    else "Select an element on the label, or add one from the toolbar."
                )
                self.hint.show()
                for name in self.editors:
                    self.form.setRowVisible(self._rows[name], False)
                return
            self.hint.hide()
            self.group.setTitle(f"{KIND_NAMES.get(element.kind, element.kind)}: {element.name}")
            fields = {f.name for f in dataclasses.fields(element)}
            for name in self.editors:
                visible = name in fields
                if visible and isinstance(element, BarcodeElement):
                    gs1 = element.symbology in GS1_SYMBOLOGIES
                    link = element.symbology == "gs1-digital-link-qr"
                    if name == "data":
                        visible = not gs1 and not link
                    elif name == "ais":
                        visible = gs1 or link
                    elif name == "domain":
                        visible = link
                    elif name == "gs1_use":
                        visible = gs1
                if visible:
                    self._setters[name](getattr(element, name))
                self.form.setRowVisible(self._rows[name], visible)
            for name in ("w", "h"):
                spin = self.editors[name]
                assert isinstance(spin, QDoubleSpinBox)
                spin.setMinimum(-1000 if isinstance(element, LineElement) else 0.1)
            embed = self.findChild(QPushButton, "prop_embed")
            if embed is not None and isinstance(element, ImageElement):
                embed.setEnabled(bool(element.path))
                embed.setText("Embedded ✓" if element.image else "E&mbed")
        finally:
            self._loading = False

    def show_error(self, field: str | None, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        for name, w in self.editors.items():
            set_invalid(w, name == field)

    def clear_error(self) -> None:
        if self.error.isVisible() or self.error.text():
            self.error.clear()
            self.error.hide()
            for w in self.editors.values():
                set_invalid(w, False)

    def value(self, field: str) -> Any:
        return self._getters[field]()

    # -- editing -----------------------------------------------------------------------

    def _edit(self, field: str, value: object) -> None:
        if self._loading or self._element is None:
            return
        self.elementEdited.emit(self._element.name, field, value)

    def _layout_edit(self, field: str, value: object) -> None:
        if not self._loading:
            self.layoutEdited.emit(field, value)

    def focus_field(self, field: str) -> None:
        w = self.editors.get(field)
        if w is not None:
            w.setFocus(Qt.FocusReason.OtherFocusReason)
