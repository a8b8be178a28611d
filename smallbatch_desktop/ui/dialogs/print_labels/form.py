"""The form: layout, stock, copies, numbering, printer profile, preview, buttons."""

# mypy: disable-error-code="attr-defined"
# (one part of PrintLabelsDialog: the methods it calls on the other parts are the dialog's)
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
)

from smallbatch_desktop.services.labels import MAX_COPIES
from smallbatch_desktop.ui.dialogs.print_labels.state import PrintState
from smallbatch_desktop.ui.text import plain, rich
from smallbatch_desktop.ui.widgets.label_preview import PdfPageView


class FormPart(PrintState):
    """The form: layout, stock, copies, numbering, printer profile, preview, buttons."""

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        # the minimum size is set once below: a top-level window whose layout keeps
        # changing it makes offscreen/Wayland platforms warn (propagateSizeHints)
        outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.header = rich(QLabel())
        self.header.setObjectName("batchHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.header)
        self.draft_banner = QLabel()
        self.draft_banner.setObjectName("draftBanner")
        self.draft_banner.setWordWrap(True)
        self.draft_banner.setStyleSheet(
            "QLabel { background: #fff3e0; color: #8d3b00; border: 1px solid #ffb74d;"
            " border-radius: 4px; padding: 6px; font-weight: bold; }"
        )
        self.draft_banner.hide()
        outer.addWidget(self.draft_banner)

        body = QHBoxLayout()
        outer.addLayout(body, 1)
        left = QVBoxLayout()
        body.addLayout(left, 0)

        what = QGroupBox("What to print")
        form = QFormLayout(what)
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("layoutCombo")
        form.addRow("&Layout", self.layout_combo)
        self.stock_edit = QLineEdit()
        self.stock_edit.setObjectName("stockEdit")
        self.stock_edit.setPlaceholderText("Avery 5160, L7160, roll:100x50…")
        self.stock_edit.setToolTip(
            "A catalog part number (5160, L7160), a custom stock's name or roll:WxH in mm"
        )
        form.addRow("&Stock", self.stock_edit)
        self.stock_info = plain(QLabel())
        self.stock_info.setObjectName("stockInfo")
        self.stock_info.setWordWrap(True)
        form.addRow("", self.stock_info)
        self.copies = QSpinBox()
        self.copies.setObjectName("copiesSpin")
        self.copies.setRange(1, MAX_COPIES)
        form.addRow("&Copies", self.copies)
        self.skip = QSpinBox()
        self.skip.setObjectName("skipSpin")
        self.skip.setRange(0, 0)
        self.skip.setToolTip("Label positions already used on the first sheet (reading order)")
        form.addRow("S&kip used positions", self.skip)
        left.addWidget(what)

        numbers = QGroupBox("Numbering (n of N)")
        nform = QVBoxLayout(numbers)
        self.continue_radio = QRadioButton("Continue after the last printed number")
        self.continue_radio.setObjectName("continueRadio")
        self.continue_radio.setChecked(True)
        nform.addWidget(self.continue_radio)
        srow = QHBoxLayout()
        self.start_radio = QRadioButton("&Reprint from number")
        self.start_radio.setObjectName("startRadio")
        self.start_radio.setToolTip("Repeats numbers already printed: only for a reprint")
        srow.addWidget(self.start_radio)
        self.start = QSpinBox()
        self.start.setObjectName("startSpin")
        self.start.setRange(1, 1_000_000)
        self.start.setEnabled(False)
        srow.addWidget(self.start)
        srow.addStretch(1)
        nform.addLayout(srow)
        group = QButtonGroup(self)
        group.addButton(self.continue_radio)
        group.addButton(self.start_radio)
        trow = QHBoxLayout()
        tl = QLabel("&Total N")
        self.total = QSpinBox()
        self.total.setObjectName("totalSpin")
        self.total.setRange(0, 1_000_000)
        self.total.setSpecialValueText("from the batch")
        self.total.setToolTip("N in 'n of N'; 'from the batch' uses its pieces or the last run's N")
        tl.setBuddy(self.total)
        trow.addWidget(tl)
        trow.addWidget(self.total)
        trow.addStretch(1)
        nform.addLayout(trow)
        left.addWidget(numbers)

        printer = QGroupBox("Printer")
        pform = QFormLayout(printer)
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profileCombo")
        pform.addRow("&Profile", self.profile_combo)
        self.dpi = QSpinBox()
        self.dpi.setObjectName("dpiSpin")
        self.dpi.setRange(72, 4800)
        self.dpi.setValue(300)
        self.dpi.setSuffix(" dpi")
        self.dpi.setToolTip("The printer's resolution: barcodes are snapped to its dots")
        pform.addRow("&Resolution", self.dpi)
        self.offset_x = QDoubleSpinBox()
        self.offset_x.setObjectName("offsetXSpin")
        self.offset_y = QDoubleSpinBox()
        self.offset_y.setObjectName("offsetYSpin")
        for spin, tip in (
            (self.offset_x, "Positive moves the print right"),
            (self.offset_y, "Positive moves the print down"),
        ):
            spin.setRange(-20, 20)
            spin.setDecimals(1)
            spin.setSingleStep(0.1)
            spin.setSuffix(" mm")
            spin.setToolTip(tip)
        orow = QHBoxLayout()
        orow.addWidget(QLabel("x"))
        orow.addWidget(self.offset_x)
        orow.addWidget(QLabel("y"))
        orow.addWidget(self.offset_y)
        pform.addRow("Offset", orow)
        prow = QHBoxLayout()
        self.save_profile_button = QPushButton("Sa&ve to profile")
        self.save_profile_button.setObjectName("saveProfileButton")
        self.save_profile_button.setToolTip("Store this resolution and offset in the profile")
        self.save_profile_button.clicked.connect(self.save_profile)
        prow.addWidget(self.save_profile_button)
        self.calibration_button = QPushButton("Calibration &page…")
        self.calibration_button.setObjectName("calibrationButton")
        self.calibration_button.setToolTip(
            "Print a sheet with scales on every label to measure the printer's offset"
        )
        self.calibration_button.clicked.connect(lambda: self.print_calibration())
        prow.addWidget(self.calibration_button)
        pform.addRow(prow)
        left.addWidget(printer)
        left.addStretch(1)

        right = QVBoxLayout()
        body.addLayout(right, 1)
        self.preview = PdfPageView()
        self.preview.setObjectName("printPreview")
        self.preview.setAccessibleName("Preview of the first page")
        self.preview.setMinimumSize(360, 420)
        right.addWidget(self.preview, 1)
        self.summary = rich(QLabel())
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)
        right.addWidget(self.summary)
        self.error = QLabel()
        self.error.setObjectName("printError")
        self.error.setProperty("role", "formError")
        self.error.setWordWrap(True)
        self.error.hide()
        right.addWidget(self.error)

        bottom = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("printProgress")
        self.progress.hide()
        bottom.addWidget(self.progress, 1)
        self.cancel_button = QPushButton("Cancel printing")
        self.cancel_button.setObjectName("cancelPrintButton")
        self.cancel_button.clicked.connect(self.cancel_job)
        self.cancel_button.hide()
        bottom.addWidget(self.cancel_button)
        self.status = plain(QLabel())
        self.status.setObjectName("printStatus")
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        self.save_button = QPushButton("Save P&DF…")
        self.save_button.setObjectName("savePdfButton")
        self.save_button.clicked.connect(lambda: self.save_pdf())
        bottom.addWidget(self.save_button)
        self.print_button = QPushButton("&Print…")
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(lambda: self.print_labels())
        bottom.addWidget(self.print_button)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.close_button)
        outer.addLayout(bottom)
        self.setMinimumSize(760, 560)
        self.resize(1000, 720)

        for w in (self.copies, self.skip, self.start, self.total, self.dpi):
            w.valueChanged.connect(self._changed)
        for d in (self.offset_x, self.offset_y):
            d.valueChanged.connect(self._changed)
        self.layout_combo.activated.connect(self._layout_chosen)
        self.stock_edit.textEdited.connect(self._changed)
        self.profile_combo.activated.connect(self._profile_chosen)
        self.start_radio.toggled.connect(self._numbering_toggled)
