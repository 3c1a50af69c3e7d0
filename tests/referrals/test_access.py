"""Another municipality, another cooperative, or the other side of the border: 404."""

from __future__ import annotations

import pytest

from tests.referrals.conftest import form_data, in_tenant, incoming_of, sent_id


@pytest.mark.parametrize("slug", ["gemeente-m", "gemeente-n"])
def test_a_person_of_another_municipality_gets_404_on_the_referral(baseline, as_user, slug):
    client = as_user(baseline.official_b)
    referral_id = baseline.extra["referral_m"]
    for method, url in (("GET", f"/t/{slug}/referrals/{referral_id}"),
                        ("POST", f"/t/{slug}/referrals/{referral_id}/withdraw")):
        assert client.open(url, method=method).status_code == 404, url


@pytest.mark.parametrize("slug", ["coop-a", "coop-b"])
def test_the_other_cooperatives_coordinator_gets_404_on_the_incoming_referral(app, baseline, as_user, slug):
    client = as_user(baseline.coordinator_b)
    incoming_id = baseline.extra["incoming_a"]
    for method, url in (("GET", f"/t/{slug}/incoming-referrals/{incoming_id}"),
                        ("POST", f"/t/{slug}/incoming-referrals/{incoming_id}/accept"),
                        ("POST", f"/t/{slug}/incoming-referrals/{incoming_id}/decline")):
        assert client.open(url, method=method, data={"reason": "no"}).status_code == 404, url
    _, received = incoming_of(app, baseline, baseline.extra["referral_m"])
    assert received["status"] == "pending"


def test_each_side_sees_only_its_own_pages(baseline, as_user):
    """The municipality has no incoming pages; the cooperative none of the municipality's."""
    manager = as_user(baseline.client_manager)
    assert manager.get(f"/t/gemeente-m/incoming-referrals/{baseline.extra['incoming_a']}").status_code == 404
    assert manager.get(f"/t/coop-a/incoming-referrals/{baseline.extra['incoming_a']}").status_code == 404
    coordinator = as_user(baseline.coordinator_a)
    assert coordinator.get(f"/t/coop-a/referrals/{baseline.extra['referral_m']}").status_code == 404
    assert coordinator.get(f"/t/gemeente-m/referrals/{baseline.extra['referral_m']}").status_code == 404


def test_a_coach_of_the_cooperative_may_not_open_incoming_referrals(baseline, as_user):
    coach = as_user(baseline.coach_ab)
    assert coach.get("/t/coop-a/incoming-referrals/").status_code == 403
    assert coach.post(f"/t/coop-a/incoming-referrals/{baseline.extra['incoming_a']}/accept").status_code == 403


def test_the_municipality_lists_only_its_own_referrals(app, baseline, as_user, manager):
    referral_id = sent_id(manager.post("/t/gemeente-m/referrals/new", data=form_data(baseline)))
    own = manager.get("/t/gemeente-m/referrals/").get_data(as_text=True)
    assert "Fenna Visser" in own and "Baseline Resident M" in own and "Baseline Resident N" not in own
    other = as_user(baseline.official_b).get("/t/gemeente-n/referrals/").get_data(as_text=True)
    assert "Baseline Resident N" in other and "Fenna Visser" not in other and "Baseline Resident M" not in other
    with in_tenant(app, baseline.municipality_b.id):
        from sqlalchemy import select

        from koepel.tenants.referrals import Referral

        assert referral_id not in [r.id for r in app.extensions["sqlalchemy"].session.scalars(select(Referral))]
