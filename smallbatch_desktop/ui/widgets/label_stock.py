"""Choosing label stock: search the gLabels catalog and the maker's custom stock.

Type a part number ("5160", "L7160"), a brand ("avery"), words of the description or a
size ("63.5 x 38.1", "2.625 x 1 in"); a size also offers a plain roll label of that size
for thermal printers.  ``CustomStockDialog`` saves a maker's own sheet or roll through
``services.labels.save_custom_stock``.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.label_stock import ROLL, LabelStock, parse_size_query, search_stocks
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.text import esc, rich
from smallbatch_desktop.ui.widgets.fields import DecimalEdit
from smallbatch_desktop.ui.widgets.tips import plain_tip

STOCK_ROLE = Qt.ItemDataRole.UserRole + 1


def stock_text(stock: LabelStock) -> str:
    """One line a maker recognises: "Avery 5160: 66.68 x 25.4 mm, 30 per sheet (Address)"."""
    return stock.title


def search_all(session: Session, query: str, limit: int = 60) -> list[LabelStock]:
    """Custom stock first, then the catalog, then a roll label of a typed size."""
    from smallbatch_desktop.domain.label_stock import builtin_catalog
    from smallbatch_desktop.services.labels import list_custom_stocks, resolve_stock

    query = query.strip()
    if not query:
        return list_custom_stocks(session)[:limit]
    customs = list_custom_stocks(session)
    found = [s for s in customs if query.lower() in s.part.lower()]
    found += [s for s in search_stocks(customs, query, limit) if s not in found]
    found += builtin_catalog().search(query, limit)
    size, _rest = parse_size_query(query)
    if size is not None:
        with contextlib.suppress(UserError):
            found.append(resolve_stock(session, f"roll:{size[0]:g}x{size[1]:g}"))
    return found[:limit]


class StockPicker(QWidget):
    """Search box, results list and the current stock.

    Signals:
        stockChosen(object): the ``LabelStock`` the user picked (Enter or double-click
            in the list, or the Use button).
    """

    stockChosen = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._sf = ctx.session_factory
        self.setObjectName("stockPicker")
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self.current = rich(QLabel())
        self.current.setObjectName("stockCurrent")
        self.current.setWordWrap(True)
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.current)
        self.search = QLineEdit()
        self.search.setObjectName("stockSearch")
        self.search.setPlaceholderText("Find stock: 5160, L7160, avery, 63.5 x 38.1…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find label stock")
        v.addWidget(self.search)
        self.results = QListWidget()
        self.results.setObjectName("stockResults")
        self.results.setAccessibleName("Label stock found")
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        v.addWidget(self.results, 1)
        h = QHBoxLayout()
        self.use_button = QPushButton("&Use")
        self.use_button.setObjectName("useStockButton")
        self.use_button.clicked.connect(self._use_current)
        h.addWidget(self.use_button)
        self.custom_button = QPushButton("Custom stoc&k…")
        self.custom_button.setObjectName("customStockButton")
        self.custom_button.setToolTip("Describe a sheet or roll that is not in the catalog")
        self.custom_button.clicked.connect(self.new_custom_stock)
        h.addWidget(self.custom_button)
        v.addLayout(h)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._enter)
        self.results.itemActivated.connect(lambda _i: self._use_current())
        self.results.currentRowChanged.connect(lambda r: self.use_button.setEnabled(r >= 0))
        self.use_button.setEnabled(False)

    def set_current(self, stock: LabelStock) -> None:
        approx = (
            "<br><i>Not rectangular: designed on its bounding box; keep corners empty.</i>"
            if stock.approximated
            else ""
        )
        self.current.setText(
            f"<b>{esc(stock.key)}</b><br>{esc(stock.size_text)}, "
            f"{stock.per_page} per {stock.kind_text}{approx}"
        )

    def run_search(self) -> list[LabelStock]:
        """Search now (the box waits 200 ms after typing); returns what it lists."""
        self._timer.stop()
        try:
            with self._sf() as s:
                found = search_all(s, self.search.text())
        except UserError as exc:
            found = []
            self.results.clear()
            self.results.addItem(exc.message)
            return found
        self.results.clear()
        for stock in found:
            item = QListWidgetItem(stock_text(stock))
            item.setData(STOCK_ROLE, stock)
            item.setToolTip(plain_tip(stock.title))
            self.results.addItem(item)
        if not found and self.search.text().strip():
            item = QListWidgetItem("Nothing found: try the part number alone, or a size")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        return found

    def _enter(self) -> None:
        self.run_search()
        if self.results.count():
            self.results.setCurrentRow(0)
            self.results.setFocus()

    def _use_current(self) -> None:
        item = self.results.currentItem()
        stock = item.data(STOCK_ROLE) if item is not None else None
        if isinstance(stock, LabelStock):
            self.stockChosen.emit(stock)

    def new_custom_stock(self) -> None:
        dialog = CustomStockDialog(self._ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda d=dialog: self._custom_saved(d.result_value))
        dialog.open()

    def _custom_saved(self, key: Any) -> None:
        from smallbatch_desktop.services.labels import resolve_stock

        if not key:
            return
        with self._sf() as s:
            stock = resolve_stock(s, str(key))
        self.search.setText(stock.part)
        self.run_search()
        self.stockChosen.emit(stock)


class CustomStockDialog(FormDialog):
    """A maker's own sheet or roll: sizes in mm, checked by the service before saving."""

    changes = Change.LABELS

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(
            ctx,
            "Custom label stock",
            parent,
            intro="All sizes in millimetres, measured on the sheet or roll.",
        )
        self.setObjectName("customStockDialog")
        self.name = QLineEdit()
        self.name.setObjectName("customName")
        self.add_field("&Name", self.name, "name")
        self.kind = QComboBox()
        self.kind.setObjectName("customKind")
        self.kind.addItem("Sheet (laser / inkjet)", "sheet")
        self.kind.addItem("Roll (thermal printer)", ROLL)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.add_field("&Kind", self.kind, "kind")
        self.edits: dict[str, DecimalEdit] = {}
        rows = (
            ("label_width", "Label &width", "62"),
            ("label_height", "Label &height", "29"),
            ("corner_radius", "Corner &radius", "0"),
            ("page_width", "&Page width", "210"),
            ("page_height", "Page h&eight", "297"),
            ("margin_left", "&Left margin", "0"),
            ("margin_top", "&Top margin", "0"),
            ("gap_x", "Gap &across", "0"),
            ("gap_y", "Gap &down", "0"),
            ("gap", "Gap on the ro&ll", "3"),
        )
        self._rows: dict[str, QWidget] = {}
        for key, label, default in rows:
            edit = DecimalEdit(field=key)
            edit.setObjectName(f"custom_{key}")
            edit.setText(default)
            self.edits[key] = edit
            self.add_field(label, edit, key)
        self.columns = QSpinBox()
        self.columns.setObjectName("customColumns")
        self.columns.setRange(1, 40)
        self.columns.setValue(3)
        self.add_field("&Columns", self.columns, "columns")
        self.rows = QSpinBox()
        self.rows.setObjectName("customRows")
        self.rows.setRange(1, 80)
        self.rows.setValue(8)
        self.add_field("R&ows", self.rows, "rows")
        self._kind_changed()

    def _row_widget(self, w: QWidget) -> QWidget:
        parent = w.parentWidget()
        return parent if parent is not None else w

    def _kind_changed(self) -> None:
        roll = self.kind.currentData() == ROLL
        sheet_only = ("page_width", "page_height", "margin_left", "margin_top", "gap_x", "gap_y")
        for key in sheet_only:
            self.form.setRowVisible(self._row_widget(self.edits[key]), not roll)
        self.form.setRowVisible(self._row_widget(self.edits["gap"]), roll)
        self.form.setRowVisible(self._row_widget(self.columns), not roll)
        self.form.setRowVisible(self._row_widget(self.rows), not roll)

    def geometry_data(self) -> dict[str, Any]:
        roll = self.kind.currentData() == ROLL
        data: dict[str, Any] = {}
        for key, edit in self.edits.items():
            value: Decimal | None = edit.decimal()
            data[key] = str(value) if value is not None else ""
        if roll:
            for key in ("page_width", "page_height", "margin_left", "margin_top", "gap_x", "gap_y"):
                data.pop(key, None)
        else:
            data.pop("gap", None)
            data["columns"] = self.columns.value()
            data["rows"] = self.rows.value()
        return data

    def save(self, session: Session) -> str:
        from smallbatch_desktop.services.labels import save_custom_stock

        stock_id = save_custom_stock(
            session,
            self.name.text(),
            str(self.kind.currentData()),
            self.geometry_data(),
            actor=self._actor,
        )
        return f"custom:{stock_id}"
