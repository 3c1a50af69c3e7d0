"""The outcome aggregates: a small world of known journeys, ladder measurements, a
settlement and placements, computed into `outcome_figures` and read back through the
queries the pages use. Counting day: 15 June 2026.

The computation reads and writes on the umbrella's own connection, so the world here is
committed for real (in tenants of its own, purged afterwards) rather than inside the
rolled-back transaction of the `app` fixture, which that connection could not see."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from sqlalchemy import delete, select, text

from tests.conftest import _clear_queue, purge_tenant

TODAY = date(2026, 6, 15)
SINGLE, COUPLE = 134545, 192207  # bijstand norms from 2025 (the parameters migration)
JAN, MAY = date(2026, 1, 1), date(2026, 5, 31)


def _member(tenant_id, name, municipality_id, steps, *, household=None, trial_ends_on=None):
    """A member and their dated steps [(to_stage, on_date, outcome)]."""
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.members.models import JourneyTransition, Member

    with tenant_context(tenant_id):
        last_stage, last_on, last_outcome = steps[-1]
        member = Member(name=name, benefit_municipality_id=municipality_id, household=household, stage=last_stage,
                        stage_since=last_on, outcome=last_outcome, trial_ends_on=trial_ends_on)
        db.session.add(member)
        db.session.flush()
        previous = None
        for stage, on_date, outcome in steps:
            db.session.add(JourneyTransition(member_id=member.id, from_stage=previous, to_stage=stage,
                                             outcome=outcome, on_date=on_date))
            previous = stage
        db.session.flush()
        return member.id


def _measure(tenant_id, member_id, *rungs):
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.ladder.models import Measurement

    with tenant_context(tenant_id):
        for on_date, rung in rungs:
            db.session.add(Measurement(member_id=member_id, rung=rung, measured_on=on_date))
        db.session.flush()


def _settle(cooperative_id, municipality_id, month, lines):
    """A settlement of `month` with {member_id: (earned, municipality share)}: its owed cents."""
    from koepel.platform.db import db
    from koepel.platform.tenancy import Tenant, tenant_context
    from koepel.tenants.members import Member
    from koepel.tenants.settlements.operations import (
        ClosePlan,
        MemberMonth,
        send_settlement,
        settlement_rows,
    )

    with tenant_context(cooperative_id):
        month_lines, born = {}, {}
        for member_id, (earned, municipality) in lines.items():
            member = db.session.get(Member, (cooperative_id, member_id))
            cooperative_share = earned // 10
            month_lines[member_id] = MemberMonth(member_id, member.name, earned=earned, cooperative=cooperative_share,
                                                 training=0, municipality=municipality,
                                                 pot=earned - cooperative_share - municipality)
            born[member_id] = None
        plan = ClosePlan(municipality_id, db.session.get(Tenant, municipality_id).name, None, month_lines, 0)
        rows = settlement_rows(plan, month, "pot", born)
        settlement = send_settlement(plan, month, rows, db.session.get(Tenant, cooperative_id).name, None)
        db.session.flush()
        return settlement.owed_cents


def _placement(tenant_id, municipality_id, name, start, end=None, reason=None):
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.placements.models import Employer, Participant, Placement

    with tenant_context(tenant_id):
        participant = Participant(name=name, benefit_municipality_id=municipality_id)
        employer = Employer(name=f"Werkgever van {name}")
        db.session.add_all([participant, employer])
        db.session.flush()
        db.session.add(Placement(participant_id=participant.id, employer_id=employer.id, kind="participation",
                                 start_date=start, hours_per_week=20, guide="Gids", guidance_plan="Plan",
                                 end_date=end, end_reason=reason, end_note=""))
        db.session.flush()


@pytest.fixture
def world(_session_app, baseline, admin_dsn):
    from koepel.platform.db import db

    made: list[int] = []
    with _session_app.app_context():
        try:
            yield _build_world(made)
        finally:
            db.session.remove()
            for tenant_id in made:
                purge_tenant(admin_dsn, tenant_id)
            with psycopg.connect(admin_dsn) as conn:
                conn.execute("DELETE FROM outcome_figures")
            _clear_queue(_session_app)


def _build_world(made: list[int]) -> dict:
    from koepel.platform.db import db
    from koepel.platform.tenancy.operations import do_create_tenant

    tenants = {key: do_create_tenant(kind=kind, slug=f"outcomes-{key}", name=f"Outcomes {key.upper()}",
                                     status="active").id
               for key, kind in [("x", "cooperative"), ("y", "cooperative"), ("e", "employer_cooperative"),
                                 ("p", "municipality"), ("q", "municipality")]}
    db.session.commit()
    made.extend(tenants.values())
    x, y, e, p, q = (tenants[k] for k in "xyepq")
    ann = _member(x, "Ann", p, [("referred", date(2025, 1, 10), None), ("intake", date(2025, 1, 20), None),
                                ("business_plan", date(2025, 2, 1), None), ("trial", date(2025, 3, 1), None),
                                ("member", date(2025, 6, 1), None), ("outflow", date(2025, 9, 10), "regular_job")],
                  household="couple")
    bob = _member(x, "Bob", p, [("intake", date(2025, 11, 5), None), ("business_plan", date(2025, 12, 1), None),
                                ("trial", date(2026, 1, 15), None)], trial_ends_on=date(2026, 7, 15))
    cas = _member(x, "Cas", p, [("referred", date(2025, 3, 3), None), ("intake", date(2025, 3, 20), None),
                                ("business_plan", date(2025, 4, 1), None), ("trial", date(2025, 5, 1), None),
                                ("member", date(2025, 8, 1), None), ("outflow", date(2025, 10, 1), "own_business"),
                                ("intake", date(2026, 2, 10), None)])
    dan = _member(x, "Dan", q, [("intake", date(2025, 12, 1), None), ("stopped", date(2026, 2, 20), "own_choice")])
    _member(y, "Eve", p, [("intake", date(2024, 1, 10), None), ("business_plan", date(2024, 2, 1), None),
                          ("trial", date(2024, 3, 1), None), ("member", date(2024, 6, 1), None)])
    _measure(x, ann, (date(2025, 1, 20), 2), (date(2025, 7, 1), 3), (date(2026, 1, 5), 3))
    _measure(x, bob, (date(2025, 11, 5), 4), (date(2026, 5, 2), 2))
    owed = _settle(x, p, date(2026, 3, 1), {bob: (600_00, 50_00), cas: (200_00, 10_00)})
    _placement(e, p, "Pia", date(2025, 10, 15))
    _placement(e, p, "Quin", date(2025, 9, 1), date(2025, 12, 31), "dropped_out")
    db.session.commit()
    return {**tenants, "dan": dan, "owed": owed}


def _aggregate(progress=None):
    from koepel.services.outcomes.aggregate import run_aggregation

    return run_aggregation(progress, today=TODAY)


def _rows(municipality_ids):
    from koepel.platform.db import db

    return sorted(db.session.execute(text(
        "SELECT month, municipality_id, provider_id, indicator, people, total, largest FROM outcome_figures "
        "WHERE municipality_id = ANY(:ids)"), {"ids": municipality_ids}).all())


def _f(people, total=None, largest=None):
    from koepel.services.outcomes import Figure

    return Figure(people, people if total is None else total, (1 if people else 0) if largest is None else largest)


def test_each_indicator_counts_the_known_journeys(world):
    from koepel.services.outcomes import INDICATORS, figures

    _aggregate()
    p, q = world["p"], world["q"]
    spring = figures([p], JAN, MAY)
    assert set(spring) == set(INDICATORS)
    # Stocks at the end of May: Bob (trial), Cas (re-entered intake), Eve (member of Y).
    assert spring["members"] == _f(3)
    assert spring["in_trial"] == _f(1)
    assert [spring[k].people for k in ("length_lt_6m", "length_6_12m", "length_1_2y", "length_gt_2y")] == [0, 1, 1, 1]
    assert spring["referred"] == _f(1)  # Cas's re-entry in February
    assert spring["outflow_due_6"] == _f(2)  # Ann's mark in March, Cas's in April
    assert spring["outflow_lasted_6"] == _f(1)  # Cas came back before the mark
    assert spring["outflow_due_12"] == _f(0)
    assert (spring["ladder_up"], spring["ladder_same"], spring["ladder_down"]) == (_f(0), _f(1), _f(1))
    assert spring["with_earnings"] == _f(2, 800_00, 600_00)
    assert world["owed"] > 0
    assert spring["returned_cents"] == _f(2, world["owed"], min(world["owed"], 50_00))
    # Ann (couple) January to May, Cas (household unknown: single) only January: he came
    # back in February. People are person-months; largest adds the months' largest.
    assert spring["saving_cents"] == _f(6, 5 * COUPLE + SINGLE, 5 * COUPLE)
    assert spring["placements_started"] == _f(0)
    assert spring["placements_active"] == _f(1)  # Pia; Quin ended on 31 December
    assert spring["placements_due_6"] == _f(2)  # Quin's mark in March, Pia's in April
    assert spring["placements_lasted_6"] == _f(1)
    assert spring["stopped"] == _f(0)

    year = figures([p], date(2025, 1, 1), date(2025, 12, 31))
    assert (year["outflow_work"], year["outflow_business"], year["outflow_other"]) == (_f(1), _f(1), _f(0))
    assert year["referred"] == _f(3)  # Ann, Cas, Bob started; Ann's referral and intake count once
    assert year["ladder_up"] == _f(1)
    assert year["placements_started"] == _f(2, 2, 1)
    assert year["placements_active"] == _f(1)  # at the end of December: Pia only
    assert year["members"] == _f(2)  # Bob and Eve at the end of 2025

    assert figures([q], JAN, MAY)["stopped"] == _f(1)
    assert figures([q], JAN, MAY)["members"] == _f(0)
    both = figures([p, q], date(2025, 12, 1), date(2025, 12, 31))
    assert both["members"] == _f(3)  # Bob, Eve in P; Dan in Q


def test_monthly_and_by_provider_give_what_the_pages_show(world):
    from koepel.services.outcomes import by_provider, monthly, provider_names

    _aggregate()
    p = world["p"]
    series = monthly([p], "members", JAN, MAY)
    assert [(m.month, f.people) for m, f in series] == [(1, 2), (2, 3), (3, 3), (4, 3), (5, 3)]
    assert [f.total for _, f in monthly([p], "saving_cents", JAN, date(2026, 3, 31))] == [COUPLE + SINGLE, COUPLE,
                                                                                        COUPLE]
    with pytest.raises(ValueError):
        monthly([p], "no_such_indicator", JAN, MAY)
    providers = by_provider(p, JAN, MAY)
    assert set(providers) == {world["x"], world["y"], world["e"]}
    assert providers[world["x"]]["members"].people == 2
    assert providers[world["y"]]["members"].people == 1
    assert providers[world["e"]]["placements_active"].people == 1
    assert provider_names([world["x"]]) == {world["x"]: "Outcomes X"}


def test_recomputing_gives_the_same_rows_and_removed_data_disappears(world):
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.services.outcomes import figures, last_computed
    from koepel.tenants.members.models import Member

    first = _aggregate()
    rows = _rows([world["p"], world["q"]])
    assert rows and last_computed() == first.computed_at
    second = _aggregate()
    assert _rows([world["p"], world["q"]]) == rows
    assert last_computed() == second.computed_at > first.computed_at

    with tenant_context(world["x"]):
        db.session.execute(delete(Member).where(Member.id == world["dan"]))
        db.session.commit()
    assert any(r.municipality_id == world["q"] for r in rows)
    _aggregate()
    assert _rows([world["q"]]) == []
    assert figures([world["q"]], JAN, MAY)["stopped"].people == 0
    assert _rows([world["p"]]) == [r for r in rows if r.municipality_id == world["p"]]


def test_the_app_role_may_read_but_not_write(world, app_role_dsn):
    _aggregate()
    with psycopg.connect(app_role_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM outcome_figures WHERE municipality_id = %s",
                            [world["p"]]).fetchone()[0] > 0
    for statement in (
        "INSERT INTO outcome_figures (month, municipality_id, provider_id, indicator, people, total, largest, "
        f"computed_at) VALUES ('2026-01-01', {world['p']}, {world['x']}, 'members', 1, 1, 1, now())",
        "UPDATE outcome_figures SET people = 0",
        "DELETE FROM outcome_figures",
    ):
        with psycopg.connect(app_role_dsn) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_the_job_reports_progress_and_schedules_the_next_night(world):
    from koepel.platform.db import db
    from koepel.platform.jobs import JobRun, queue
    from koepel.platform.tenancy import Tenant, tenant_context
    from koepel.services.outcomes import AGGREGATE_JOB, do_request_aggregation
    from koepel.services.outcomes.jobs import aggregate_outcomes, next_nightly, nightly_job_id

    class Recorder:
        def __init__(self):
            self.calls = []

        def progress(self, done, total, message=""):
            self.calls.append((done, total))

    ctx = Recorder()
    result = aggregate_outcomes(ctx)
    providers = db.session.scalar(select(text("count(*)")).select_from(Tenant).where(
        Tenant.kind.in_(("cooperative", "employer_cooperative"))))
    assert ctx.calls[0] == (0, providers) and ctx.calls[-1] == (providers, providers)
    assert [done for done, _ in ctx.calls] == list(range(providers + 1))
    assert result["providers"] == providers and result["rows"] > 0
    from datetime import UTC, datetime

    scheduled = queue().scheduled_job_registry.get_job_ids()
    assert nightly_job_id(next_nightly(datetime.now(UTC)), queue().name) in scheduled
    # 02:30 in Amsterdam: 00:30 UTC in summer, 01:30 UTC in winter.
    assert next_nightly(datetime(2026, 6, 15, 0, 29, tzinfo=UTC)) == datetime(2026, 6, 15, 0, 30, tzinfo=UTC)
    assert next_nightly(datetime(2026, 6, 15, 0, 30, tzinfo=UTC)) == datetime(2026, 6, 16, 0, 30, tzinfo=UTC)
    assert next_nightly(datetime(2026, 1, 15, 1, 31, tzinfo=UTC)) == datetime(2026, 1, 16, 1, 30, tzinfo=UTC)
    assert next_nightly(datetime(2026, 1, 15, 1, 29, tzinfo=UTC)) == datetime(2026, 1, 15, 1, 30, tzinfo=UTC)

    with tenant_context(world["p"]):
        run = do_request_aggregation(actor_id=None)
        assert run.kind == AGGREGATE_JOB and run.status == "queued"
        assert do_request_aggregation(actor_id=None).id == run.id  # not queued twice
        db.session.commit()
        assert db.session.scalar(select(JobRun.id).where(JobRun.kind == AGGREGATE_JOB)) == run.id
    assert run.rq_job_id in queue().job_ids  # sent to the workers once committed


@pytest.fixture
def peers(db_session, admin_dsn):
    """Municipality tenants linked to CBS codes; urbanity set for the test, put back after."""
    from koepel.platform.tenancy.operations import do_create_tenant

    urbanity = {"GM0050": 4, "GM0059": 4, "GM1681": 5, "GM1690": None}
    with psycopg.connect(admin_dsn) as conn:
        before = conn.execute("SELECT cbs_code, inhabitants, urbanity FROM reference_municipalities "
                              "WHERE cbs_code = ANY(%s)", [[*urbanity, "GM0820"]]).fetchall()
        # Sizes as in the shipped file (20,000 to 50,000): fixed here so the test does not
        # depend on data still being completed.
        for code, value in urbanity.items():
            conn.execute("UPDATE reference_municipalities SET urbanity = %s, inhabitants = 30000 WHERE cbs_code = %s",
                         [value, code])
        conn.execute("UPDATE reference_municipalities SET inhabitants = NULL WHERE cbs_code = 'GM0820'")
    tenants = {}
    for code in (*urbanity, "GM0820"):
        tenant = do_create_tenant(kind="municipality", slug=f"peer-{code.lower()}", name=f"Peer {code}",
                                  status="active")
        tenant.cbs_code = code
        tenants[code] = tenant.id
    db_session.flush()
    try:
        yield tenants
    finally:
        with psycopg.connect(admin_dsn) as conn:
            for code, inhabitants, value in before:
                conn.execute("UPDATE reference_municipalities SET inhabitants = %s, urbanity = %s WHERE cbs_code = %s",
                             [inhabitants, value, code])


def test_peers_by_size_class_and_urbanity(peers, db_session):
    from koepel.services.outcomes import peer_basis, peer_municipalities

    assert peer_municipalities(peers["GM0050"]) == [peers["GM0059"]]
    assert peer_basis(peers["GM0050"])["basis"] == "size_and_urbanity"
    # Urbanity unknown: the same size class, whatever the urbanity of the others.
    assert peer_municipalities(peers["GM1690"]) == sorted([peers["GM0050"], peers["GM0059"], peers["GM1681"]])
    assert peer_basis(peers["GM1690"]) | {"name": None} == {
        "cbs_code": "GM1690", "name": None, "size_class": "20k_50k", "urbanity": None, "basis": "size_only"}
    # Size unknown, or no CBS code at all: no peers, and the basis says so.
    assert peer_municipalities(peers["GM0820"]) == []
    assert peer_basis(peers["GM0820"])["basis"] == "none"
