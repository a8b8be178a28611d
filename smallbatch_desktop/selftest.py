"""``smallbatch --self-test``: prove that this installation can do a maker's real work.

A frozen bundle fails in ways a source checkout never does: a migration file left out, a
hidden import PyInstaller could not see, a Qt plugin or a font missing.  Those failures
surface only when the code path runs, so the self-test runs the paths that matter, end
to end, in a scratch folder:

1. find the shipped resources (fonts, label stock catalog, migrations);
2. create a database and migrate it to head (Alembic loads ``env.py`` and the versions
   from files, the part PyInstaller cannot discover by itself);
3. load the demo workshop through the services;
4. render one sheet of final labels for a released demo batch (``services.labels`` ->
   ``pdf.labels``) and its provenance sheet (``services.reports`` -> ``pdf.provenance``);
5. render the label page to pixels with QtPdf (the engine behind the app's previews,
   offscreen, on white) and decode the barcodes with zxing-cpp, comparing them exactly
   with what the layout says each label carries;
6. feed one decoded code to the scan box's parser, which must find the batch's lot.

One line per step with its time; on failure, one line naming the step (the traceback
goes to stderr for whoever has to fix it) and a non-zero exit.  The user's data folder
is never touched: ``SMALLBATCH_DATA_DIR`` points at the scratch folder while the test
runs, and everything is imported lazily so a broken module fails inside its step.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FAILED = 1

#: resolution the label page is rendered at for decoding: a common label printer's
DECODE_DPI = 300


@dataclass
class SelfTestContext:
    """What the steps hand on to each other (the scratch folder, the database, the PDFs)."""

    folder: Path
    engine: Any = None
    session_factory: Any = None
    batch_id: int | None = None
    lot: str = ""
    label_pdf: Path | None = None
    #: barcode contents the first page of the label sheet must decode to, exactly
    expected_codes: list[str] = field(default_factory=list)
    decoded: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One named check; ``run`` returns a short detail for the step's line."""

    name: str
    run: Callable[[SelfTestContext], str]


class SelfTestError(Exception):
    """A check that ran but found the wrong result (as opposed to crashing)."""


# --------------------------------------------------------------------------- steps


def step_resources(ctx: SelfTestContext) -> str:
    """The bundle must carry fonts, the stock catalog with its licence, and migrations."""
    from smallbatch_desktop.db.migrate import MIGRATIONS
    from smallbatch_desktop.paths import resources_dir

    res = resources_dir()
    fonts = sorted(res.joinpath("fonts").glob("*.ttf"))
    stock = sorted(res.joinpath("label-stock").glob("*.xml"))
    versions = sorted(MIGRATIONS.joinpath("versions").glob("*.py"))
    missing = [
        str(p)
        for p in (
            res / "label-stock" / "LICENSE",
            MIGRATIONS / "env.py",
            MIGRATIONS / "script.py.mako",
        )
        if not p.is_file()
    ]
    if not fonts:
        missing.append(str(res / "fonts" / "*.ttf"))
    if not stock:
        missing.append(str(res / "label-stock" / "*.xml"))
    if not versions:
        missing.append(str(MIGRATIONS / "versions" / "*.py"))
    if missing:
        raise SelfTestError("missing " + ", ".join(missing))
    return f"{len(fonts)} fonts, {len(stock)} stock files, {len(versions)} migrations in {res}"


def step_create_database(ctx: SelfTestContext) -> str:
    """A fresh SQLite file set up exactly as the app sets up a maker's database."""
    from smallbatch_desktop.db.engine import make_engine, make_session_factory

    path = ctx.folder / "selftest.sqlite"
    ctx.engine = make_engine(path)
    ctx.session_factory = make_session_factory(ctx.engine)
    with ctx.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    return f"{path.name}, journal {mode}"


def step_migrate(ctx: SelfTestContext) -> str:
    """Alembic reads env.py and every version from files: the part a bundle can lose."""
    from smallbatch_desktop.db.migrate import current_revision, head_revision, upgrade_to_head

    upgrade_to_head(ctx.engine)
    head = head_revision()
    current = current_revision(ctx.engine)
    if current != head:
        raise SelfTestError(f"database at revision {current}, expected head {head}")
    return f"at revision {head}"


def step_load_demo(ctx: SelfTestContext) -> str:
    """The demo goes through the same services as a maker's clicks, so it checks them."""
    from sqlalchemy import func, select

    from smallbatch_desktop.domain.models import Batch
    from smallbatch_desktop.services.demo import load_demo

    with ctx.session_factory.begin() as s:
        load_demo(s)
    with ctx.session_factory() as s:
        batches = s.scalar(select(func.count()).select_from(Batch)) or 0
    if not batches:
        raise SelfTestError("the demo workshop has no batches")
    return f"{batches} batches"


def _released_batch(session: Any) -> tuple[int, str]:
    """A released demo batch, preferring one whose product has a GTIN (GS1 barcodes)."""
    from sqlalchemy import select

    from smallbatch_desktop.domain.models import Batch, Recipe, RecipeVersion
    from smallbatch_desktop.domain.status import BatchStatus

    rows = session.execute(
        select(Batch.id, Batch.lot_code, Recipe.gtin)
        .join(RecipeVersion, Batch.recipe_version_id == RecipeVersion.id)
        .join(Recipe, RecipeVersion.recipe_id == Recipe.id)
        .where(Batch.status == BatchStatus.RELEASED.value)
        .order_by(Batch.id)
    ).all()
    if not rows:
        raise SelfTestError("the demo workshop has no released batch")
    with_gtin = [r for r in rows if r.gtin]
    chosen = (with_gtin or rows)[0]
    return int(chosen.id), str(chosen.lot_code)


def step_render_labels(ctx: SelfTestContext) -> str:
    """One full sheet of final labels, planned and rendered as the print dialog does."""
    from smallbatch_desktop.domain.label_layout import BarcodeElement
    from smallbatch_desktop.domain.label_stock import SHEET
    from smallbatch_desktop.pdf.labels import barcode_content, render_labels
    from smallbatch_desktop.services import labels as svc

    with ctx.session_factory() as s:
        ctx.batch_id, ctx.lot = _released_batch(s)
        probe = svc.plan_print(s, ctx.batch_id, copies=1)
        per_page = probe.job.stock.per_page if probe.job.stock.kind == SHEET else 1
        plan = svc.plan_print(s, ctx.batch_id, copies=per_page)
        s.rollback()  # a scratch run: consume no label numbers
    if not plan.final:
        raise SelfTestError(f"labels for released batch {ctx.lot} came out as drafts")
    result = render_labels(plan.job)
    if not result.pdf.startswith(b"%PDF-"):
        raise SelfTestError("the label renderer did not produce a PDF")
    ctx.label_pdf = ctx.folder / "labels.pdf"
    ctx.label_pdf.write_bytes(result.pdf)
    barcodes = [e for e in plan.job.layout.elements if isinstance(e, BarcodeElement)]
    if not barcodes:
        raise SelfTestError(f"layout {plan.layout_name!r} has no barcode to read back")
    on_first_page = plan.job.labels[: plan.job.stock.per_page - plan.job.skip]
    ctx.expected_codes = sorted(
        barcode_content(e, data)[1] for data in on_first_page for e in barcodes
    )
    return (
        f"{result.labels} labels for {ctx.lot} on {plan.stock_key}, "
        f"{result.pages} page(s), {len(result.pdf) // 1024} KiB"
    )


def step_render_provenance(ctx: SelfTestContext) -> str:
    """The batch record a maker hands an inspector: platypus, tables, embedded fonts."""
    from smallbatch_desktop.pdf.provenance import render_provenance_sheet
    from smallbatch_desktop.services.reports import batch_record

    if ctx.batch_id is None:
        raise SelfTestError("no batch chosen (the label step did not run)")
    with ctx.session_factory() as s:
        record = batch_record(s, ctx.batch_id)
    out = ctx.folder / "provenance.pdf"
    pdf = render_provenance_sheet(record, out)
    if not pdf.startswith(b"%PDF-") or out.stat().st_size != len(pdf):
        raise SelfTestError("the provenance renderer did not write a PDF")
    if importlib.util.find_spec("_rl_accel") is None:  # imported by exec: easy to miss
        raise SelfTestError("ReportLab's C accelerator (_rl_accel) is not installed")
    return f"{record.lot_code}, {len(record.inputs)} input lines, {len(pdf) // 1024} KiB"


def render_page(pdf: Path, page: int = 0, dpi: float = DECODE_DPI) -> Any:
    """A PDF page as an 8-bit grey ``QImage``, rendered by QtPdf on white.

    QtPdf is the engine of the app's previews, so this also proves the bundle's QtPdf
    works.  It renders without a ``QGuiApplication``; transparent areas are composed onto
    white first, as on paper (zxing-cpp would read transparent black as black).
    """
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    try:
        error = doc.load(str(pdf))
        if error != QPdfDocument.Error.None_:
            raise SelfTestError(f"QtPdf cannot open {pdf.name}: {error.name}")
        points = doc.pagePointSize(page)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        rendered = doc.render(page, size)
        if rendered.isNull():
            raise SelfTestError(f"QtPdf rendered an empty image of page {page + 1}")
    finally:
        doc.close()
    paper = QImage(size, QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return paper.convertToFormat(QImage.Format.Format_Grayscale8)


def step_decode_barcode(ctx: SelfTestContext) -> str:
    """Read the printed barcodes back as a scanner would; exact match or failure."""
    import zxingcpp

    if ctx.label_pdf is None or not ctx.expected_codes:
        raise SelfTestError("no label sheet to read (the label step did not run)")
    image = render_page(ctx.label_pdf)
    decoded = sorted(b.text for b in zxingcpp.read_barcodes(image))
    if decoded != ctx.expected_codes:
        missing = sorted(set(ctx.expected_codes) - set(decoded))
        extra = sorted(set(decoded) - set(ctx.expected_codes))
        raise SelfTestError(
            f"decoded {len(decoded)} of {len(ctx.expected_codes)} barcodes; "
            f"not read: {missing[:3]}, unexpected: {extra[:3]}"
        )
    ctx.decoded = decoded
    return f"{len(decoded)} barcodes read back exactly, e.g. {decoded[0]!r}"


def step_scan(ctx: SelfTestContext) -> str:
    """A decoded label scanned into the app's scan box must find the batch's lot.

    This is the path a USB scanner takes; for a GS1 code it runs ``biip`` with its
    bundled GS1 tables, data files a frozen build can easily leave behind.
    """
    from smallbatch_desktop.ui.widgets.scan_box import parse_scan

    if not ctx.decoded:
        raise SelfTestError("nothing decoded to scan (the decode step did not run)")
    scan = parse_scan(ctx.decoded[0])
    if scan.lot != ctx.lot:
        raise SelfTestError(f"scanning {ctx.decoded[0]!r} gave lot {scan.lot!r}, not {ctx.lot!r}")
    kind = f"GS1, GTIN {scan.gtin}" if scan.is_gs1 else "plain"
    return f"lot {scan.lot} ({kind})"


STEPS: tuple[Step, ...] = (
    Step("resources", step_resources),
    Step("create database", step_create_database),
    Step("migrate", step_migrate),
    Step("load demo", step_load_demo),
    Step("render labels", step_render_labels),
    Step("render provenance sheet", step_render_provenance),
    Step("decode barcode", step_decode_barcode),
    Step("scan", step_scan),
)


# --------------------------------------------------------------------------- runner


@contextmanager
def _scratch_data_dir(folder: Path) -> Iterator[None]:
    """Point the data folder and database at the scratch folder, whatever a step calls."""
    saved = {k: os.environ.get(k) for k in ("SMALLBATCH_DATA_DIR", "SMALLBATCH_DB")}
    os.environ["SMALLBATCH_DATA_DIR"] = str(folder)
    os.environ["SMALLBATCH_DB"] = str(folder / "selftest.sqlite")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _describe() -> str:
    from smallbatch_desktop import APP_NAME, __version__

    how = "frozen bundle" if getattr(sys, "frozen", False) else "from source"
    py = ".".join(str(v) for v in sys.version_info[:3])
    return f"{APP_NAME} {__version__} ({how}), Python {py}, {sys.platform}"


def run_self_test(
    steps: tuple[Step, ...] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run every step in a scratch folder; 0 when all pass, 1 at the first failure.

    Steps stop at the first failure: later steps depend on earlier ones, and their
    errors would only repeat the first one in a less useful form.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    chosen = STEPS if steps is None else steps
    print(f"self-test: {_describe()}", file=out, flush=True)
    started = time.perf_counter()
    width = max(len(s.name) for s in chosen)
    with (
        tempfile.TemporaryDirectory(prefix="smallbatch-selftest-") as tmp,
        _scratch_data_dir(Path(tmp)),
    ):
        ctx = SelfTestContext(folder=Path(tmp))
        try:
            for step in chosen:
                t0 = time.perf_counter()
                try:
                    detail = step.run(ctx)
                except Exception as exc:
                    ms = (time.perf_counter() - t0) * 1000
                    traceback.print_exc(file=err)
                    reason = str(exc) or type(exc).__name__
                    if not isinstance(exc, SelfTestError):
                        reason = f"{type(exc).__name__}: {reason}"
                    print(
                        f"self-test FAILED at step {step.name!r} after {ms:.0f} ms: {reason}",
                        file=out,
                        flush=True,
                    )
                    return EXIT_FAILED
                ms = (time.perf_counter() - t0) * 1000
                print(f"  ok  {step.name:<{width}}  {ms:7.0f} ms  {detail}", file=out, flush=True)
        finally:
            if ctx.engine is not None:
                ctx.engine.dispose()  # Windows cannot delete an open SQLite file
    total = time.perf_counter() - started
    print(f"self-test passed: {len(chosen)} steps in {total:.1f} s", file=out, flush=True)
    return EXIT_OK
