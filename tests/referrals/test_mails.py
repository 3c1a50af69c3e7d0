"""Who is mailed about a referral: the cooperative's coordinators when one arrives, the
client manager who sent it when the cooperative answers. A link, and nothing about the
resident (a mail travels less safely than a page behind sign-in)."""

from __future__ import annotations

from tests.conftest import queued_mails
from tests.referrals.conftest import form_data, incoming_of, incoming_url, referrals_url, sent_id

RESIDENT = ("Fenna Visser", "fenna@resident.example.org", "06 9876 5432", "KM-2026-0042", "bike repair")


def mails_to(app, email: str) -> list[dict]:
    return [m for m in queued_mails(app) if m["to"] == email]


def assert_nothing_of_the_resident(mail: dict) -> None:
    for text in (mail["subject"], mail["text"], mail["html"]):
        for value in RESIDENT:
            assert value not in text, value


def test_the_coordinators_learn_a_referral_waits_for_them(app, baseline, manager):
    referral_id = sent_id(manager.post(referrals_url(baseline, "new"), data=form_data(baseline)))
    _, received = incoming_of(app, baseline, referral_id)
    # Cooperative A's coordinators: coordinator A and the advisor (also coordinator of A).
    for person in (baseline.coordinator_a, baseline.advisor):
        (mail,) = mails_to(app, person.email)
        assert mail["subject"] == "Een verwijzing van Gemeente M"  # in the recipient's language
        assert f"/t/{baseline.coop_a.slug}/incoming-referrals/{received['id']}" in mail["text"]
        assert_nothing_of_the_resident(mail)
    assert not mails_to(app, baseline.coordinator_b.email)  # B's coordinator hears nothing


def test_the_same_form_twice_mails_once(app, baseline, manager):
    data = form_data(baseline)
    manager.post(referrals_url(baseline, "new"), data=data)
    manager.post(referrals_url(baseline, "new"), data=data)
    assert len(mails_to(app, baseline.coordinator_a.email)) == 1


def test_the_client_manager_learns_the_answer(app, baseline, manager, coordinator):
    accepted = sent_id(manager.post(referrals_url(baseline, "new"), data=form_data(baseline)))
    declined = sent_id(manager.post(referrals_url(baseline, "new"), data=form_data(baseline)))
    coordinator.post(incoming_url(baseline, f"{incoming_of(app, baseline, accepted)[1]['id']}/accept"))
    coordinator.post(incoming_url(baseline, f"{incoming_of(app, baseline, declined)[1]['id']}/decline"),
                     data={"reason": "No room for a bike workshop this winter."})
    answers = mails_to(app, baseline.client_manager.email)
    # The client manager chose English (the `manager` fixture): the mails are in English.
    assert [m["subject"] for m in answers] == ["Coöperatie A accepted your referral",
                                               "Coöperatie A declined your referral"]
    assert f"/t/{baseline.municipality.slug}/referrals/{accepted}" in answers[0]["text"]
    assert f"/t/{baseline.municipality.slug}/referrals/{declined}" in answers[1]["text"]
    for mail in answers:
        assert_nothing_of_the_resident(mail)
        assert "No room for a bike workshop" not in mail["text"]  # the reason is on the page
