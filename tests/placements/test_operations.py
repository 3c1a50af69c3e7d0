"""Participants, employers and placements below the pages: what is stored, what is refused
(with which message, changing nothing), the audit trail, and a municipality's outcomes."""

from __future__ import annotations

from datetime import date

import pytest
from flask import session
from sqlalchemy import func, select

from koepel.platform.audit import AuditEvent
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.placements import (
    Employer,
    Placement,
    PlacementError,
    PlacementOutcomes,
    do_add_employer,
    do_add_participant,
    do_end_placement,
    do_start_placement,
    do_update_placement,
    placement_outcomes,
)
from tests.placements.baseline import pair

TODAY = date(2026, 11, 20)


@pytest.fixture
def e(app, db_session, baseline):
    """Inside employer cooperative A: its ids and a participant and employer of its own.
    (A request context: the messages are translated when they are made.)"""
    orgs = pair(baseline)
    with app.test_request_context(), tenant_context(orgs["employer_a"].id):
        session["lang"] = "en"
        participant = do_add_participant(name="  Ayla   Demir ", benefit_municipality_id=baseline.municipality.id,
                                         actor_id=None)
        employer = do_add_employer(name="Groen BV", kvk_number="1234 5678", actor_id=None)
        yield {"participant": participant.id, "employer": employer.id, "baseline": baseline, **orgs}


def start(e, **changes) -> Placement:
    values = {"participant_id": e["participant"], "employer_id": e["employer"], "kind": "participation",
              "start_date": date(2026, 3, 2), "hours_per_week": 20, "guide": "Mira", "guidance_plan": "Weekly",
              "actor_id": None, "today": TODAY, **changes}
    return do_start_placement(**values)


def refused(call, field: str, message: str) -> None:
    with pytest.raises(PlacementError) as caught:
        call()
    assert caught.value.field == field
    assert message in str(caught.value)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_placement_is_stored_active_and_audited(e):
    placement = start(e)
    assert placement.status == "active" and placement.end_date is None
    assert (placement.hours_per_week, placement.guide, placement.kind) == (20, "Mira", "participation")
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(placement.id),
                                                                 AuditEvent.object_type == "placement")).all()
    assert actions == ["placements.started"]


def test_names_are_tidied_and_the_kvk_number_kept_compact(e):
    from koepel.tenants.placements import Participant

    assert db.session.get(Participant, (e["employer_a"].id, e["participant"])).name == "Ayla Demir"
    assert db.session.get(Employer, (e["employer_a"].id, e["employer"])).kvk_number == "12345678"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"hours_per_week": 0}, "hours_per_week", "from 1 to 40"),
    ({"hours_per_week": 41}, "hours_per_week", "from 1 to 40"),
    ({"hours_per_week": None}, "hours_per_week", "from 1 to 40"),
    ({"kind": "internship"}, "kind", "Choose the kind"),
    ({"start_date": None}, "start_date", "Enter the start date"),
    ({"start_date": date(1899, 1, 1)}, "start_date", "between 1990 and 2100"),
    ({"start_date": date(2028, 1, 1)}, "start_date", "until the end of next year"),
    ({"participant_id": None}, "participant_id", "Choose a participant"),
    ({"participant_id": 999999999}, "participant_id", "Choose a participant"),
    ({"employer_id": 999999999}, "employer_id", "Choose an employer"),
    ({"guidance_plan": "x" * 4001}, "guidance_plan", "at most 4000"),
])
def test_a_bad_placement_is_refused_and_nothing_is_stored(e, changes, field, message):
    before = count(Placement)
    refused(lambda: start(e, **changes), field, message)
    assert count(Placement) == before


def test_hours_at_the_limits_are_accepted(e):
    assert start(e, hours_per_week=1).hours_per_week == 1
    assert start(e, hours_per_week=40).hours_per_week == 40


def test_another_tenants_participant_and_employer_cannot_be_named(e):
    b = e["baseline"]
    before = count(Placement)
    refused(lambda: start(e, participant_id=b.extra["placement_participant_b"]), "participant_id", "Choose a participant")
    refused(lambda: start(e, employer_id=b.extra["placement_employer_b"]), "employer_id", "Choose an employer")
    assert count(Placement) == before


def test_ending_a_placement(e):
    placement = start(e)
    do_end_placement(placement, end_date=date(2026, 9, 30), reason="permanent_job", note="Hired by the bakery",
                     actor_id=None, today=TODAY)
    assert (placement.status, placement.end_date, placement.end_reason) == ("ended", date(2026, 9, 30), "permanent_job")
    assert placement.end_note == "Hired by the bakery" and placement.ended_at is not None
    # The same end arriving twice is refused the second time and changes nothing.
    refused(lambda: do_end_placement(placement, end_date=date(2026, 10, 1), reason="moved", actor_id=None,
                                     today=TODAY), "end_date", "already ended")
    db.session.expire_all()
    assert db.session.get(Placement, (placement.tenant_id, placement.id)).end_date == date(2026, 9, 30)


@pytest.mark.parametrize(("end_date", "reason", "note", "field", "message"), [
    (date(2026, 3, 1), "moved", "", "end_date", "cannot be before the start date (02-03-2026)"),
    (date(2026, 11, 21), "moved", "", "end_date", "cannot be in the future"),
    (None, "moved", "", "end_date", "Enter the end date"),
    (date(2026, 6, 1), None, "", "reason", "Choose why"),
    (date(2026, 6, 1), "fired", "", "reason", "Choose why"),
    (date(2026, 6, 1), "other", "  ", "note", "Describe the reason"),
    (date(2026, 6, 1), "moved", "x" * 1001, "note", "at most 1000"),
])
def test_a_bad_end_is_refused_and_the_placement_stays_active(e, end_date, reason, note, field, message):
    placement = start(e)
    refused(lambda: do_end_placement(placement, end_date=end_date, reason=reason, note=note, actor_id=None,
                                     today=TODAY), field, message)
    db.session.expire_all()
    assert db.session.get(Placement, (placement.tenant_id, placement.id)).end_date is None


def test_a_placement_may_end_on_its_first_day(e):
    placement = start(e)
    do_end_placement(placement, end_date=placement.start_date, reason="dropped_out", actor_id=None, today=TODAY)
    assert placement.status == "ended"


def test_an_ended_placement_cannot_be_moved_to_start_after_its_end(e):
    placement = start(e)
    do_end_placement(placement, end_date=date(2026, 5, 1), reason="health", actor_id=None, today=TODAY)
    refused(lambda: do_update_placement(placement, participant_id=e["participant"], employer_id=e["employer"],
                                        kind="participation", start_date=date(2026, 5, 2), hours_per_week=20,
                                        actor_id=None, today=TODAY), "start_date", "ended on 01-05-2026")


def test_changing_a_placement_records_the_fields_changed(e):
    placement = start(e)
    do_update_placement(placement, participant_id=e["participant"], employer_id=e["employer"], kind="sheltered",
                        start_date=date(2026, 3, 2), hours_per_week=32, guide="Mira", guidance_plan="Weekly",
                        actor_id=None, today=TODAY)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "placements.changed"))
    assert event.details == {"fields": ["hours_per_week", "kind"]}


@pytest.mark.parametrize(("kvk", "message"), [("1234567", "8 digits"), ("1234567a", "8 digits")])
def test_a_bad_kvk_number_is_refused(e, kvk, message):
    refused(lambda: do_add_employer(name="Bad BV", kvk_number=kvk, actor_id=None), "kvk_number", message)


def test_a_kvk_number_is_used_once_per_cooperative(e):
    refused(lambda: do_add_employer(name="Copy BV", kvk_number="12345678", actor_id=None), "kvk_number",
            "Another employer")
    # ... the other employer cooperative may have the same company as a member.
    with tenant_context(e["employer_b"].id):
        assert do_add_employer(name="Groen BV", kvk_number="12345678", actor_id=None).kvk_number == "12345678"


def test_the_contact_must_be_an_employer_account_of_this_cooperative(e):
    coordinator = e["employer_coordinator_a"].id
    refused(lambda: do_add_employer(name="Contact BV", contact_user_id=coordinator, actor_id=None),
            "contact_user_id", "role employer")
    employer = do_add_employer(name="Contact BV", contact_user_id=e["employer_contact_a"].id, actor_id=None)
    assert employer.contact_user_id == e["employer_contact_a"].id


def test_a_participants_benefit_municipality_must_be_a_municipality(e):
    refused(lambda: do_add_participant(name="Sam", benefit_municipality_id=e["baseline"].coop_a.id, actor_id=None),
            "benefit_municipality_id", "Choose a municipality")
    refused(lambda: do_add_participant(name="Sam", date_of_birth=date(2030, 1, 1), actor_id=None, today=TODAY),
            "date_of_birth", "in the past")
    refused(lambda: do_add_participant(name="   ", actor_id=None), "name", "Enter the name")


def test_placement_outcomes_for_a_municipality(e):
    municipality = e["baseline"].municipality.id
    other = do_add_participant(name="Elsewhere", benefit_municipality_id=e["baseline"].municipality_b.id,
                               actor_id=None).id

    def placed(start_date, end=None, reason=None, participant=e["participant"]):
        placement = start(e, participant_id=participant, start_date=start_date)
        if end:
            do_end_placement(placement, end_date=end, reason=reason, actor_id=None, today=TODAY)

    placed(date(2025, 3, 1))  # 6-month mark 2025-09-01 (before the period), 12: 2026-03-01 in it, lasted
    placed(date(2025, 9, 15), date(2026, 2, 1), "dropped_out")  # 6: 2026-03-15 in it, not lasted
    placed(date(2026, 1, 10), date(2026, 4, 1), "permanent_job")  # started; 6: 2026-07-10 in it, lasted
    placed(date(2026, 5, 1), date(2026, 6, 30), "health")  # started; ended on the last day; 6: after the period
    placed(date(2026, 7, 1))  # after the period: not counted at all
    placed(date(2026, 1, 10), participant=other)  # another municipality's resident
    # The baseline's placement of participant A (municipality M) counts too: started
    # 2026-02-02, active, its 6-month mark on 2026-08-02.
    result = placement_outcomes(municipality, date(2026, 1, 1), date(2026, 6, 30))
    assert result == PlacementOutcomes(started=3, active=2, ended={"permanent_job": 1, "dropped_out": 1, "health": 1},
                                       reached_6=1, lasted_6=0, reached_12=1, lasted_12=1)
    # The second half: the marks of 2026-07-10 (moved on: lasted), 2026-08-02 (the
    # baseline's, running: lasted) and 2026-11-01 (ended in June: not lasted).
    second = placement_outcomes(municipality, date(2026, 7, 1), date(2026, 12, 31))
    assert (second.started, second.active, second.reached_6, second.lasted_6) == (1, 3, 3, 2)
    assert (second.reached_12, second.lasted_12, second.ended) == (1, 0, {})
    with pytest.raises(ValueError):
        placement_outcomes(municipality, date(2026, 2, 1), date(2026, 1, 1))


def test_placement_outcomes_see_only_the_cooperative_of_the_context(e):
    """The baseline's placement of employer cooperative B (for municipality N) is not
    counted in A's context, and A's not in B's."""
    b = e["baseline"]
    period = (date(2026, 1, 1), date(2026, 12, 31))
    assert placement_outcomes(b.municipality_b.id, *period).started == 0
    with tenant_context(e["employer_b"].id):
        assert placement_outcomes(b.municipality_b.id, *period).started == 1
        assert placement_outcomes(b.municipality.id, *period).started == 0
