"""Every kind of PDF the app writes embeds (a subset of) every font it names.

A preflight tool or a PDF/A checker flags a font that is named but not embedded even
when no glyph of it is drawn: ReportLab's defaults used to name Helvetica in an empty text
object at the top of each page and in every table cell.  The fonts are read back with
pikepdf (qpdf), independently of ReportLab, from each output of the command line.
"""

from __future__ import annotations

import pytest
from helpers.pdfread import fonts_of
from unit.pdf.test_label_render import label_data

from smallbatch_desktop.cli import main
from smallbatch_desktop.domain.label_data import LabelJob
from smallbatch_desktop.domain.label_layout import default_roll_layout
from smallbatch_desktop.domain.label_stock import single_label_stock
from smallbatch_desktop.pdf.labels import render_labels, render_preview

STANDARD_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("fonts")
    db = str(tmp / "demo.sqlite")
    assert main(["demo", "--db", db]) == 0
    runs = {
        "labels": ["labels", "--batch", "HHS-26282-01"],
        "draft labels": ["labels", "--batch", "HB-26336-01"],
        "roll labels": ["labels", "--batch", "HHS-26334-01", "--stock", "roll:100x50"],
        "calibration": ["labels", "--calibration", "--stock", "L7160"],
        "batch record": ["sheet", "--batch", "HHS-26282-01"],
        "customer card": ["sheet", "--batch", "HHS-26282-01", "--card"],
        "recall report": ["recall", "MASH-26262-01"],
    }
    out: dict[str, bytes] = {}
    for kind, args in runs.items():
        path = tmp / f"{kind}.pdf"
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
