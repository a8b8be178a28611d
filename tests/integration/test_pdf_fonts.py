"""Every kind of PDF the app writes embeds (a subset of) every font it names.

A preflight tool or a PDF/A checker flags a font that is named but not embedded even
when no glyph of it is drawn: ReportLab's defaults used to name Helvetica in an empty text
object at the top of each page and in every table cell.  The fonts are read back with
pikepdf (qpdf), independently of ReportLab, from each output of the command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.pdfread import fonts_of
from sqlalchemy import select
from unit.pdf.test_label_render import label_data

from smallbatch_desktop.cli import main
from smallbatch_desktop.db.engine import open_database
from smallbatch_desktop.domain.label_data import LabelJob
from smallbatch_desktop.domain.label_layout import default_roll_layout
from smallbatch_desktop.domain.label_stock import single_label_stock
from smallbatch_desktop.domain.models import Batch, Recipe, RecipeVersion
from smallbatch_desktop.pdf.labels import render_labels, render_preview

STANDARD_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("fonts")
    db = str(tmp / "demo.sqlite")
    assert main(["demo", "--db", db]) == 0
    # demo lot codes follow the day the demo is loaded: look them up
    engine, sf = open_database(db)
    with sf() as s:

        def code(status: str, *, intermediate: bool = False) -> str:
            return s.scalars(
                select(Batch.lot_code)
                .join(Batch.recipe_version)
                .join(RecipeVersion.recipe)
                .where(Batch.status == status, Recipe.intermediate.is_(intermediate))
                .order_by(Batch.id)
            ).first()

        released, planned, hold = code("released"), code("planned"), code("qc_hold")
        mash = code("released", intermediate=True)
    engine.dispose()
    runs = {
        "labels": ["labels", "--batch", released],
        "draft labels": ["labels", "--batch", planned],
        "roll labels": ["labels", "--batch", hold, "--stock", "roll:100x50"],
        "calibration": ["labels", "--calibration", "--stock", "L7160"],
        "batch record": ["sheet", "--batch", released],
        "batch record PDF/A": ["sheet", "--batch", released, "--pdfa"],
        "customer card": ["sheet", "--batch", released, "--card"],
        "recall report": ["recall", mash],
    }
    out: dict[str, bytes] = {}
    for kind, args in runs.items():
        path = tmp / f"{kind.replace('/', '-')}.pdf"
        assert main([*args, "--db", db, "--out", str(path)]) == 0, kind
        out[kind] = path.read_bytes()
    job = LabelJob(single_label_stock(100, 50), default_roll_layout(), (label_data(1),))
    out["GS1-128 roll label"] = render_labels(job).pdf
    out["designer preview"] = render_preview(job.layout, job.stock, job.labels[0]).pdf
    return out


KINDS = (
    "labels",
    "draft labels",
    "roll labels",
    "calibration",
    "batch record",
    "batch record PDF/A",
    "customer card",
    "recall report",
    "GS1-128 roll label",
    "designer preview",
)


@pytest.mark.parametrize("kind", KINDS)
def test_every_font_is_embedded_and_subset(outputs: dict[str, bytes], kind: str) -> None:
    fonts = fonts_of(outputs[kind])
    assert fonts, f"{kind}: no fonts found at all (the reader is broken?)"
    bad = sorted({(f.name, f.subtype) for f in fonts if not f.ok})
    assert bad == [], f"{kind}: fonts not embedded or not subset: {bad}"
    names = {f.name.split("+", 1)[-1] for f in fonts}
    assert not any(n.startswith(STANDARD_14) for n in names), names
    assert all(n.startswith("DejaVuSans") or n.startswith("Noto") for n in names), names


def test_the_reader_sees_an_unembedded_font() -> None:
    """The check above can fail: a plain ReportLab canvas with Helvetica is caught."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, initialFontName="Helvetica")
    c.setFont("Helvetica", 10)
    c.drawString(10, 10, "x")
    c.save()
    (font,) = set(fonts_of(buf.getvalue()))
    assert font.name == "Helvetica" and not font.embedded and not font.ok


def test_cli_labels_say_when_no_printer_profile_chose_the_resolution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No silent 300 dpi: without a profile the CLI warns; with a 203 dpi thermal profile
    the GS1-128 modules are 2 dots (0.250 mm) and nothing is said."""
    import io

    import pdfplumber

    from smallbatch_desktop.services.labels import save_printer_profile

    db = str(tmp_path / "demo.sqlite")
    assert main(["demo", "--db", db]) == 0
    engine, sf = open_database(db)
    with sf.begin() as s:
        save_printer_profile(s, "Rollo", dpi=203)
        lot = s.scalars(
            select(Batch.lot_code).where(Batch.status == "qc_hold").order_by(Batch.id)
        ).first()
    engine.dispose()
    capsys.readouterr()
    out = tmp_path / "a.pdf"
    base = ["labels", "--db", db, "--batch", lot, "--stock", "roll:100x50", "--out", str(out)]
    assert main(base) == 0
    assert "no printer profile: rendered for 300 dpi" in capsys.readouterr().err
    assert main([*base, "--profile", "Rollo"]) == 0
    assert "no printer profile" not in capsys.readouterr().err
    with pdfplumber.open(io.BytesIO(out.read_bytes())) as doc:
        bars = [r["width"] * 25.4 / 72 for r in doc.pages[0].rects if r["height"] > 20]
    assert min(bars) == pytest.approx(0.2502, abs=1e-3)
    assert main(["labels", "--db", db, "--calibration", "--out", str(out)]) == 0
    assert "no printer profile" in capsys.readouterr().err


def test_cli_pdfa_is_for_the_batch_record(
    outputs: dict[str, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    import pikepdf

    pdf = pikepdf.open(io.BytesIO(outputs["batch record PDF/A"]))
    with pdf, pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        assert xmp.pdfa_status == "2B"
    db = str(tmp_path / "x.sqlite")
    code = main(
        ["sheet", "--db", db, "--batch", "X", "--card", "--pdfa", "--out", str(tmp_path / "c.pdf")]
    )
    assert code == 2
    assert "--pdfa" in capsys.readouterr().err
