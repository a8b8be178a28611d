"""Render every view of the app on the demo database to PNG files, offscreen.

    python scripts/screenshots.py --out docs/screenshots
    python -m scripts.screenshots --out /tmp/shots --db my.sqlite --larger-text

Without ``--db`` a scratch database is filled with the demo workshop.  The PNGs are
documentation: 1280x800 by default and compressed, each well under 200 KB.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")


def _offscreen_screen(width: int, height: int) -> None:
    """The offscreen platform's screen is 800x600 unless told otherwise; dialogs that size
    themselves to the screen need the size we are documenting."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return
    import json

    cfg = Path(tempfile.gettempdir()) / f"smallbatch-offscreen-{width}x{height}.json"
    cfg.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "shots",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={cfg}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for the PNG files")
    parser.add_argument("--db", help="database to show (default: a scratch demo database)")
    parser.add_argument("--size", default="1280x800", help="window size WxH")
    parser.add_argument("--larger-text", action="store_true", help="use the larger text size")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    _offscreen_screen(width, height)

    scratch = tempfile.TemporaryDirectory()
    os.environ.setdefault("SMALLBATCH_DATA_DIR", scratch.name)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from smallbatch_desktop.app import make_application
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.ui.testing import make_window
    from smallbatch_desktop.ui.theme import apply_font

    app = make_application([sys.argv[0]])
    apply_font(app, larger=args.larger_text)
    db = args.db or str(Path(scratch.name) / "demo.sqlite")
    engine, sf = open_database(db)
    if not args.db:
        from smallbatch_desktop.services.demo import load_demo

        with sf.begin() as s:
            load_demo(s)

    settings = QSettings(str(Path(scratch.name) / "shots.ini"), QSettings.Format.IniFormat)
    # the status bar shows the database as a maker's would be named
    window = make_window(sf, settings, db_label="smallbatch.sqlite")
    window.resize(width, height)
    window.show()
    written: list[Path] = []

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def wait(seconds: float) -> None:
        """Let background jobs (PDF rendering) finish and their results paint."""
        import time

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def shoot(widget: QWidget, name: str) -> None:
        settle()
        path = args.out / f"{name}.png"
        image = widget.grab().toImage()
        image.save(str(path), "PNG", 0)  # 0 = smallest file
        _shrink(path)
        written.append(path)

    # Batches: select a batch in QC hold so the detail shows QC entry
    batches = window.show_view("batchView")
    batches.refresh()
    model = batches.model
    pick = next(
        (r for r in range(model.rowCount()) if model.row_at(r).status == "qc_hold"),
        0 if model.rowCount() else -1,
    )
    if pick >= 0:
        batches.table.selectRow(pick)
        batches.detail.tabs.setCurrentIndex(1)
    shoot(window, "batches")

    # Finish production: the actual yield and any waste of the batch in production
    running = next(
        (r for r in range(model.rowCount()) if model.row_at(r).status == "in_production"), -1
    )
    if running >= 0:
        from PySide6.QtWidgets import QDialog

        batches.select_batch(model.row_at(running).id)
        batches.detail.status_buttons["to_qc"].click()
        settle()
        for finish in batches.detail.findChildren(QDialog, "finishProductionDialog"):
            if finish.isVisible():
                shoot(finish, "finish-production")
                finish.reject()

    # Customers: the one with the most shipments, its contact details and what it received
    customers = window.show_view("customerView")
    rows = [customers.model.row_at(r) for r in range(customers.model.rowCount())]
    if rows:
        customers.open_customer(max(rows, key=lambda r: r.shipments).id)
    shoot(window, "customers")

    recipes = window.show_view("recipeView")
    if recipes.model.rowCount():
        # the recipe with the most versions shows history best
        best = max(recipes.model.rows(), key=lambda r: r.latest_version)
        recipes.open_recipe(best.id)
    shoot(window, "recipes")
    compare = recipes.compare()
    if compare is not None:
        shoot(compare, "recipe-compare")
        compare.close()
    scale = recipes.scale()
    if scale is not None:
        scale.target.setText("250")
        shoot(scale, "recipe-scale")
        scale.close()

    inventory = window.show_view("inventoryView")
    inventory.refresh()
    shoot(window, "inventory")

    # Orders: the personalised order selected; the make list and the purchase list
    orders = window.show_view("orderView")
    for r in range(orders.model.rowCount()):
        if orders.model.row_at(r).personalised:
            orders.select_order(orders.model.row_at(r).id)
            break
    shoot(window, "orders")
    new_order = orders.new_order()
    shoot(new_order, "new-order")
    new_order.close()
    make_list = orders.open_make_list()
    wait(1.0)
    shoot(make_list, "make-list")
    make_list.close()
    purchase = orders.open_purchase_list()
    wait(1.0)
    shoot(purchase, "purchase-list")
    purchase.close()

    trace = window.show_view("traceView")
    code = _interesting_lot(sf)
    if code:
        trace.trace(code)
    shoot(window, "trace")

    # Labels: the designer previews a released batch's real label (what prints)
    labels = window.show_view("labelView")
    released = _released_batch(sf, with_gtin=True)
    if released is not None:
        labels.set_preview_batch(released)
    labels.flush_preview()
    wait(3.0)  # the first render imports ReportLab and registers the fonts
    shoot(window, "labels")

    window.show_view("batchView")
    dialog = window.new_batch()
    shoot(dialog, "new-batch")
    dialog.close()
    planned = next((r for r in range(model.rowCount()) if model.row_at(r).status == "planned"), -1)
    if planned >= 0:
        batches.select_batch(model.row_at(planned).id)
        picks = batches.detail.record_inputs_dialog()
        shoot(picks, "pick-lots")
        picks.close()
    # printing and reports from a released batch: labels, batch record, recall
    if released is not None:
        batches.select_batch(released)
        printing = window.print_labels()
        wait(2.0)
        shoot(printing, "print-labels")
        printing.close()
        sheet = window.provenance()
        wait(2.0)
        shoot(sheet, "provenance")
        sheet.close()
    if code:
        recall = window.recall(code)
        recall.run_report()
        wait(3.0)
        shoot(recall, "recall")
        recall.close()
    receive = window.receive_lot()
    shoot(receive, "receive-lot")
    receive.close()
    material = window.new_material()
    shoot(material, "material")
    material.close()
    # File > Import… on a Shopify orders export: products matched, customers to make
    sample = Path(__file__).resolve().parent.parent / "tests/data/orders/shopify_orders_export.csv"
    importer = window.import_data(str(sample))
    wait(1.0)
    shoot(importer, "import")
    importer.close()
    settings_dialog = window.open_settings()
    shoot(settings_dialog, "settings")
    settings_dialog.close()

    from smallbatch_desktop.ui.dialogs.welcome import WelcomeDialog

    welcome = WelcomeDialog(window.ctx)
    welcome.show()
    shoot(welcome, "welcome")
    welcome.close()

    window.close()
    engine.dispose()
    for p in written:
        print(f"{p}  {p.stat().st_size // 1024} KB")
    QApplication.processEvents()
    return 0


def _shrink(path: Path, limit: int = 150_000) -> None:
    """UI screenshots hold few colours: a 256-colour palette keeps them sharp and small."""
    if path.stat().st_size <= limit:
        return
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def _released_batch(sf: object, *, with_gtin: bool) -> int | None:
    """The newest released batch (of a recipe with a GTIN when asked), if any."""
    from sqlalchemy import text

    gtin = " AND r.gtin <> ''" if with_gtin else ""
    with sf() as s:  # type: ignore[operator]
        row = s.execute(
            text(
                "SELECT b.id FROM batches b JOIN recipe_versions v ON v.id = b.recipe_version_id "
                "JOIN recipes r ON r.id = v.recipe_id "
                f"WHERE b.status = 'released'{gtin} ORDER BY b.made_date DESC, b.id DESC LIMIT 1"
            )
        ).first()
    return None if row is None else int(row[0])


def _interesting_lot(sf: object) -> str:
    """A material lot used by an intermediate that went into shipped batches, if any."""
    from sqlalchemy import text

    with sf() as s:  # type: ignore[operator]
        row = s.execute(
            text(
                "SELECT l.lot_code, COUNT(*) n FROM consumptions c "
                "JOIN material_lots l ON l.id = c.material_lot_id "
                "JOIN batches b ON b.id = c.batch_id "
                "WHERE EXISTS (SELECT 1 FROM consumptions c2 WHERE c2.input_batch_id = b.id) "
                "GROUP BY l.id ORDER BY n DESC LIMIT 1"
            )
        ).first()
        if row is None:
            row = s.execute(text("SELECT lot_code FROM batches ORDER BY id LIMIT 1")).first()
    return str(row[0]) if row else ""


if __name__ == "__main__":
    raise SystemExit(main())
