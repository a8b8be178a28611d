"""Master data import: CSV and XLSX through the services, bad rows named, all or nothing,
duplicates skipped, the date order asked when the file does not settle it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.models import AuditEntry, Customer, Material, MaterialLot, Supplier
from smallbatch_desktop.services.imports import (
    KINDS,
    DateOrder,
    ImportRefused,
    auto_map,
    detect_kind,
    import_table,
    read_table,
    run_import,
)
from smallbatch_desktop.services.imports.mapping import apply_overrides, parse_overrides
from smallbatch_desktop.services.imports.readers import read_csv_bytes
from smallbatch_desktop.services.imports.validate import money_text, parse_date

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
TODAY = dt.date(2026, 3, 1)


def load(session_factory, name, kind, **kw):
    table = read_table(DATA / name) if isinstance(name, str) else name
    k = KINDS[kind]
    with session_factory.begin() as s:
        return import_table(s, table, k, auto_map(table.headers, k.fields), today=TODAY, **kw)


def count(session_factory, model):
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def master(session_factory):
    for name, kind in (
        ("suppliers.csv", "suppliers"),
        ("customers.csv", "customers"),
        ("materials.csv", "materials"),
    ):
        load(session_factory, name, kind)
    return session_factory


def test_csv_master_data_end_to_end(master):
    sf = master
    with sf() as s:
        rg = s.scalar(select(Supplier).where(Supplier.name == "Rio Grande Chili Co."))
        assert rg.contact == "Maria Ortega" and rg.email == "orders@riogrande.example"
        assert rg.address == "12 Mesa Road\nHatch NM 87937\nUSA"
        assert rg.notes == "Ships Mondays"
        deli = s.scalar(select(Customer).where(Customer.name == "The Corner Deli"))
        assert deli.kind == "retailer" and deli.address == "4 High St\nSpringfield IL 62701"
        whole = s.scalar(select(Customer).where(Customer.name == "Hot Stuff Wholesale"))
        assert whole.kind == "wholesaler"  # "Wholesaler" in the file, any case
        vin = s.scalar(select(Material).where(Material.code == "VIN"))
        assert vin.density == Decimal("1.01") and vin.allergens == "sulphites"
        assert (
            vin.reorder_level == Decimal("10") and vin.default_supplier.name == "Kent Apple Press"
        )
        salt = s.scalar(select(Material).where(Material.name == "Sea salt"))
        assert salt.code == "SEA-SAL" and salt.kind == "ingredient"  # code made from the name
        jar = s.scalar(select(Material).where(Material.code == "JAR250"))
        assert jar.kind == "packaging" and jar.stock_unit == "pcs"
        # the services' audit trail records each one, as the forms do
        actions = s.scalars(select(AuditEntry.action)).all()
        assert actions.count("supplier.create") == 3 and actions.count("material.create") == 4


def test_lots_with_day_month_dates_settled_by_the_file(master):
    report = load(master, "lots_dmy.csv", "lots")
    assert report.date_order is DateOrder.DMY
    assert any("'23/03/2026'" in n for n in report.notes)
    with master() as s:
        lots = {lot.supplier_lot_code: lot for lot in s.scalars(select(MaterialLot))}
    hab = lots["RG-2291"]
    assert hab.quantity_received == Decimal("12.5") and hab.unit == "kg"
    assert hab.unit_cost == Decimal("4.5") and hab.currency == "USD"
    assert hab.received_date == dt.date(2026, 2, 3) and hab.expiry_date == dt.date(2026, 3, 23)
    assert hab.origin == "Hatch, NM" and hab.certifications == "Organic"
    assert hab.lot_code == "R260203-01"  # the receiving pattern, as the form gives
    vin = lots["KP-77"]
    assert vin.lot_code == "R-VIN-0402" and vin.currency == "GBP"  # "£1.20"
    assert vin.unit_cost == Decimal("1.2") and vin.expiry_date == dt.date(2027, 2, 4)
    assert lots["BJ-5531"].quantity_received == Decimal("600")


def test_bad_rows_are_all_named_and_nothing_is_written(master):
    before = count(master, MaterialLot)
    with pytest.raises(ImportRefused) as info:
        load(master, "lots_bad.csv", "lots")
    lines = [p.line() for p in info.value.report.problems]
    assert lines == (DATA / "lots_bad.expected").read_text().splitlines()
    assert "5 bad rows" in str(info.value) and "nothing imported" in str(info.value)
    # row 2 was good, but all or nothing: not even it was kept
    assert count(master, MaterialLot) == before == 0


def test_a_refused_row_leaves_nothing_in_the_session(master):
    """The run goes on after a refusal: the services raise before they add anything."""
    table = read_table(DATA / "lots_bad.csv")
    k = KINDS["lots"]
    with master() as s:
        report = run_import(s, table, k, auto_map(table.headers, k.fields), today=TODAY)
        assert [o.row for o in report.created] == [2]
        assert len(s.scalars(select(MaterialLot)).all()) == 1  # only row 2, in this session
        s.rollback()
    assert count(master, MaterialLot) == 0


def test_reimport_reports_duplicates_and_adds_nothing(master):
    load(master, "lots_dmy.csv", "lots")
    n_lots, n_sup, n_mat = (
        count(master, MaterialLot),
        count(master, Supplier),
        count(master, Material),
    )
    again = load(master, "lots_dmy.csv", "lots")
    assert again.created == [] and [o.row for o in again.duplicates] == [2, 3, 4]
    assert "lot R-VIN-0402 of Cider vinegar: already in the database" in [
        o.text for o in again.duplicates
    ]
    assert "supplier lot RG-2291" in again.duplicates[0].text
    sup = load(master, "suppliers.csv", "suppliers")
    mat = load(master, "materials.csv", "materials")
    assert not sup.created and len(sup.duplicates) == 3
    assert not mat.created and len(mat.duplicates) == 4  # Sea salt by name: it had no code
    assert (count(master, MaterialLot), count(master, Supplier), count(master, Material)) == (
        n_lots,
        n_sup,
        n_mat,
    )


def test_repeat_inside_the_file_is_a_duplicate_of_its_first_row(session_factory):
    table = read_csv_bytes(
        b"Name,Email\nRio Grande,a@x.example\nrio grande,b@x.example\nKent,c@x.example\n"
    )
    report = load(session_factory, table, "suppliers")
    assert [o.row for o in report.created] == [2, 4]
    assert [(o.row, o.text) for o in report.duplicates] == [(3, "rio grande: same as row 2")]


def test_service_refusals_land_on_the_right_column(session_factory):
    table = read_csv_bytes(
        "Code,Name,Unit,Type,Density\n"
        "OK1,Fine,kg,ingredient,\n"
        ",,kg,ingredient,\n"
        "B2,Bad unit,kgs,ingredient,\n"
        "B3,Bad kind,kg,spice,\n"
        "B4,Bad density,kg,ingredient,-1\n"
        f"{'X' * 41},Long code,kg,,\n".encode()
    )
    with pytest.raises(ImportRefused) as info:
        load(session_factory, table, "materials")
    got = [(p.row, p.column) for p in info.value.report.problems]
    assert got == [(3, "Name"), (4, "Unit"), (5, "Type"), (6, "Density"), (7, "Code")]
    whys = [p.why for p in info.value.report.problems]
    assert whys[0] == "is required"
    assert whys[1].startswith("unknown unit 'kgs'")
    assert whys[2].startswith("'spice' is not one of ingredient, packaging")
    assert whys[4] == "at most 40 characters (got 41)"
    assert count(session_factory, Material) == 0


def test_ambiguous_dates_are_asked_not_guessed(master):
    csv = b"Material,Qty,Received\nHAB,1,05/03/2026\nHAB,2,06/03/2026\nHAB,3,2026-03-07\n"
    table = read_csv_bytes(csv)
    with pytest.raises(ImportRefused) as info:
        load(master, table, "lots")
    r = info.value.report
    assert r.needs_date_order and r.date_order is None
    assert [(p.row, p.column) for p in r.problems] == [(2, "Received"), (3, "Received")]
    assert "could be day/month or month/day" in r.problems[0].why
    load(master, table, "lots", date_order=DateOrder.MDY)
    with master() as s:
        got = sorted(s.scalars(select(MaterialLot.received_date)).all())
    assert got == [dt.date(2026, 3, 7), dt.date(2026, 5, 3), dt.date(2026, 6, 3)]


def test_contradicting_dates_are_bad_rows(master):
    table = read_csv_bytes(b"Material,Qty,Received\nHAB,1,23/03/2026\nHAB,2,03/23/2026\n")
    with pytest.raises(ImportRefused) as info:
        load(master, table, "lots", date_order=DateOrder.DMY)
    assert [p.line() for p in info.value.report.problems] == [
        "row 3, Received: '03/23/2026' is not a date in day/month/year order"
    ]


def _xlsx(path, header, rows, *, title="Sheet1", extra_sheet=False):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    if extra_sheet:
        ws.append(["notes for the bookkeeper"])
        ws = wb.create_sheet("Lots")
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_xlsx_materials_and_lots_with_real_dates_and_numbers(master, tmp_path):
    mats = _xlsx(
        tmp_path / "materials.xlsx",
        ["Material code", "Material name", "UOM", "Reorder point"],
        [["PEP", "Black pepper", "kg", 2.5], ["OIL", "Olive oil", "l", 10]],
    )
    report = load(master, read_table(mats), "materials")
    assert [o.row for o in report.created] == [2, 3]
    lots = _xlsx(
        tmp_path / "lots.xlsx",
        ["Item", "Quantity", "Unit", "Supplier", "Unit price", "Date received", "Expiry"],
        [
            [
                "PEP",
                0.1,
                "kg",
                "Rio Grande Chili Co.",
                12.35,
                dt.datetime(2026, 2, 3),
                dt.date(2027, 1, 31),
            ],
            ["Olive oil", 25, "l", None, None, dt.datetime(2026, 2, 4), None],
        ],
        extra_sheet=True,
    )
    table = read_table(lots, sheet="Lots")
    assert table.sheet == "Lots" and table.numbers == (2, 3)
    assert table.rows[0][:2] == ("PEP", "0.1") and table.rows[0][4:6] == ("12.35", "2026-02-03")
    load(master, table, "lots")
    with master() as s:
        pep = s.scalar(select(MaterialLot).join(Material).where(Material.code == "PEP"))
        assert pep.quantity_received == Decimal("0.1")  # exact, not 0.1000000000000000055
        assert pep.unit_cost == Decimal("12.35") and pep.expiry_date == dt.date(2027, 1, 31)
        pep_m = s.scalar(select(Material).where(Material.code == "PEP"))
        assert pep_m.reorder_level == Decimal("2.5")
    with pytest.raises(ValidationError, match=r"sheet: lots\.xlsx has no sheet 'Nope'"):
        read_table(lots, sheet="Nope")


def test_semicolon_cp1252_csv_from_an_old_excel(session_factory):
    data = "Nom;Contact;Téléphone\nÉpices Jaén;Inês;+34 953\n".encode("cp1252")
    table = read_csv_bytes(data)
    assert table.headers == ("Nom", "Contact", "Téléphone")
    k = KINDS["suppliers"]
    mapping = apply_overrides(
        auto_map(table.headers, k.fields),
        parse_overrides(["name=Nom", "phone=3"], table.headers, k.fields),
    )
    with session_factory.begin() as s:
        import_table(s, table, k, mapping)
    with session_factory() as s:
        sup = s.scalar(select(Supplier))
        assert (sup.name, sup.contact, sup.phone) == ("Épices Jaén", "Inês", "+34 953")


def test_missing_required_column_and_stray_cells(session_factory):
    table = read_csv_bytes(b"Name,Email\nA,a@x\nB,b@x,oops\n")
    with session_factory() as s:
        r = run_import(
            s, table, KINDS["materials"], auto_map(table.headers, KINDS["materials"].fields)
        )
        assert [p.line() for p in r.problems] == [
            "row 1, Stock unit: required, but no column is mapped to it"
        ]
        r = run_import(
            s, table, KINDS["suppliers"], auto_map(table.headers, KINDS["suppliers"].fields)
        )
        assert [p.line() for p in r.problems] == [
            "row 3, (no header): 'oops' is in a column without a header"
        ]


def test_detect_kind_from_headers():
    def kind(name):
        found = detect_kind(read_table(DATA / name).headers)
        return found.key if found else None

    assert kind("suppliers.csv") == "suppliers"
    assert kind("customers.csv") == "customers"
    assert kind("materials.csv") == "materials"
    assert kind("lots_dmy.csv") == "lots"
    assert detect_kind(("Name", "Email")) is None  # supplier or customer: the maker says


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-05", None, dt.date(2026, 3, 5)),
        ("2026/03/05", None, dt.date(2026, 3, 5)),
        ("2026-03-05 14:22:09 -0500", None, dt.date(2026, 3, 5)),
        ("2026-03-05T14:22:09Z", None, dt.date(2026, 3, 5)),
        ("23/03/2026", None, dt.date(2026, 3, 23)),
        ("03/23/2026", None, dt.date(2026, 3, 23)),
        ("05/03/2026", DateOrder.DMY, dt.date(2026, 3, 5)),
        ("05/03/2026", DateOrder.MDY, dt.date(2026, 5, 3)),
        ("05.03.26", DateOrder.DMY, dt.date(2026, 3, 5)),
        ("04/04/2026", None, dt.date(2026, 4, 4)),
        ("5 Mar 2026", None, dt.date(2026, 3, 5)),
        ("05-Mar-26", None, dt.date(2026, 3, 5)),
        ("March 5, 2026", None, dt.date(2026, 3, 5)),
        ("Sep 30th, 2026", None, dt.date(2026, 9, 30)),
        ("03/15/2026 10:22 AM", None, dt.date(2026, 3, 15)),
    ],
)
def test_date_formats(text, order, expected):
    assert parse_date(text, field="d", order=order) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("05/03/2026", "could be day/month or month/day"),
        ("2026-13-01", "is not a real date"),
        ("yesterday", "is not a date; use YYYY-MM-DD"),
        ("31 Foo 2026", "is not a date"),
    ],
)
def test_bad_dates(text, why):
    with pytest.raises(ValidationError, match=why):
        parse_date(text, field="d", order=None)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("$4.50", "4.50"),
        ("4,50 €", "4,50"),
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("USD 12", "12"),
        ("1,000,000", "1000000"),
    ],
)
def test_money_text(text, plain):
    assert money_text(text) == plain


def _preview(sf, table, kind, *, spell):
    """The preview as the import dialog runs it: in a trial, rolled back."""
    k = KINDS[kind]
    with sf.trial(spell=spell) as s:
        report = run_import(s, table, k, auto_map(table.headers, k.fields), today=TODAY)
        breaths = s.info["smallbatch_breathe"].__self__.breaths
    return report, breaths


@pytest.mark.parametrize(
    ("before", "name", "kind"),
    [
        ((), "suppliers.csv", "suppliers"),
        ((), "customers.csv", "customers"),
        (("suppliers",), "materials.csv", "materials"),
        (("suppliers", "materials"), "again", "materials"),
        (("suppliers", "materials"), "lots_dmy.csv", "lots"),
        (("suppliers", "materials"), "lots_bad.csv", "lots"),
    ],
)
def test_a_preview_that_gives_way_between_rows_reports_the_same(
    session_factory, before, name, kind
):
    """A long preview lets other workstations write between its rows (it rolls back what
    it wrote to check so far and reads the database again): giving way before every row
    reports exactly what a preview that never gives way reports. The file's own repeats
    and the codes it makes up (materials without a code) stay known across it."""
    sf = session_factory
    for k in before:
        load(sf, f"{k}.csv", k)
    if name == "again":
        table = read_csv_bytes(
            b"Code,Name,Unit\n,Sea salt flakes,kg\nHAB,Habanero again,kg\n"
            b",Sea salt flakes,kg\n,Sea salt flaked,kg\nNEW1,Brand new,kg\nnew1,Also new,kg\n"
        )
    else:
        table = read_table(DATA / name)
    whole, none = _preview(sf, table, kind, spell=1e9)
    spells, breaths = _preview(sf, table, kind, spell=0)
    assert none == 0 and breaths == len(table)
    for attr in ("created", "duplicates", "problems", "notes"):
        assert getattr(spells, attr) == getattr(whole, attr), attr
    assert whole.created
    if name == "again":
        # two made-up codes for the two salts (the second a repeat of the first), never one
        assert [o.row for o in whole.created] == [2, 5, 6], whole.created
        assert [o.row for o in whole.duplicates] == [3, 4, 7], whole.duplicates
        assert len({o.text.split()[1] for o in whole.created}) == 3, whole.created
    with sf() as s:  # a preview writes nothing
        assert s.scalar(select(func.count()).select_from(MaterialLot)) == 0
        assert s.scalar(select(func.count()).select_from(Customer)) == 0
