"""Settings: business details, lot code pattern with a live preview, units, data folder,
default label stock and printer profile, larger text.

Workshop settings live in the database (``services.common.set_setting``) so every
computer on a shared database agrees; the larger-text choice is per machine (QSettings).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain import lotcodes
from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.models import PrinterProfile
from smallbatch_desktop.services.common import (
    all_settings,
    optional_text,
    required_text,
    set_setting,
)
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.theme import LARGER_TEXT_KEY

COMMON_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK")
COMMON_STOCKS = ("Avery 5160", "Avery L7160", "Avery 22806", "Herma 4226", "Dymo 99012")


class SettingsDialog(FormDialog):
    """Business settings in the database, the text size in this machine's QSettings.
    Saving announces ``Change.SETTINGS`` (the window applies text size, units and
    currency at once)."""

    changes = Change.SETTINGS

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(ctx, "Settings", parent)
        self.setObjectName("settingsDialog")
        self._qs = ctx.settings
        self._today = today or dt.date.today()
        with self._sf() as s:
            values = all_settings(s)
            printers = list(s.scalars(select(PrinterProfile.name).order_by(PrinterProfile.name)))
        self.name = QLineEdit(str(values.get("business_name") or ""))
        self.name.setObjectName("businessName")
        self.add_field("Business &name", self.name, ("business name",))
        self.address = QPlainTextEdit(str(values.get("business_address") or ""))
        self.address.setObjectName("businessAddress")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        self.add_field("Business &address", self.address, ("business address",))

        self.pattern = QLineEdit(str(values.get("lot_code_pattern") or lotcodes.DEFAULT_PATTERN))
        self.pattern.setObjectName("lotCodePattern")
        self.pattern_err = self.add_field(
            "&Lot code pattern",
            self.pattern,
            ("lot code pattern",),
            tip="Tokens: {PRODUCT} {YYYY} {YY} {MM} {DD} {JJJ} {SEQ} {SEQ:3} {PSEQ:4}",
        )
        preview_row = QWidget()
        ph = QHBoxLayout(preview_row)
        ph.setContentsMargins(0, 0, 0, 0)
        self.preview = QLabel()
        self.preview.setObjectName("lotCodePreview")
        self.preview.setProperty("role", "lotCode")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_note = QLabel("for product code HS, the first batch made today")
        self.preview_note.setObjectName("lotCodePreviewNote")
        ph.addWidget(self.preview)
        ph.addWidget(self.preview_note, 1)
        self.add_field("Preview", preview_row)
        self.pattern.textChanged.connect(self._preview)

        self.units = QComboBox()
        self.units.setObjectName("unitSystem")
        self.units.addItem("Metric (g, kg, ml, l)", "metric")
        self.units.addItem("US customary (oz, lb, fl oz, gal)", "us")
        i = self.units.findData(values.get("unit_system") or "metric")
        self.units.setCurrentIndex(max(0, i))
        self.add_field("&Units shown", self.units, ("unit system",))
        self.currency = QComboBox()
        self.currency.setObjectName("currency")
        self.currency.setEditable(True)
        self.currency.addItems(list(COMMON_CURRENCIES))
        self.currency.setCurrentText(str(values.get("currency") or "USD"))
        edit = self.currency.lineEdit()
        if edit is not None:
            edit.setMaxLength(3)
        self.add_field(
            "&Currency",
            self.currency,
            ("currency",),
            tip="Costs and prices are shown in this currency (three-letter code)",
        )

        from smallbatch_desktop.paths import data_dir

        folder = QWidget()
        h = QHBoxLayout(folder)
        h.setContentsMargins(0, 0, 0, 0)
        path = str(data_dir())
        self.folder_label = QLineEdit(path)
        self.folder_label.setObjectName("dataFolder")
        self.folder_label.setReadOnly(True)
        open_btn = QPushButton("&Open")
        open_btn.setObjectName("openDataFolder")
        open_btn.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(path)))
        h.addWidget(self.folder_label, 1)
        h.addWidget(open_btn)
        self.add_field("Data folder", folder)

        self.stock = QComboBox()
        self.stock.setObjectName("defaultLabelStock")
        self.stock.setEditable(True)
        self.stock.addItems(list(COMMON_STOCKS))
        self.stock.setCurrentText(str(values.get("default_label_stock") or ""))
        self.add_field("Default label &stock", self.stock, ("default label stock",))
        self.printer = QComboBox()
        self.printer.setObjectName("defaultPrinterProfile")
        self.printer.setEditable(True)
        self.printer.addItems(printers)
        self.printer.setCurrentText(str(values.get("default_printer_profile") or ""))
        self.add_field("Default &printer profile", self.printer, ("default printer profile",))

        self._build_shared_database(self._qs)

        self.larger = QCheckBox("Larger text (easier to read on the workshop floor)")
        self.larger.setObjectName("largerText")
        self.larger.setChecked(bool(self._qs.value(LARGER_TEXT_KEY, False, type=bool)))
        self.add_field("", self.larger)
        self._preview()
        fit_to_text(self, 70)

    def _build_shared_database(self, settings: QSettings) -> None:
        """Settings > Shared database: this machine's choice (QSettings), used from the
        next start; "Test connection" tries it in the background."""
        from smallbatch_desktop.app import SHARED_DB_KEY

        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        self._shared_before = str(settings.value(SHARED_DB_KEY, "") or "")
        self.shared_db = QLineEdit(self._shared_before)
        self.shared_db.setObjectName("sharedDbUrl")
        self.shared_db.setPlaceholderText(
            "empty: this computer's own database; or postgresql+psycopg://user@server/smallbatch"
        )
        self.test_connection = QPushButton("&Test connection")
        self.test_connection.setObjectName("testConnection")
        self.test_connection.clicked.connect(self._test_connection)
        h.addWidget(self.shared_db, 1)
        h.addWidget(self.test_connection)
        row.setObjectName("sharedDb")
        error = self.add_field(
            "Shared &database",
            row,
            tip="Several workstations share one PostgreSQL database; each machine keeps its "
            "own choice here. Takes effect when Smallbatch starts again.",
        )
        self.errors.add(("shared database",), self.shared_db, error)
        from smallbatch_desktop.db.pgpass import password_file

        self.shared_password = QLineEdit()
        self.shared_password.setObjectName("sharedDbPassword")
        self.shared_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.shared_password.setPlaceholderText("unchanged")
        self.add_field(
            "Database pass&word",
            self.shared_password,
            tip=f"Kept in {password_file()}, the PostgreSQL password file, readable only by "
            "you; never in Smallbatch's settings.",
        )
        self.connection_status = QLabel()
        self.connection_status.setObjectName("connectionStatus")
        self.connection_status.setWordWrap(True)
        self.add_field("", self.connection_status)
        # no parent: the dialog may close (and Qt delete its children) while a probe
        # still runs on its worker thread
        self._probe = _ConnectionProbe()
        self._probe.done.connect(self._connection_tested)
        self.shared_database_changed = False

    def _url_with_password(self) -> str:
        """The URL typed, with the password typed apart (in memory only, to connect)."""
        url = self.shared_db.text().strip()
        password = self.shared_password.text()
        if not password or "://" not in url:
            return url
        try:
            from sqlalchemy.engine import make_url

            return make_url(url).set(password=password).render_as_string(hide_password=False)
        except Exception:  # not a URL: the probe says so
            return url

    def _test_connection(self) -> None:
        url = self._url_with_password()
        if not url:
            self.connection_status.setText("Empty: Smallbatch uses this computer's own database.")
            return
        self.test_connection.setEnabled(False)
        self.connection_status.setText("Connecting…")
        self._probe.start(url)

    def _connection_tested(self, ok: bool, text: str) -> None:
        self.test_connection.setEnabled(True)
        self.connection_status.setProperty("role", "" if ok else "formError")
        self.connection_status.setText(text)

    def _save_shared_database(self) -> None:
        from smallbatch_desktop.app import SHARED_DB_KEY
        from smallbatch_desktop.db.engine import database_url

        url = self.shared_db.text().strip()
        if url:
            if "://" not in url:
                raise ValidationError(
                    "shared database: give a URL such as "
                    "postgresql+psycopg://user@server/smallbatch",
                    field="shared database",
                )
            try:
                database_url(url)
            except ValidationError as exc:
                raise ValidationError(
                    exc.message.replace("--db", "shared database"), field="shared database"
                ) from None
        if url:
            from smallbatch_desktop.db.pgpass import keep_password

            # the password goes to the PostgreSQL password file, never to the settings
            url = keep_password(url, self.shared_password.text() or None)
            self.shared_db.setText(url)
            self.shared_password.clear()
        self.shared_database_changed = url != self._shared_before
        self._qs.setValue(SHARED_DB_KEY, url)

    def accept(self) -> None:
        super().accept()
        if self.result() == int(QDialog.DialogCode.Accepted) and self.shared_database_changed:
            from smallbatch_desktop.db.opening import describe

            url = self.shared_db.text().strip()
            where = describe(url) if url else "this computer's own database"
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "Shared database",
                f"Smallbatch will use {where} the next time it starts. Close it and start "
                "it again to switch.",
                parent=self.parentWidget(),
            )
            box.setObjectName("restartNotice")
            box.open()

    def preview_code(self) -> str:
        """The pattern rendered for a sample product today, or raise ValidationError."""
        parsed = lotcodes.parse_pattern(self.pattern.text())
        return lotcodes.generate(
            parsed.pattern, product="HS", day=self._today, first_seq=1, is_taken=lambda _c: False
        )

    def _preview(self) -> None:
        try:
            code = self.preview_code()
        except ValidationError as exc:
            self.preview.setText("—")
            self.errors.set_field("lot code pattern", exc.message)
            return
        self.errors.set_field("lot code pattern", "")
        self.preview.setText(code)

    def save(self, session: Session) -> Any:
        actor = self._actor
        set_setting(
            session,
            "business_name",
            required_text(self.name.text(), field="business name"),
            actor=actor,
        )
        set_setting(
            session,
            "business_address",
            optional_text(self.address.toPlainText(), field="business address", lines=True),
            actor=actor,
        )
        self.preview_code()  # raises with the field name when the pattern is wrong
        set_setting(session, "lot_code_pattern", self.pattern.text().strip(), actor=actor)
        set_setting(session, "unit_system", self.units.currentData(), actor=actor)
        set_setting(session, "currency", self.currency.currentText(), actor=actor)
        stock = optional_text(self.stock.currentText(), field="default label stock", max_len=120)
        set_setting(session, "default_label_stock", stock, actor=actor)
        printer = optional_text(
            self.printer.currentText(), field="default printer profile", max_len=120
        )
        set_setting(session, "default_printer_profile", printer, actor=actor)
        self._save_shared_database()
        self._qs.setValue(LARGER_TEXT_KEY, self.larger.isChecked())
        return True


class _ConnectionProbe(QObject):
    """Runs ``db.opening.probe`` on a worker thread (a server that does not answer takes
    seconds); the verdict comes back on the UI thread.

    Signals:
        done(bool, str): whether it connected, and a sentence for the maker.
    """

    done = Signal(bool, str)

    #: every probe started, kept for the life of the app (one tiny object per click on
    #: Test connection). The worker thread must never drop the last reference: a QObject
    #: freed on a thread that does not own it crashes the app (seen as a segfault in the
    #: test run when the dialog closed while a probe ran).
    _started: ClassVar[list[_ConnectionProbe]] = []

    def start(self, url: str) -> None:
        _ConnectionProbe._started.append(self)
        threading.Thread(target=self._run, args=(url,), daemon=True).start()

    def _run(self, url: str) -> None:
        from smallbatch_desktop.db.faults import explain
        from smallbatch_desktop.db.opening import probe
        from smallbatch_desktop.domain.errors import UserError

        try:
            ok, text = True, probe(url)
        except UserError as exc:
            ok, text = False, exc.message
        except Exception as exc:
            fault = explain(exc)
            ok, text = False, fault.message if fault is not None else f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
            self.done.emit(ok, text)
