"""The label service: label content from the database, numbering, layouts, stock, printers."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

import pdfplumber
import pytest
import zxingcpp
from helpers.pdfread import decode_pdf
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_labels_factory import MADE, sauce_kitchen

from smallbatch_desktop.domain.errors import (
    ConflictError,
    NotFoundError,
    UserError,
    ValidationError,
)
from smallbatch_desktop.domain.label_layout import (
    BarcodeElement,
    Layout,
    TextElement,
    default_sheet_layout,
)
from smallbatch_desktop.domain.models import AuditEntry, LabelLayout, LabelPrintRun
from smallbatch_desktop.pdf.labels import render_labels
from smallbatch_desktop.services import labels as svc


def test_label_data_from_the_database(session: Session) -> None:
    k = sauce_kitchen(session)
    info = svc.label_data_for_batch(session, k.batch.id)
    d = info.data
    assert info.released and info.units == 24
    assert d.product == "Smoky Habanero Sauce"
    assert d.lot == "HS-26306-01" and d.made == MADE and d.best_before is not None
    assert d.net_quantity == "250 ml"
    assert (d.producer, d.address) == ("Fire & Field", "12 Mill Lane, Bristol")
    assert d.gtin == "09506000134352"
    assert dict(d.facts)["storage"] == "Refrigerate after opening"
    # descending by weight: chili 3000 g > vinegar 2 l * 1.01 = 2020 g > spice 200 g > mustard 150 g
    assert [i.name for i in d.ingredients] == [
        "Habanero peppers",
        "Cider vinegar",
        "Spice mix",
        "Mustard seeds",
    ]
    spice = d.ingredients[2]
    assert [p.name for p in spice.parts] == ["Salt", "Sesame"]  # 70 % then 30 %
    assert spice.parts[1].allergens == ("Sesame seeds",)
    assert d.ingredients[1].allergens == ("Sulphur dioxide and sulphites",)
    assert d.allergens == ("Mustard", "Sesame seeds", "Sulphur dioxide and sulphites")
    assert all(i.name != "Jar 250 ml" for i in d.ingredients)  # packaging is no ingredient


def test_lookup_by_lot_and_unknown_lot(session: Session) -> None:
    k = sauce_kitchen(session)
    assert svc.label_data_for_batch(session, lot="HS-26306-01").batch_id == k.batch.id
    with pytest.raises(NotFoundError, match="batch"):
        svc.label_data_for_batch(session, lot="NOPE")


def test_numbering_never_repeats_across_runs(session: Session) -> None:
    k = sauce_kitchen(session, units="50")
    p1 = svc.plan_print(session, k.batch.id, copies=20)
    assert (p1.first_number, p1.last_number, p1.total, p1.final) == (1, 20, 50, True)
    svc.reserve_print_run(session, p1, printed_by="ann")
    p2 = svc.plan_print(session, k.batch.id, copies=30)
    assert (p2.first_number, p2.last_number) == (21, 50)
    svc.reserve_print_run(session, p2, printed_by="ann")
    printed = [d.n for p in (p1, p2) for d in p.job.labels]
    assert sorted(printed) == list(range(1, 51))  # no number twice
    # everything is printed: a third run is refused unless a reprint is asked for
    with pytest.raises(ConflictError, match="start number"):
        svc.plan_print(session, k.batch.id, copies=1)
    again = svc.plan_print(session, k.batch.id, copies=2, start_number=7)
    assert [d.n for d in again.job.labels] == [7, 8]
    assert [(r.first_number, r.last_number) for r in svc.print_runs(session, k.batch.id)] == [
        (1, 20),
        (21, 50),
    ]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "print_labels"))


def test_n_of_n_is_printed_on_the_labels(session: Session) -> None:
    k = sauce_kitchen(session)
    plan = svc.plan_print(session, k.batch.id, copies=3)
    pdf = render_labels(plan.job).pdf
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = doc.pages[0].extract_text()
    for n in (1, 2, 3):
        assert f"{n}/24" in text


def test_default_copies_are_the_units_not_yet_numbered(session: Session) -> None:
    k = sauce_kitchen(session)
    p = svc.plan_print(session, k.batch.id)
    assert p.copies == 24 and p.last_number == 24
    svc.reserve_print_run(session, svc.plan_print(session, k.batch.id, copies=10))
    assert svc.plan_print(session, k.batch.id).copies == 14


@pytest.mark.parametrize("status", ["planned", "in_production", "qc_hold", "recalled"])
def test_unreleased_batch_prints_drafts_and_records_nothing(session: Session, status) -> None:
    k = sauce_kitchen(session, status=status)
    plan = svc.plan_print(session, k.batch.id, copies=2)
    assert plan.job.draft and not plan.final
    assert svc.reserve_print_run(session, plan) is None
    assert session.scalar(select(LabelPrintRun)) is None
    with pdfplumber.open(io.BytesIO(render_labels(plan.job).pdf)) as doc:
        text = "".join(c["text"] for c in doc.pages[0].chars)
    assert text.count("DRAFT") == 2


def test_released_batch_has_no_watermark_and_barcodes_decode(session: Session) -> None:
    k = sauce_kitchen(session)
    plan = svc.plan_print(session, k.batch.id, copies=4, skip=2)
    assert not plan.job.draft
    result = render_labels(plan.job)
    with pdfplumber.open(io.BytesIO(result.pdf)) as doc:
        text = "".join(c["text"] for c in doc.pages[0].chars)
    assert "DRAFT" not in text
    for dpi in (300, 203):
        codes = decode_pdf(result.pdf, dpi)
        assert len(codes) == 4
        for c in codes:
            assert c.content_type == zxingcpp.ContentType.GS1
            assert c.text == "(01)09506000134352(15)271102(10)HS-26306-01"


def test_printer_profile_sets_dpi_and_offset(session: Session) -> None:
    k = sauce_kitchen(session)
    svc.save_printer_profile(session, "Zebra", dpi=203, offset_x_mm="0.5", offset_y_mm="-1,25")
    plan = svc.plan_print(session, k.batch.id, copies=1, profile_name="Zebra")
    assert (plan.job.dpi, plan.job.offset_x, plan.job.offset_y) == (203, 0.5, -1.25)
    with pytest.raises(NotFoundError, match="printer profile"):
        svc.plan_print(session, k.batch.id, copies=1, profile_name="Nope")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"dpi": 20}, "dpi"),
        ({"dpi": "abc"}, "dpi"),
        ({"offset_x_mm": "30"}, "offset x"),
        ({"offset_y_mm": "x"}, "offset y"),
    ],
)
def test_printer_profile_refusals(session: Session, kwargs, field) -> None:
    with pytest.raises(ValidationError) as err:
        svc.save_printer_profile(session, "P", **kwargs)
    assert err.value.field == field


def test_printer_profile_crud(session: Session) -> None:
    pid = svc.save_printer_profile(session, "Office", dpi=600)
    with pytest.raises(ConflictError, match="name"):
        svc.save_printer_profile(session, "Office")
    svc.save_printer_profile(session, "Office laser", dpi=300, profile_id=pid)
    assert [p.name for p in svc.list_printer_profiles(session)] == ["Office laser"]
    assert svc.get_printer_profile(session, "Office laser").offset_x_mm == Decimal(0)
    svc.delete_printer_profile(session, pid)
    assert svc.list_printer_profiles(session) == []


def test_layout_crud_defaults_and_resolution(session: Session) -> None:
    k = sauce_kitchen(session)
    base = default_sheet_layout()
    mine = dataclasses.replace(base, name="Jar label")
    lid = svc.save_layout(session, mine, stock_key="5160")
    row = session.get(LabelLayout, lid)
    assert row is not None and row.stock_key == "Avery 5160"
    loaded = svc.get_layout(session, "Jar label")
    assert loaded.layout.elements == base.elements  # JSON round trip
    with pytest.raises(ConflictError, match="name"):
        svc.save_layout(session, mine, stock_key="Avery 5160")
    # global default, then a recipe default that wins over it
    svc.set_default_layout(session, lid)
    assert svc.resolve_layout(session, recipe_id=k.recipe.id).name == "Jar label"
    other = dataclasses.replace(base, name="Sauce special")
    oid = svc.save_layout(session, other, stock_key="Avery 5160", recipe_id=k.recipe.id)
    svc.set_default_layout(session, oid)
    assert svc.resolve_layout(session, recipe_id=k.recipe.id).name == "Sauce special"
    assert svc.plan_print(session, k.batch.id, copies=1).layout_name == "Sauce special"
    # one default per scope
    third = svc.save_layout(
        session,
        dataclasses.replace(base, name="Third"),
        stock_key="Avery 5160",
        recipe_id=k.recipe.id,
        is_default=True,
    )
    assert svc.resolve_layout(session, recipe_id=k.recipe.id).id == third
    assert not session.get(LabelLayout, oid).is_default
    svc.attach_layout(session, third, None)
    assert svc.resolve_layout(session, recipe_id=k.recipe.id).name == "Jar label"
    svc.delete_layout(session, lid)
    assert svc.resolve_layout(session).builtin
    names = [s.name for s in svc.list_layouts(session)]
    assert "Standard 66.7 x 25.4" in names and "Third" in names


def test_layout_that_does_not_fit_its_stock_is_refused(session: Session) -> None:
    wide = Layout("Wide", 100, 50, elements=(TextElement("title", 2, 2, 90, 8, text="{product}"),))
    with pytest.raises(ValidationError, match=r"^title: lies outside") as err:
        svc.save_layout(session, wide, stock_key="Avery 5160")
    assert err.value.field == "title"
    with pytest.raises(ValidationError, match="stock"):
        svc.save_layout(session, wide, stock_key="")


def test_stock_resolution(session: Session) -> None:
    assert svc.resolve_stock(session, "L7160").key == "Avery L7160"
    assert svc.resolve_stock(session, "roll:100x50").page_width == 100
    with pytest.raises(NotFoundError, match="stock"):
        svc.resolve_stock(session, "zzz-999")
    sid = svc.save_custom_stock(
        session,
        "Jar 70x37",
        "sheet",
        {"paper": "A4", "label_width": "70", "label_height": "37", "columns": 3, "rows": 8},
    )
    s = svc.resolve_stock(session, f"custom:{sid}")
    assert s.per_page == 24 and svc.resolve_stock(session, "Jar 70x37").key == f"custom:{sid}"
    with pytest.raises(ValidationError) as err:
        svc.save_custom_stock(
            session,
            "Bad",
            "sheet",
            {"paper": "A4", "label_width": "70", "label_height": "37", "columns": 4},
        )
    assert err.value.field == "columns"
    with pytest.raises(ConflictError):
        svc.save_custom_stock(session, "Jar 70x37", "roll", {"label_width": 50, "label_height": 30})
    svc.save_layout(
        session,
        Layout("On custom", 70, 37, elements=(TextElement("t", 2, 2, 60, 8, text="x"),)),
        stock_key=f"custom:{sid}",
    )
    with pytest.raises(ConflictError, match="used by"):
        svc.delete_custom_stock(session, sid)
    assert [x.key for x in svc.list_custom_stocks(session)] == [f"custom:{sid}"]


def test_gtin_less_batch_gets_plain_codes_and_gs1_is_refused(session: Session) -> None:
    k = sauce_kitchen(session, gtin="")
    plan = svc.plan_print(session, k.batch.id, copies=1)
    (code,) = decode_pdf(render_labels(plan.job).pdf, 300)
    assert code.text == "HS-26306-01" and code.format == "DataMatrix"
    gs1 = Layout(
        "GS1 only",
        66.675,
        25.4,
        elements=(BarcodeElement("gs1 code", 2, 2, 60, 20, symbology="gs1-128"),),
    )
    svc.save_layout(session, gs1, stock_key="Avery 5160")
    plan = svc.plan_print(session, k.batch.id, copies=1, layout_name="GS1 only")
    with pytest.raises(UserError, match=r"^gs1 code: a GS1 barcode needs"):
        render_labels(plan.job)


def test_invalid_recipe_gtin_names_the_field(session: Session) -> None:
    k = sauce_kitchen(session, gtin="09506000134353")
    with pytest.raises(ValidationError, match="GTIN") as err:
        svc.label_data_for_batch(session, k.batch.id)
    assert err.value.field == "gtin"


def test_copies_and_skip_refusals_name_fields(session: Session) -> None:
    k = sauce_kitchen(session)
    with pytest.raises(ValidationError) as err:
        svc.plan_print(session, k.batch.id, copies=0)
    assert err.value.field == "copies"
    with pytest.raises(ValidationError) as err:
        svc.plan_print(session, k.batch.id, copies=30)  # 30 > 24 jars
    assert err.value.field == "copies"
    plan = svc.plan_print(session, k.batch.id, copies=2, skip=40)
    with pytest.raises(ValidationError) as err:
        render_labels(plan.job)
    assert err.value.field == "skip"


def test_cli_prints_records_and_refuses(db_path, session_factory, tmp_path, capsys) -> None:
    from smallbatch_desktop import cli

    with session_factory.begin() as s:
        sauce_kitchen(s)
    out = tmp_path / "labels.pdf"
    args = [
        "labels",
        "--db",
        str(db_path),
        "--batch",
        "HS-26306-01",
        "--stock",
        "5160",
        "--copies",
        "5",
        "--skip",
        "2",
        "--out",
        str(out),
    ]
    assert cli.main(args) == 0
    assert "5 final labels for HS-26306-01 (numbers 1-5 of 24)" in capsys.readouterr().out
    assert len(decode_pdf(out.read_bytes(), 300)) == 5
    assert cli.main(args) == 0  # continues after the first run
    assert "(numbers 6-10 of 24)" in capsys.readouterr().out
    with session_factory() as s:
        runs = s.scalars(select(LabelPrintRun).order_by(LabelPrintRun.id)).all()
        assert [(r.first_number, r.last_number) for r in runs] == [(1, 5), (6, 10)]
    bad = ["labels", "--db", str(db_path), "--batch", "NOPE", "--out", str(out)]
    assert cli.main(bad) == 2
    assert "batch: no batch" in capsys.readouterr().err
    cal = tmp_path / "cal.pdf"
    assert (
        cli.main(
            ["labels", "--db", str(db_path), "--calibration", "--stock", "L7160", "--out", str(cal)]
        )
        == 0
    )
    assert cal.read_bytes().startswith(b"%PDF")


def test_cosmetic_lists_inci_names(session: Session) -> None:
    from smallbatch_desktop.pdf.labels import ingredient_runs

    k = sauce_kitchen(session, facts={"product_kind": "cosmetic"})
    for line in k.version.lines:
        if line.material is not None:
            line.material.inci_name = line.material.name.upper().replace(" ", "_")
    session.flush()
    d = svc.label_data_for_batch(session, k.batch.id).data
    assert d.cosmetic and "product_kind" not in dict(d.facts)
    plan = svc.plan_print(session, k.batch.id, copies=1, stock_key="roll:100x50")
    with pdfplumber.open(io.BytesIO(render_labels(plan.job).pdf)) as doc:
        text = doc.pages[0].extract_text()
    assert "HABANERO_PEPPERS" in text and "Habanero peppers" not in text
    assert "".join(t for t, _ in ingredient_runs(d, "", inci=False)).startswith("Habanero")


def test_a_draft_proof_is_never_refused_for_want_of_numbers(session: Session) -> None:
    k = sauce_kitchen(session)  # 24 jars
    svc.reserve_print_run(session, svc.plan_print(session, k.batch.id), printed_by="ann")
    with pytest.raises(ConflictError, match="start number"):
        svc.plan_print(session, k.batch.id, copies=2)  # a final run: all 24 are used
    proof = svc.plan_print(session, k.batch.id, copies=2, final=False)
    assert proof.job.draft and not proof.final
    assert [(d.n, d.total) for d in proof.job.labels] == [(1, 24), (2, 24)]
    assert svc.reserve_print_run(session, proof) is None  # uses no numbers
    assert [(r.first_number, r.last_number) for r in svc.print_runs(session, k.batch.id)] == [
        (1, 24)
    ]


def test_reserved_numbers_are_checked_again_and_given_back(session: Session) -> None:
    k = sauce_kitchen(session, units="50")
    mine = svc.plan_print(session, k.batch.id, copies=10)
    theirs = svc.plan_print(session, k.batch.id, copies=5)  # planned at the same time
    assert (mine.first_number, theirs.first_number) == (1, 1)
    run = svc.reserve_print_run(session, theirs, printed_by="other workstation")
    assert run is not None
    with pytest.raises(ConflictError, match=r"printed labels up to 5 .* next free number is 6"):
        svc.reserve_print_run(session, mine, printed_by="ann")
    # a reprint the maker asked for may repeat numbers
    again = svc.plan_print(session, k.batch.id, copies=2, start_number=1)
    assert again.reprint and svc.reserve_print_run(session, again) is not None
    # the render failed: its numbers are free again, and the release is in the audit trail
    svc.release_print_run(session, run.id, actor="ann", reason="printer jammed")
    assert [(r.first_number, r.last_number) for r in svc.print_runs(session, k.batch.id)] == [
        (1, 2)
    ]
    assert session.scalar(
        select(AuditEntry).where(AuditEntry.action == "print_labels.release")
    ).details == {"numbers": "1-5", "reason": "printer jammed"}


def test_cli_reserves_numbers_first_and_gives_them_back_when_the_pdf_fails(
    db_path, session_factory, tmp_path, capsys
) -> None:
    from smallbatch_desktop import cli

    with session_factory.begin() as s:
        sauce_kitchen(s)
    args = ["labels", "--db", str(db_path), "--batch", "HS-26306-01", "--copies", "3"]
    try:  # the folder does not exist: nothing can be written
        code = cli.main([*args, "--out", str(tmp_path / "missing" / "labels.pdf")])
    except OSError:
        code = None
    assert code != 0
    with session_factory() as s:  # refused before any number was taken
        assert s.scalar(select(LabelPrintRun)) is None
    assert cli.main([*args, "--out", str(tmp_path / "labels.pdf")]) == 0
    assert "(numbers 1-3 of 24)" in capsys.readouterr().out
