import datetime as dt
from decimal import Decimal

import pytest
from factories import DAY, kitchen, record_suggested_inputs, released_batch
from sqlalchemy import func, select

from smallbatch_desktop.domain.errors import (
    ConflictError,
    ImmutableError,
    InsufficientStockError,
    NotFoundError,
    StatusError,
    UnitError,
    ValidationError,
)
from smallbatch_desktop.domain.models import Amendment, Consumption
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services.common import set_setting


@pytest.fixture
def k(session):
    return kitchen(session)


def test_plan_previews_the_code_it_saves(session, k):
    preview = bat.preview_lot_code(session, k.mash_v.id, DAY)
    b = bat.plan_batch(session, recipe_version_id=k.mash_v.id, planned_quantity="10", made_date=DAY)
    assert b.lot_code == preview == "MASH-26061-01"
    assert b.scale_factor == Decimal(2)
    assert b.best_before == DAY + dt.timedelta(days=90)
    assert bat.preview_lot_code(session, k.mash_v.id, DAY) == "MASH-26061-02"


def test_custom_pattern_per_product_sequence(session, k):
    set_setting(session, "lot_code_pattern", "{PRODUCT}{YYYY}{MM}{DD}-{PSEQ:3}")
    b1 = bat.plan_batch(session, recipe_version_id=k.mash_v.id, planned_quantity="5", made_date=DAY)
    b2 = bat.plan_batch(
        session,
        recipe_version_id=k.mash_v.id,
        planned_quantity="5",
        made_date=DAY + dt.timedelta(days=1),
    )
    assert (b1.lot_code, b2.lot_code) == ("MASH20260302-001", "MASH20260303-002")
    with pytest.raises(ValidationError, match=r"^lot code pattern: unknown token \{WEEK\}"):
        set_setting(session, "lot_code_pattern", "{WEEK}")


def test_plan_refusals(session, k):
    with pytest.raises(
        ValidationError,
        match=r"^planned quantity: must be greater than zero|^target yield: must be",
    ):
        bat.plan_batch(session, recipe_version_id=k.mash_v.id, planned_quantity="0")
    with pytest.raises(UnitError, match=r"^target unit: cannot convert pcs"):
        bat.plan_batch(session, recipe_version_id=k.mash_v.id, planned_quantity="3", unit="pcs")
    b = bat.plan_batch(session, recipe_version_id=k.mash_v.id, planned_quantity="5", made_date=DAY)
    with pytest.raises(ConflictError, match=rf"^lot code: '{b.lot_code}' is already used"):
        bat.plan_batch(
            session, recipe_version_id=k.mash_v.id, planned_quantity="5", lot_code=b.lot_code
        )
    # a material lot's code is taken too: a scan must name one thing
    with pytest.raises(ConflictError, match="is already used"):
        bat.plan_batch(
            session,
            recipe_version_id=k.mash_v.id,
            planned_quantity="5",
            lot_code=k.chili_lot.lot_code,
        )


def test_fefo_suggestion_and_consumption_limits(session, k):
    mat = k.chili_lot.material
    early = inv.receive_lot(
        session,
        material_id=mat.id,
        quantity="3",
        received_date=DAY,
        expiry_date=DAY + dt.timedelta(days=10),
    )
    expired = inv.receive_lot(
        session,
        material_id=mat.id,
        quantity="50",
        received_date=DAY - dt.timedelta(days=30),
        expiry_date=DAY - dt.timedelta(days=1),
    )
    b = bat.plan_batch(session, recipe_version_id=k.mash_v.id, planned_quantity="10", made_date=DAY)
    (need,) = bat.suggest_lots(session, b.id)
    assert need.required == Decimal(10)
    assert [(p.lot_code, p.take) for p in need.picks] == [
        (early.lot_code, Decimal(3)),
        (k.chili_lot.lot_code, Decimal(7)),
    ]
    assert expired.lot_code not in [p.lot_code for p in need.picks]
    with pytest.raises(ValidationError, match=rf"^lot: {expired.lot_code} \(Habanero\) expired on"):
        bat.record_consumption(session, b.id, lot_code=expired.lot_code, quantity="1", unit="kg")
    with pytest.raises(
        InsufficientStockError,
        match=rf"^quantity: 3001 g is more than the 3 kg on hand of lot {early.lot_code}",
    ):
        bat.record_consumption(session, b.id, lot_code=early.lot_code, quantity="3001", unit="g")
    with pytest.raises(NotFoundError, match=r"^lot: no material lot or batch has the code 'NOPE'"):
        bat.record_consumption(session, b.id, lot_code="NOPE", quantity="1", unit="kg")
    with pytest.raises(UnitError, match=r"^unit: cannot convert pcs"):
        bat.record_consumption(session, b.id, lot_code=early.lot_code, quantity="1", unit="pcs")
    with pytest.raises(ValidationError, match=r"^quantity: must be greater than zero"):
        bat.record_consumption(session, b.id, lot_code=early.lot_code, quantity="-1", unit="kg")
    # several lots for one line, in one action: all or nothing
    with pytest.raises(InsufficientStockError, match=r"^pick 2: quantity: "):
        bat.record_consumptions(
            session,
            b.id,
            [
                bat.PickInput(early.lot_code, "3", "kg", need.line_id),
                bat.PickInput(k.chili_lot.lot_code, "70", "kg", need.line_id),
            ],
        )
    session.rollback()


def test_all_or_nothing_in_a_unit_of_work(session_factory):
    with session_factory.begin() as s:
        k = kitchen(s)
        b = bat.plan_batch(s, recipe_version_id=k.mash_v.id, planned_quantity="10", made_date=DAY)
        ids = (b.id, k.chili_lot.lot_code)
    with pytest.raises(InsufficientStockError), session_factory.begin() as s:
        bat.record_consumptions(
            s, ids[0], [bat.PickInput(ids[1], "4", "kg"), bat.PickInput(ids[1], "7", "kg")]
        )
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Consumption)) == 0


def test_life_qc_release_ship_cost(session, k):
    mash = released_batch(session, k.mash_v, "5", qc={"pH": "3.6"})
    assert mash.status == "released" and mash.released_by == "tester"
    b = bat.plan_batch(
        session, recipe_version_id=k.sauce_v.id, planned_quantity="24", made_date=DAY
    )
    with pytest.raises(
        StatusError, match=rf"^status: cannot release batch {b.lot_code}: it is planned"
    ):
        bat.change_status(session, b.id, "release")
    for need in bat.suggest_lots(session, b.id):
        for p in need.picks:
            bat.record_consumption(
                session,
                b.id,
                lot_code=p.lot_code,
                quantity=p.take,
                unit=p.unit,
                recipe_line_id=need.line_id,
            )
    assert bat.batch_on_hand(session, mash.id) == Decimal(3)
    bat.change_status(session, b.id, "start")
    bat.finish_production(session, b.id, actual_quantity="24")
    taste, _note = k.sauce_v.qc_items
    with pytest.raises(StatusError, match=r"^QC: cannot release .*: Taste \(missing\)"):
        bat.change_status(session, b.id, "release")
    bat.record_qc(session, b.id, taste.id, "fail")
    with pytest.raises(StatusError, match=r"Taste \(failed: fail\)"):
        bat.change_status(session, b.id, "release")
    with pytest.raises(ValidationError, match=r"^QC Taste: answer pass or fail"):
        bat.record_qc(session, b.id, taste.id, "meh")
    bat.record_qc(session, b.id, taste.id, "pass")  # a re-test: the latest result counts
    bat.change_status(session, b.id, "release", actor="ben")
    assert b.status == "released"
    # read-only now
    with pytest.raises(
        ImmutableError, match=r"^inputs: batch .* is released; correct it with an amendment"
    ):
        bat.record_consumption(
            session, b.id, lot_code=k.vinegar_lot.lot_code, quantity="1", unit="l"
        )
    with pytest.raises(
        ImmutableError, match=r"^batch: .* is released; correct it with an amendment"
    ):
        bat.update_batch(session, b.id, notes="x")
    # ship to a customer on record (a name typed that is not one never makes one)
    with pytest.raises(
        NotFoundError, match=r"^customer: there is no customer called 'Corner Deli'"
    ):
        bat.ship_batch(session, b.id, customer="Corner Deli", quantity="20", shipped_date=DAY)
    inv.create_customer(session, name="Corner Deli")
    # ship, never more than is left
    bat.ship_batch(
        session,
        b.id,
        customer="Corner Deli",
        quantity="20",
        shipped_date=DAY,
        document_number="INV-1",
    )
    with pytest.raises(
        InsufficientStockError, match=r"^quantity: 5 pcs is more than the 4 pcs left"
    ):
        bat.ship_batch(session, b.id, customer="Corner Deli", quantity="5", shipped_date=DAY)
    # cost: 2 kg of mash at 4.50/kg + 1000 g vinegar = 0.990099 l at 2/l
    cost = bat.batch_cost(session, b.id)
    assert cost.complete
    assert cost.total == Decimal("9.000000") + Decimal("1.980198")
    assert cost.per_unit == (cost.total / 24).quantize(Decimal("0.000001"))


def test_amendments_keep_who_when_why(session, k):
    b = released_batch(session, k.mash_v, "5")
    with pytest.raises(ValidationError, match=r"^reason: say why"):
        bat.amend_batch(session, b.id, field="notes", new_value="x", reason="", actor="ann")
    with pytest.raises(ValidationError, match=r"^field: 'lot_code' cannot be amended"):
        bat.amend_batch(session, b.id, field="lot_code", new_value="X", reason="typo", actor="ann")
    a = bat.amend_batch(
        session, b.id, field="actual_quantity", new_value="4.8", reason="weighed again", actor="ann"
    )
    assert (a.old_value, a.new_value, a.amended_by) == ("5.000000", "4.800000", "ann")
    assert b.actual_quantity == Decimal("4.8")
    assert session.scalar(select(func.count()).select_from(Amendment)) == 1
    planned = bat.plan_batch(
        session, recipe_version_id=k.mash_v.id, planned_quantity="5", made_date=DAY
    )
    with pytest.raises(StatusError, match=r"^amendment: batch .* is not released yet"):
        bat.amend_batch(session, planned.id, field="notes", new_value="x", reason="r", actor="ann")


def test_numeric_qc_out_of_spec(session, k):
    b = bat.plan_batch(session, recipe_version_id=k.mash_v.id, planned_quantity="5", made_date=DAY)
    (ph,) = k.mash_v.qc_items
    r = bat.record_qc(session, b.id, ph.id, "4.2")
    assert r.passed is False
    states = bat.qc_summary(session, b.id)
    assert [(s.name, s.state, s.spec) for s in states] == [("pH", "fail", "≤ 4 pH")]
    with pytest.raises(ValidationError, match=r"^QC pH: 'high' is not a number"):
        bat.record_qc(session, b.id, ph.id, "high")


def test_reject_and_recall_need_a_reason(session, k):
    b = bat.plan_batch(session, recipe_version_id=k.mash_v.id, planned_quantity="5", made_date=DAY)
    with pytest.raises(ValidationError, match=r"^reason: say why"):
        bat.change_status(session, b.id, "reject")
    bat.change_status(session, b.id, "reject", reason="dropped the pot")
    with pytest.raises(StatusError, match=r"^status: cannot recall"):
        bat.change_status(session, b.id, "recall", reason="x")
    r = released_batch(session, k.mash_v, "5")
    bat.change_status(session, r.id, "recall", reason="supplier notice")
    assert (r.status, r.close_reason) == ("recalled", "supplier notice")


def test_unreleased_batch_cannot_be_used_or_shipped(session, k):
    mash = bat.plan_batch(
        session, recipe_version_id=k.mash_v.id, planned_quantity="5", made_date=DAY
    )
    sauce = bat.plan_batch(
        session, recipe_version_id=k.sauce_v.id, planned_quantity="24", made_date=DAY
    )
    with pytest.raises(
        StatusError, match=rf"^lot: batch {mash.lot_code} is planned; only a released batch"
    ):
        bat.record_consumption(session, sauce.id, lot_code=mash.lot_code, quantity="1", unit="kg")
    with pytest.raises(StatusError, match=r"^shipment: .* only a released batch ships"):
        bat.ship_batch(session, sauce.id, customer="x", quantity="1")


def test_list_and_count_batches_in_sql(session, k):
    for i in range(5):
        bat.plan_batch(
            session,
            recipe_version_id=k.mash_v.id,
            planned_quantity="1",
            made_date=DAY + dt.timedelta(days=i),
        )
    released_batch(session, k.mash_v, "1", day=DAY + dt.timedelta(days=9))
    assert bat.count_batches(session) == 6
    assert bat.count_batches(session, status="released") == 1
    page = bat.list_batches(session, sort="made_date", descending=True, offset=1, limit=2)
    assert [r.made_date for r in page] == [DAY + dt.timedelta(days=4), DAY + dt.timedelta(days=3)]
    assert bat.count_batches(session, search="mash") == 6
    assert bat.count_batches(session, search="zzz") == 0


def test_a_lost_race_says_what_is_left_now(session_factory):
    """Two workstations picked the same 10 kg lot; the second to save is told, in a
    maker's words, that the other one used it (the lock makes it see the first save)."""
    with session_factory.begin() as s:
        k = kitchen(s)
        a = bat.plan_batch(s, recipe_version_id=k.mash_v.id, planned_quantity="10", made_date=DAY)
        b = bat.plan_batch(s, recipe_version_id=k.mash_v.id, planned_quantity="10", made_date=DAY)
        ids, code = (a.id, b.id), k.chili_lot.lot_code
    seen = Decimal(10)  # both pick lists showed 10 kg left
    with session_factory.begin() as s:
        bat.record_consumptions(s, ids[0], [bat.PickInput(code, "6", "kg", seen_on_hand=seen)])
    with (
        pytest.raises(
            InsufficientStockError,
            match=rf"^pick 1: quantity: only 4 kg of {code} is left now: another workstation used "
            r"it since you looked \(10 kg then\); pick again$",
        ),
        session_factory.begin() as s,
    ):
        bat.record_consumptions(s, ids[1], [bat.PickInput(code, "6", "kg", seen_on_hand=seen)])
    # two rows of one pick list on the same lot are this workstation's own doing
    with (
        pytest.raises(
            InsufficientStockError, match=r"^pick 2: quantity: 3 kg is more than the 1 kg on hand"
        ),
        session_factory.begin() as s,
    ):
        bat.record_consumptions(
            s,
            ids[1],
            [
                bat.PickInput(code, "3", "kg", seen_on_hand=Decimal(4)),
                bat.PickInput(code, "3", "kg", seen_on_hand=Decimal(4)),
            ],
        )
    with session_factory() as s:
        assert inv.lot_on_hand(s, k.chili_lot.id) == Decimal(4)


def test_a_lost_shipping_race_says_what_is_left_now(session_factory):
    with session_factory.begin() as s:
        k = kitchen(s)
        mash = released_batch(s, k.mash_v, "5", qc={"pH": "3.6"})
        mash_id, lot = mash.id, mash.lot_code
        for name in ("Deli", "Shop"):
            inv.create_customer(s, name=name)
    with session_factory.begin() as s:
        bat.ship_batch(s, mash_id, customer="Deli", quantity="4", seen_left=Decimal(5))
    with (
        pytest.raises(
            InsufficientStockError,
            match=rf"^quantity: only 1 kg of {lot} is left now: another workstation used or "
            r"shipped it since you looked \(5 kg then\)$",
        ),
        session_factory.begin() as s,
    ):
        bat.ship_batch(s, mash_id, customer="Shop", quantity="4", seen_left=Decimal(5))


def _in_production(session, k, qty="24"):
    b = bat.plan_batch(session, recipe_version_id=k.sauce_v.id, planned_quantity=qty, made_date=DAY)
    bat.change_status(session, b.id, "start")
    return b


def test_finish_production_records_the_actual_yield_and_waste(session, k):
    b = _in_production(session, k)
    with pytest.raises(ValidationError, match=r"^actual yield: record how much batch .* made"):
        bat.change_status(session, b.id, "to_qc")  # never again a silent actual = planned
    assert b.actual_quantity is None and b.status == "in_production"
    bat.finish_production(
        session,
        b.id,
        actual_quantity="22",
        waste_quantity="2",
        waste_reason="two bottles broke",
        actor="ann",
    )
    assert b.status == "qc_hold"
    assert (b.actual_quantity, b.waste_quantity, b.waste_reason) == (
        Decimal(22),
        Decimal(2),
        "two bottles broke",
    )
    assert isinstance(b.actual_quantity, Decimal) and b.qc_at is not None
    # what is left of the batch (what ships, what labels count) is the actual yield
    assert bat.batch_on_hand(session, b.id) == Decimal(22)


def test_finish_production_converts_the_unit_typed(session, k):
    mash = bat.plan_batch(
        session, recipe_version_id=k.mash_v.id, planned_quantity="5", made_date=DAY
    )
    bat.change_status(session, mash.id, "start")
    bat.finish_production(
        session,
        mash.id,
        actual_quantity="4800",
        unit="g",
        waste_quantity="150",
        waste_reason="spilt",
    )
    assert (mash.actual_quantity, mash.waste_quantity, mash.unit) == (
        Decimal("4.8"),
        Decimal("0.15"),
        "kg",
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"actual_quantity": ""}, ValidationError, r"^actual yield: "),
        ({"actual_quantity": "lots"}, ValidationError, r"^actual yield: 'lots' is not a number"),
        ({"actual_quantity": "-1"}, ValidationError, r"^actual yield: must not be negative"),
        ({"actual_quantity": "0"}, ValidationError, r"^actual yield: the batch made nothing"),
        ({"actual_quantity": 22.5}, ValidationError, r"^actual yield: give an exact number"),
        (
            {"actual_quantity": "22", "waste_quantity": "2"},
            ValidationError,
            r"^waste reason: say why 2 pcs was wasted or lost",
        ),
        (
            {"actual_quantity": "22", "waste_reason": "spilt"},
            ValidationError,
            r"^waste: give the quantity wasted or lost",
        ),
        (
            {"actual_quantity": "22", "waste_quantity": "-2", "waste_reason": "x"},
            ValidationError,
            r"^waste: must not be negative",
        ),
        ({"actual_quantity": "22", "unit": "kg"}, UnitError, r"^unit: cannot convert kg"),
    ],
)
def test_finish_production_refusals_name_the_field(session, k, kwargs, error, message):
    b = _in_production(session, k)
    with pytest.raises(error, match=message):
        bat.finish_production(session, b.id, **kwargs)
    assert (b.status, b.actual_quantity, b.waste_quantity) == ("in_production", None, None)


def test_finish_production_only_in_production(session, k):
    b = bat.plan_batch(
        session, recipe_version_id=k.sauce_v.id, planned_quantity="24", made_date=DAY
    )
    with pytest.raises(StatusError, match=r"^status: cannot finish production .*start production"):
        bat.finish_production(session, b.id, actual_quantity="24")
    r = released_batch(session, k.mash_v, "5")
    with pytest.raises(StatusError, match=r"^status: cannot finish .*: it is released"):
        bat.finish_production(session, r.id, actual_quantity="5")


def test_qc_history_keeps_the_failed_result_and_the_retest(session, k):
    b = _in_production(session, k)
    bat.finish_production(session, b.id, actual_quantity="24")
    taste, _note = k.sauce_v.qc_items
    bat.record_qc(session, b.id, taste.id, "fail", actor="ann", note="too salty")
    bat.record_qc(session, b.id, taste.id, "pass", actor="ben")
    hist = bat.qc_history(session, b.id)
    assert [(h.name, h.state, h.recorded_by, h.attempt, h.current, h.note) for h in hist] == [
        ("Taste", "fail", "ann", 1, False, "too salty"),
        ("Taste", "pass", "ben", 2, True, ""),
        ("Note", "missing", "", 1, True, ""),
    ]
    assert hist[0].recorded_at is not None and hist[0].recorded_at <= hist[1].recorded_at


def test_amendments_read_in_the_makers_words(session, k):
    assert bat.amendment_field_label("actual_quantity") == "Actual yield"
    assert bat.amendment_value_text("actual_quantity", "60.000000", "pcs") == "60 pcs"
    assert bat.amendment_value_text("actual_quantity", "4.800000", "kg") == "4.8 kg"
    assert bat.amendment_value_text("notes", "60.000000", "pcs") == "60.000000"
    assert bat.amendment_value_text("actual_quantity", "n/a", "pcs") == "n/a"
    b = released_batch(session, k.mash_v, "5")
    c = bat.plan_batch(
        session, recipe_version_id=k.sauce_v.id, planned_quantity="24", made_date=DAY
    )
    bat.record_consumption(session, c.id, lot_code=b.lot_code, quantity="3", unit="kg")
    with pytest.raises(
        ValidationError, match=r"^actual yield: 2 kg is less than the 3 kg already used"
    ):
        bat.amend_batch(
            session, b.id, field="actual_quantity", new_value="2", reason="r", actor="ann"
        )


def test_a_released_record_shows_every_qc_result_and_the_database_keeps_them(session_factory):
    """pH 4.6 failed, the retest 3.8 passed, then the batch was released: its record
    lists both with who and when, read from QC rows the database keeps unchanged (as it
    keeps the waste recorded at the end of production)."""
    from sqlalchemy import text

    from smallbatch_desktop.services import snapshots
    from smallbatch_desktop.services.reports import batch_record

    with session_factory.begin() as s:
        k = kitchen(s)
        b = bat.plan_batch(s, recipe_version_id=k.mash_v.id, planned_quantity="5", made_date=DAY)
        record_suggested_inputs(s, b.id)
        bat.change_status(s, b.id, "start")
        bat.finish_production(
            s, b.id, actual_quantity="4.8", waste_quantity="0.2", waste_reason="spilt", actor="Ann"
        )
        ph = k.mash_v.qc_items[0].id
        bat.record_qc(s, b.id, ph, "4.6", actor="Dana")
        bat.record_qc(s, b.id, ph, "3.8", actor="Eli")
        bat.change_status(s, b.id, "release", actor="Ben")
        bid = b.id

    def shown() -> tuple[object, ...]:
        with session_factory() as s:
            assert snapshots.load(s, bid) is not None  # a released record
            r = batch_record(s, bid)
            qc = [(q.value, q.state, q.recorded_by, q.attempt, q.current) for q in r.qc]
            return (qc, r.actual_quantity, r.waste_quantity, r.waste_reason)

    before = shown()
    assert before == (
        [("4.6", "fail", "Dana", 1, False), ("3.8", "pass", "Eli", 2, True)],
        Decimal("4.8"),
        Decimal("0.2"),
        "spilt",
    )
    for sql in (
        "UPDATE qc_results SET value_text = '3.5', passed = 1 WHERE batch_id = :b",
        "DELETE FROM qc_results WHERE batch_id = :b AND passed = 0",
        "UPDATE batches SET waste_quantity = NULL, waste_reason = '' WHERE id = :b",
    ):
        with pytest.raises(ImmutableError), session_factory.begin() as s:
            s.execute(text(sql), {"b": bid})
    assert shown() == before
