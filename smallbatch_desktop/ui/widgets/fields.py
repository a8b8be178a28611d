"""Form helpers: an exact decimal entry, field error labels, and a form that shows a
service's ``UserError`` next to the field it names.

Quantities never pass through float: ``DecimalEdit`` is a ``QLineEdit`` with a
validator, and its value is parsed with ``domain.units.parse_decimal``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from PySide6.QtCore import QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from smallbatch_desktop.domain.errors import UserError, ValidationError
from smallbatch_desktop.domain.units import parse_decimal
from smallbatch_desktop.ui.text import sentence
from smallbatch_desktop.ui.theme import set_invalid

_NUMBER = QRegularExpression(r"^\s*-?\d{0,12}([.,]\d{0,6})?\s*$")
_POSITIVE = QRegularExpression(r"^\s*\d{0,12}([.,]\d{0,6})?\s*$")


class DecimalEdit(QLineEdit):
    """A line edit for an exact decimal (quantity, money).

    Signals:
        valueChanged(object): the parsed ``Decimal`` (or ``None`` when empty or
            incomplete) after every edit.
    """

    valueChanged = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        allow_negative: bool = False,
        required: bool = False,
        field: str = "quantity",
        placeholder: str = "",
    ) -> None:
        super().__init__(parent)
        self._field = field
        self._required = required
        self.setValidator(
            QRegularExpressionValidator(_NUMBER if allow_negative else _POSITIVE, self)
        )
        self.setPlaceholderText(placeholder)
        self.textChanged.connect(self._on_text)

    def _on_text(self, _text: str) -> None:
        value = self.decimal()
        set_invalid(self, self._required and value is None and bool(self.text().strip()))
        self.valueChanged.emit(value)

    def decimal(self) -> Decimal | None:
        """The value, or ``None`` when empty or not (yet) a number."""
        text = self.text().strip()
        if not text:
            return None
        try:
            return parse_decimal(text, field=self._field)
        except ValidationError:
            return None

    def set_decimal(self, value: Decimal | None) -> None:
        self.setText("" if value is None else f"{value.normalize():f}")


class FieldError(QLabel):
    """A small red label under a field; hidden while there is nothing to say."""

    def __init__(
        self, parent: QWidget | None = None, *, name: str = "", reserve: bool = False
    ) -> None:
        super().__init__(parent)
        self._reserved = reserve
        if reserve:
            # in a form the line is kept while hidden: a message appearing does not push
            # the fields below it down
            policy = self.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.setSizePolicy(policy)
            self._reserve()
        self.setProperty("role", "fieldError")
        self.setTextFormat(Qt.TextFormat.PlainText)  # messages quote what was typed
        self.setWordWrap(True)
        if name:
            self.setObjectName(name)
        self.hide()

    def _reserve(self) -> None:
        self.setMinimumHeight(self.fontMetrics().lineSpacing())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self._reserved:
            self._reserve()

    def show_message(self, message: str) -> None:
        self._role("fieldError")
        self.setText(sentence(message))
        self.setVisible(bool(message))

    def show_note(self, message: str) -> None:
        """What an action did, in the same place, in the text colour: not an error."""
        self._role("fieldNote")
        self.setText(sentence(message))
        self.setVisible(bool(message))

    def _role(self, role: str) -> None:
        if self.property("role") != role:
            self.setProperty("role", role)
            self.style().unpolish(self)
            self.style().polish(self)


class FormErrors:
    """Maps service field names to the widget and error label that show them.

    ``show(exc)`` puts a ``UserError`` next to the field its ``.field`` names (exact
    name, or the longest registered prefix, so "line 2 quantity" finds "line 2" or
    "line"); anything unmatched goes to the form-level label.  Nothing the user typed
    is touched.
    """

    def __init__(self, form_label: FieldError) -> None:
        self._form = form_label
        self._fields: dict[str, tuple[QWidget | None, FieldError]] = {}

    def add(self, names: str | Iterable[str], widget: QWidget | None, label: FieldError) -> None:
        for name in [names] if isinstance(names, str) else names:
            self._fields[name.lower()] = (widget, label)

    def clear(self) -> None:
        self._form.show_message("")
        for widget, label in self._fields.values():
            label.show_message("")
            set_invalid(widget, False)

    def set_field(self, name: str, message: str) -> None:
        """Live validation: show (or clear, with '') one field's own message."""
        widget, label = self._fields[name.lower()]
        label.show_message(message)
        set_invalid(widget, bool(message))

    def show(self, exc: UserError) -> QWidget | None:
        """Show the error; returns the widget at fault (focus it) or None."""
        target = self._match(exc.field)
        if target is None:
            self._form.show_message(exc.message)
            return None
        widget, label = target
        label.show_message(exc.message)
        set_invalid(widget, True)
        return widget

    def _match(self, field: str | None) -> tuple[QWidget | None, FieldError] | None:
        if not field:
            return None
        key = field.lower()
        if key in self._fields:
            return self._fields[key]
        best = ""
        for name in self._fields:
            if key.startswith(name) and len(name) > len(best):
                best = name
        return self._fields[best] if best else None


def run_user_action(errors: FormErrors, action: Callable[[], object]) -> bool:
    """Run ``action``; a ``UserError`` is shown on the form and ``False`` returned."""
    errors.clear()
    try:
        action()
    except UserError as exc:
        widget = errors.show(exc)
        if widget is not None:
            widget.setFocus()
        return False
    return True
