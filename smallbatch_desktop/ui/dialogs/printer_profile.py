"""Which printer? Asked the first time labels go to a printer with no profile chosen.

Labels are rendered for the printer's resolution (barcodes snap to its dots), so there
is no silent default: the maker picks a preset (Zebra, Rollo, Brother QL, Dymo, an
office printer) or types the resolution, names the profile, and it becomes the default.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QLineEdit, QListWidget, QListWidgetItem, QSpinBox, QWidget
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.printers import PRINTER_PRESETS
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change


class ChoosePrinterDialog(FormDialog):
    """Create a printer profile from a preset.  ``result_value`` is the profile's name."""

    changes = Change.LABELS | Change.SETTINGS

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            "Which printer?",
            parent,
            ok_text="Use this printer",
            intro="Labels are drawn for your printer's resolution, so barcodes land on whole "
            "printer dots and scan. Choose your printer (thermal roll printers are often "
            "203 dpi, office printers 300 or 600 dpi); you can change it under Printer later.",
        )
        self.setObjectName("choosePrinterDialog")
        self.presets = QListWidget()
        self.presets.setObjectName("presetList")
        for p in PRINTER_PRESETS:
            item = QListWidgetItem(f"{p.name}: {p.dpi} dpi ({p.kind})")
            item.setToolTip(p.note or p.kind)
            self.presets.addItem(item)
        self.presets.currentRowChanged.connect(self._preset_chosen)
        self.add_field("&Printer", self.presets)
        self.name = QLineEdit()
        self.name.setObjectName("profileName")
        self.add_field("Profile &name", self.name, ("name",))
        self.dpi = QSpinBox()
        self.dpi.setObjectName("profileDpi")
        self.dpi.setRange(72, 4800)
        self.dpi.setSuffix(" dpi")
        self.add_field("&Resolution", self.dpi, ("dpi",))
        self.make_default = QCheckBox("Use it by default for every print")
        self.make_default.setObjectName("makeDefault")
        self.make_default.setChecked(True)
        self.body.insertWidget(self.body.indexOf(self.form) + 1, self.make_default)
        self.presets.setCurrentRow(0)
        fit_to_text(self, 80, 24)

    def _preset_chosen(self, row: int) -> None:
        if 0 <= row < len(PRINTER_PRESETS):
            p = PRINTER_PRESETS[row]
            self.name.setText(p.name)
            self.dpi.setValue(p.dpi)

    def save(self, session: Session) -> Any:
        from smallbatch_desktop.services.common import set_setting
        from smallbatch_desktop.services.labels import save_printer_profile

        name = self.name.text().strip()
        save_printer_profile(session, name, dpi=self.dpi.value(), actor=self._actor)
        if self.make_default.isChecked():
            set_setting(session, "default_printer_profile", name, actor=self._actor)
        return name
