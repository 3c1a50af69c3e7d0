"""The whole referral at the HTTP level: the client manager of municipality M refers a
resident to cooperative A, A's coordinator accepts, and the journey's stages come back."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from koepel.tenants.members import Member
from koepel.tenants.referrals import IncomingReferral, Referral, ReferralEvent
from tests.referrals.conftest import (
    HANDOVER,
    form_data,
    in_tenant,
    incoming_of,
    incoming_url,
    referrals_url,
    sent_id,
)


def counts(app, baseline) -> tuple[int, int]:
    with in_tenant(app, baseline.municipality.id) as session:
        sent = session.scalar(select(func.count()).select_from(Referral))
    with in_tenant(app, baseline.coop_a.id) as session:
        received = session.scalar(select(func.count()).select_from(IncomingReferral))
    return sent, received


def history(app, baseline, referral_id) -> list[tuple]:
    with in_tenant(app, baseline.municipality.id) as session:
        return [(e.status, e.stage, e.outcome) for e in session.scalars(
            select(ReferralEvent).where(ReferralEvent.referral_id == referral_id).order_by(ReferralEvent.id))]


def transition(client, member_id, stage, *, reason="", outcome=""):
    response = client.post(f"/t/coop-a/members/{member_id}/transition", data={
        "to_stage": stage, "on_date": date.today().isoformat(), "outcome": outcome, "reason": reason})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_refer_accept_and_follow_the_journey(app, baseline, manager, coordinator):
    # The client manager opens the form (it carries a one-time key) and sends.
    page = manager.get(referrals_url(baseline, "new"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Coöperatie A" in html and "Coöperatie B" in html
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="idempotency_key"', html)
    response = manager.post(referrals_url(baseline, "new"), data=form_data(baseline, idempotency_key=key.group(1)))
    referral_id = sent_id(response)
    shown = manager.get(referrals_url(baseline, str(referral_id))).get_data(as_text=True)
    assert "Sent, awaiting an answer" in shown and "KM-2026-0042" in shown
    listed = manager.get(referrals_url(baseline)).get_data(as_text=True)
    assert "Fenna Visser" in listed and "Coöperatie A" in listed

    # The cooperative sees it waiting, with what was shared.
    sent, received = incoming_of(app, baseline, referral_id)
    assert received["status"] == "pending" and received["from_name"] == "Gemeente M"
    waiting = coordinator.get(incoming_url(baseline)).get_data(as_text=True)
    assert "Fenna Visser" in waiting and "Awaiting your answer" in waiting
    detail = coordinator.get(incoming_url(baseline, str(received["id"]))).get_data(as_text=True)
    assert HANDOVER in detail and "fenna@resident.example.org" in detail and "KM-2026-0042" not in detail

    # It accepts: the resident becomes a member, referred by the municipality.
    response = coordinator.post(incoming_url(baseline, f"{received['id']}/accept"))
    assert response.status_code == 302
    sent, received = incoming_of(app, baseline, referral_id)
    assert received["status"] == "accepted" and received["member_id"]
    with in_tenant(app, baseline.coop_a.id) as session:
        member = session.scalar(select(Member).where(Member.id == received["member_id"]))
        assert (member.name, member.email, member.phone, member.date_of_birth) == (
            "Fenna Visser", "fenna@resident.example.org", "06 9876 5432", date(1984, 3, 9))
        assert (member.stage, member.referral_source, member.municipality) == ("referred", "municipality", "Gemeente M")
        assert member.benefit_municipality_id == baseline.municipality.id  # its agreement applies
    page = coordinator.get(incoming_url(baseline, str(received["id"]))).get_data(as_text=True)
    assert f'href="/t/coop-a/members/{received["member_id"]}"' in page
    assert (sent["status"], sent["stage"], sent["stage_on"]) == ("accepted", "referred", date.today())
    assert history(app, baseline, referral_id) == [("sent", None, None), ("accepted", "referred", None)]

    # The journey moves on; every step is mirrored to the municipality (stage, outcome, date).
    for stage in ("intake", "business_plan", "trial", "member"):
        transition(coordinator, received["member_id"], stage, reason=f"Private note about {stage}")
        sent, _ = incoming_of(app, baseline, referral_id)
        assert (sent["stage"], sent["outcome"], sent["stage_on"]) == (stage, None, date.today())
    transition(coordinator, received["member_id"], "outflow", outcome="own_business", reason="Private: KvK done")
    sent, _ = incoming_of(app, baseline, referral_id)
    assert (sent["status"], sent["stage"], sent["outcome"]) == ("accepted", "outflow", "own_business")
    assert history(app, baseline, referral_id)[2:] == [
        (None, "intake", None), (None, "business_plan", None), (None, "trial", None), (None, "member", None),
        (None, "outflow", "own_business")]

    # The municipality sees the stage and outcome, never the cooperative's reasons.
    shown = manager.get(referrals_url(baseline, str(referral_id))).get_data(as_text=True)
    assert "Accepted" in shown and "Outflow" in shown and "To an own business outside the cooperative" in shown
    assert "Private" not in shown
    listed = manager.get(referrals_url(baseline)).get_data(as_text=True)
    assert "Outflow: To an own business outside the cooperative" in listed


def test_a_member_who_did_not_come_through_a_referral_tells_no_municipality(app, baseline, coordinator):
    before = counts(app, baseline)
    with in_tenant(app, baseline.municipality.id) as session:
        events = session.scalar(select(func.count()).select_from(ReferralEvent))
    transition(coordinator, baseline.extra["member_a"], "business_plan")
    with in_tenant(app, baseline.municipality.id) as session:
        assert session.scalar(select(func.count()).select_from(ReferralEvent)) == events
    assert counts(app, baseline) == before


def test_the_same_form_sent_twice_makes_one_referral(app, baseline, manager):
    before = counts(app, baseline)
    data = form_data(baseline)
    first = sent_id(manager.post(referrals_url(baseline, "new"), data=data))
    second = manager.post(referrals_url(baseline, "new"), data=data, follow_redirects=True)
    assert second.status_code == 200 and "This referral had already been sent." in second.get_data(as_text=True)
    assert second.request.path == referrals_url(baseline, str(first))
    assert counts(app, baseline) == (before[0] + 1, before[1] + 1)
    # Below the HTTP layer too: the operation returns the first referral.
    from koepel.tenants.referrals import do_send_referral

    with in_tenant(app, baseline.municipality.id, baseline.client_manager.id):
        again = do_send_referral(resident_name="Someone Else", handover="Other text", consent=True,
                                 target_tenant_id=baseline.coop_b.id, idempotency_key=data["idempotency_key"],
                                 actor_id=baseline.client_manager.id)
        assert again.id == first and again.resident_name == "Fenna Visser"
    assert counts(app, baseline) == (before[0] + 1, before[1] + 1)


def test_a_form_without_its_key_is_refused(app, baseline, manager):
    before = counts(app, baseline)
    response = manager.post(referrals_url(baseline, "new"), data=form_data(baseline, idempotency_key=None))
    assert response.status_code == 400
    assert "The form has expired. Open it again." in response.get_data(as_text=True)
    assert counts(app, baseline) == before


def test_withdraw_while_pending(app, baseline, manager, coordinator):
    referral_id = sent_id(manager.post(referrals_url(baseline, "new"), data=form_data(baseline)))
    response = manager.post(referrals_url(baseline, f"{referral_id}/withdraw"), follow_redirects=True)
    assert response.status_code == 200 and "Withdrawn" in response.get_data(as_text=True)
    sent, received = incoming_of(app, baseline, referral_id)
    assert sent["status"] == received["status"] == "withdrawn"
    # The cooperative keeps only the name of a withdrawn referral.
    assert (received["name"], received["email"], received["phone"], received["date_of_birth"],
            received["handover"]) == ("Fenna Visser", None, None, None, None)
    assert history(app, baseline, referral_id)[-1] == ("withdrawn", None, None)
    # ... and can no longer accept it.
    response = coordinator.post(incoming_url(baseline, f"{received['id']}/accept"))
    assert response.status_code == 409 and "already been answered" in response.get_data(as_text=True)
    assert incoming_of(app, baseline, referral_id)[1]["member_id"] is None


def test_an_accepted_referral_can_no_longer_be_withdrawn(app, baseline, manager, coordinator):
    referral_id = sent_id(manager.post(referrals_url(baseline, "new"), data=form_data(baseline)))
    _, received = incoming_of(app, baseline, referral_id)
    assert coordinator.post(incoming_url(baseline, f"{received['id']}/accept")).status_code == 302
    response = manager.post(referrals_url(baseline, f"{referral_id}/withdraw"))
    assert response.status_code == 409
    assert "Only a referral the cooperative has not answered yet can be withdrawn." in response.get_data(as_text=True)
    sent, received = incoming_of(app, baseline, referral_id)
    assert sent["status"] == received["status"] == "accepted"


def test_decline_needs_a_reason_which_goes_to_the_municipality(app, baseline, manager, coordinator):
    referral_id = sent_id(manager.post(referrals_url(baseline, "new"), data=form_data(baseline)))
    _, received = incoming_of(app, baseline, referral_id)
    url = incoming_url(baseline, f"{received['id']}/decline")
    response = coordinator.post(url, data={"reason": "   "})
    assert response.status_code == 400
    assert "Tell the municipality why: the reason goes to the client manager." in response.get_data(as_text=True)
    assert incoming_of(app, baseline, referral_id)[1]["status"] == "pending"

    reason = "We have no place for a bike workshop until spring; please ask Coöperatie B."
    assert coordinator.post(url, data={"reason": reason}).status_code == 302
    sent, received = incoming_of(app, baseline, referral_id)
    assert (sent["status"], sent["decline_reason"], sent["stage"]) == ("declined", reason, None)
    assert (received["status"], received["email"], received["handover"]) == ("declined", None, None)
    assert history(app, baseline, referral_id)[-1] == ("declined", None, None)
    shown = manager.get(referrals_url(baseline, str(referral_id))).get_data(as_text=True)
    assert "Declined" in shown and "We have no place for a bike workshop until spring" in shown
    # Declined once is answered: a second answer is refused.
    assert coordinator.post(incoming_url(baseline, f"{received['id']}/accept")).status_code == 409


def test_pending_incoming_count(app, baseline, manager):
    from koepel.tenants.referrals import open_referral_count, pending_incoming_count

    with in_tenant(app, baseline.coop_a.id):
        before = pending_incoming_count()
    with in_tenant(app, baseline.municipality.id):
        open_before = open_referral_count()
    sent_id(manager.post(referrals_url(baseline, "new"), data=form_data(baseline)))
    with in_tenant(app, baseline.coop_a.id):
        assert pending_incoming_count() == before + 1
    with in_tenant(app, baseline.coop_b.id):
        assert pending_incoming_count() == 1  # the baseline's, not A's
    with in_tenant(app, baseline.municipality.id):
        assert open_referral_count() == open_before + 1
