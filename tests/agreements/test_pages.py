"""The agreement pages on both sides: propose, see, accept, reject, withdraw; the form's
messages at their fields; who may do what; another tenant's agreement is a 404."""

from __future__ import annotations

import html as html_module
import re

from sqlalchemy import func, select

from koepel.platform.dates import amsterdam_today
from koepel.tenants.agreements import Agreement, AgreementVersion
from tests.conftest import person_with_role

from .conftest import agreement_url, copies, english, form_data, in_tenant, redirected_id


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert match, f"no error at {field}"
    return html_module.unescape(match.group(1))


def count_agreements(app, tenant_id) -> int:
    with in_tenant(app, tenant_id) as session:
        return session.scalar(select(func.count()).select_from(Agreement))


def propose_to_n(client, baseline, **overrides) -> int:
    data = form_data(partner_tenant_id=str(baseline.municipality_b.id), **overrides)
    return redirected_id(client.post(agreement_url(baseline.coop_a.slug, "new"), data=data))


def open_version_id(app, tenant_id, agreement_id) -> int:
    with in_tenant(app, tenant_id) as session:
        return session.scalar(select(AgreementVersion.id).where(AgreementVersion.agreement_id == agreement_id,
                                                                AgreementVersion.status == "proposed"))


def test_both_sides_list_their_agreement_with_the_version_in_force(app, baseline, as_user, coordinator_a):
    page = coordinator_a.get(agreement_url(baseline.coop_a.slug)).get_data(as_text=True)
    row = re.search(rf'<tr id="agreement-{baseline.extra["agreement_am"]}" data-status="active">(.*?)</tr>', page, re.S)
    assert row and "Version 1, from" in row.group(1)
    advisor = english(as_user(baseline.advisor))
    page = advisor.get(agreement_url(baseline.municipality.slug)).get_data(as_text=True)
    assert f'id="agreement-{baseline.extra["agreement_am"]}" data-status="active"' in page
    with in_tenant(app, baseline.municipality.id) as session:
        partner = session.scalar(select(Agreement.partner_name).where(Agreement.id == baseline.extra["agreement_am"]))
    assert partner and f">{partner}</a>" in page  # M's copy names cooperative A
    # The agreement B-N is not M's.
    assert f'id="agreement-{baseline.extra["agreement_bn"]}"' not in page


def test_the_show_page_puts_the_versions_side_by_side_and_marks_the_one_in_force(baseline, coordinator_a):
    page = coordinator_a.get(agreement_url(baseline.coop_a.slug, str(baseline.extra["agreement_am"])))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="version-1" data-status="accepted" data-in-force="true"' in html
    assert "10% of each payment" in html  # the cooperative's share
    assert "25% of what a member earns above € 500,00 a month" in html
    assert "€ 250,00" in html and "Tools, Materials, Training" in html
    assert 'id="proposal"' not in html  # nothing open


def test_a_cooperative_proposes_and_the_municipality_accepts_on_its_page(app, baseline, coordinator_a, official_b):
    today = amsterdam_today()
    agreement_id = propose_to_n(coordinator_a, baseline, valid_from=today.isoformat())
    stored = copies(app, agreement_id, baseline.coop_a.id, baseline.municipality_b.id)
    own, theirs = stored[baseline.coop_a.id], stored[baseline.municipality_b.id]
    assert own[0]["link_key"] == theirs[0]["link_key"] and own[1][0]["id"] == theirs[1][0]["id"]
    version = theirs[1][0]
    assert (version["cooperative_share_bp"], version["training_pot_bp"], version["municipality_share_bp"]) == (
        1250, 500, 2000)
    assert (version["municipality_threshold_cents"], version["housing_contribution_cents"]) == (450_00, 1250_00)
    assert version["pot_categories"] == ["tools", "training"] and version["pot_keep_months"] == 6
    assert str(version["coordination_hours_per_month"]) == "7.5" and version["exempt_from_job_applications"]

    # The municipality sees the proposal, awaiting its answer, with the buttons to decide.
    index = official_b.get(agreement_url(baseline.municipality_b.slug)).get_data(as_text=True)
    assert "awaiting your answer" in index
    show = official_b.get(agreement_url(baseline.municipality_b.slug, str(agreement_id))).get_data(as_text=True)
    assert "Accept this version" in show and "Withdraw the proposal" not in show
    assert "12,5% of each payment" in show and "20% of what a member earns above € 450,00 a month" in show
    # The cooperative sees it awaiting the partner, and may withdraw it, not accept it.
    own_show = coordinator_a.get(agreement_url(baseline.coop_a.slug, str(agreement_id))).get_data(as_text=True)
    assert "Withdraw the proposal" in own_show and "Accept this version" not in own_show

    version_id = version["id"]
    accepted = official_b.post(agreement_url(baseline.municipality_b.slug, f"{agreement_id}/versions/{version_id}/accept"))
    assert redirected_id(accepted) == agreement_id
    for client, slug in ((coordinator_a, baseline.coop_a.slug), (official_b, baseline.municipality_b.slug)):
        html = client.get(agreement_url(slug, str(agreement_id))).get_data(as_text=True)
        assert 'id="agreement-status" data-status="active"' in html
        assert 'id="version-1" data-status="accepted" data-in-force="true"' in html


def test_the_proposing_side_cannot_accept_its_own_proposal(app, baseline, coordinator_a):
    agreement_id = propose_to_n(coordinator_a, baseline)
    version_id = open_version_id(app, baseline.coop_a.id, agreement_id)
    response = coordinator_a.post(agreement_url(baseline.coop_a.slug, f"{agreement_id}/versions/{version_id}/accept"))
    assert response.status_code == 409
    assert "Your organisation proposed this version" in response.get_data(as_text=True)
    assert copies(app, agreement_id, baseline.municipality_b.id)[baseline.municipality_b.id][1][0]["status"] == \
        "proposed"


def test_the_other_side_rejects_with_a_reason_both_sides_see(app, baseline, coordinator_a, official_b):
    agreement_id = propose_to_n(coordinator_a, baseline)
    version_id = open_version_id(app, baseline.municipality_b.id, agreement_id)
    url = agreement_url(baseline.municipality_b.slug, f"{agreement_id}/versions/{version_id}/reject")
    empty = official_b.post(url, data={"reason": "  "})
    assert empty.status_code == 400
    assert field_error(empty.get_data(as_text=True), "reason") == "Tell the other side why you reject this version."
    assert redirected_id(official_b.post(url, data={"reason": "The housing contribution is not in our budget."})) \
        == agreement_id
    html = coordinator_a.get(agreement_url(baseline.coop_a.slug, str(agreement_id))).get_data(as_text=True)
    assert 'id="version-1" data-status="rejected"' in html
    assert "The housing contribution is not in our budget." in html
    # Now the cooperative may propose again.
    assert "Propose a new version" in html


def test_the_proposing_side_withdraws_and_the_other_side_cannot(app, baseline, coordinator_a, official_b):
    agreement_id = propose_to_n(coordinator_a, baseline)
    version_id = open_version_id(app, baseline.coop_a.id, agreement_id)
    theirs = official_b.post(agreement_url(baseline.municipality_b.slug, f"{agreement_id}/versions/{version_id}/withdraw"))
    assert theirs.status_code == 409
    own = coordinator_a.post(agreement_url(baseline.coop_a.slug, f"{agreement_id}/versions/{version_id}/withdraw"))
    assert redirected_id(own) == agreement_id
    html = official_b.get(agreement_url(baseline.municipality_b.slug, str(agreement_id))).get_data(as_text=True)
    assert 'id="version-1" data-status="withdrawn"' in html and 'id="proposal"' not in html


def test_a_new_version_is_prefilled_from_the_one_in_force_and_accepted_by_the_other_side(app, baseline, coordinator_a,
                                                                                        as_user):
    agreement_id = baseline.extra["agreement_am"]
    url = agreement_url(baseline.coop_a.slug, f"{agreement_id}/propose")
    form = coordinator_a.get(url).get_data(as_text=True)
    assert 'name="cooperative_share" type="text" value="10"' in form
    assert 'name="municipality_threshold" type="text" value="500,00"' in form
    assert 'name="housing_contribution" type="text" value="250,00"' in form
    start = amsterdam_today().isoformat()
    assert redirected_id(coordinator_a.post(url, data=form_data(valid_from=start, training_pot_share="7,5"))) == \
        agreement_id
    # While it is open, the propose page sends you to the proposal.
    assert coordinator_a.get(url).status_code == 302
    advisor = english(as_user(baseline.advisor))
    version_id = open_version_id(app, baseline.municipality.id, agreement_id)
    # The advisor is also coordinator of A, but did not propose it: they may accept for M.
    accepted = advisor.post(agreement_url(baseline.municipality.slug, f"{agreement_id}/versions/{version_id}/accept"))
    assert redirected_id(accepted) == agreement_id
    html = coordinator_a.get(agreement_url(baseline.coop_a.slug, str(agreement_id))).get_data(as_text=True)
    assert 'id="version-2" data-status="accepted" data-in-force="true"' in html
    assert 'id="version-1" data-status="accepted">' in html  # no longer in force
    assert "7,5%" in html


def test_invalid_terms_are_shown_at_their_fields_and_nothing_is_stored(app, baseline, coordinator_a):
    cases = [
        ({"cooperative_share": "abc"}, "cooperative_share", "Enter a percentage like 12,5 (at most two decimals)."),
        ({"cooperative_share": ""}, "cooperative_share", "Enter the cooperative's share as a percentage."),
        ({"cooperative_share": "150"}, "cooperative_share", "Enter a percentage from 0 to 100."),
        ({"municipality_threshold": "vijftig"}, "municipality_threshold", "Enter an amount in euros, like 1.234,56."),
        ({"cooperative_share": "80", "training_pot_share": "5", "municipality_share": "20"}, "municipality_share",
         "The cooperative's, the training pot's and the municipality's shares add up to 105%; together they can be "
         "at most 100%."),
        ({"cooperative_share_kind": "flat_per_member", "cooperative_flat": ""}, "cooperative_flat",
         "Enter the amount per member per month."),
        ({"pot_categories": []}, "pot_categories", "Choose at least one thing the savings pot may be spent on."),
        ({"keep_months": ""}, "keep_months", "Enter for how many months the pot is kept, in whole months."),
        ({"keep_months": "200"}, "keep_months", "Enter for how many months the pot is kept: 1 to 120."),
        ({"coordination_hours": "7,55"}, "coordination_hours", "Enter a number of hours, like 16 or 7,5."),
        ({"valid_from": "2020-01-01"}, "valid_from", "A version can start at most 31 days ago."),
        ({"partner_tenant_id": str(baseline.coop_b.id)}, "partner_tenant_id", "Choose an active municipality."),
        ({"partner_tenant_id": str(baseline.municipality.id)}, "partner_tenant_id",
         "There already is an agreement with"),
    ]
    before = (count_agreements(app, baseline.coop_a.id), count_agreements(app, baseline.municipality_b.id))
    for overrides, field, message in cases:
        data = form_data(**{"partner_tenant_id": str(baseline.municipality_b.id), **overrides})
        response = coordinator_a.post(agreement_url(baseline.coop_a.slug, "new"), data=data)
        assert response.status_code == 400, (overrides, response.status_code)
        assert field_error(response.get_data(as_text=True), field).startswith(message), overrides
    assert (count_agreements(app, baseline.coop_a.id), count_agreements(app, baseline.municipality_b.id)) == before


def test_the_pages_work_in_dutch(baseline, as_user):
    client = as_user(baseline.coordinator_a)
    for suffix in ("", "new", str(baseline.extra["agreement_am"]), f"{baseline.extra['agreement_am']}/propose"):
        assert client.get(agreement_url(baseline.coop_a.slug, suffix)).status_code == 200, suffix


def test_reading_roles_see_but_do_not_decide(app, baseline, as_user):
    with app.app_context():
        treasurer = person_with_role(baseline.coop_a.id, "treasurer", "agreements-treasurer@test.example.org")
        finance = person_with_role(baseline.municipality.id, "finance", "agreements-finance@test.example.org")
    agreement_id, version_id = baseline.extra["agreement_am"], baseline.extra["agreement_version_am"]
    for person, slug in ((treasurer, baseline.coop_a.slug), (finance, baseline.municipality.slug)):
        client = as_user(person)
        assert client.get(agreement_url(slug, str(agreement_id))).status_code == 200
        html = client.get(agreement_url(slug)).get_data(as_text=True)
        assert f'agreements/{agreement_id}"' in html
        assert client.post(agreement_url(slug, f"{agreement_id}/versions/{version_id}/accept")).status_code == 403
        assert client.get(agreement_url(slug, "new")).status_code == 403
    # A client manager does not deal with agreements.
    assert as_user(baseline.client_manager).get(agreement_url(baseline.municipality.slug)).status_code == 403


def test_another_municipalitys_or_cooperatives_agreement_is_not_found(baseline, coordinator_a, official_b, as_user):
    am, version_am = baseline.extra["agreement_am"], baseline.extra["agreement_version_am"]
    coordinator_b = as_user(baseline.coordinator_b)
    for client, slug in ((official_b, baseline.municipality_b.slug), (coordinator_b, baseline.coop_b.slug)):
        assert client.get(agreement_url(slug, str(am))).status_code == 404
        assert client.get(agreement_url(slug, f"{am}/propose")).status_code == 404
        for action in ("accept", "reject", "withdraw"):
            assert client.post(agreement_url(slug, f"{am}/versions/{version_am}/{action}"),
                               data={"reason": "x"}).status_code == 404
    # A version of another agreement under one's own agreement: not found either.
    bn_version = baseline.extra["agreement_version_bn"]
    assert coordinator_a.post(agreement_url(baseline.coop_a.slug, f"{am}/versions/{bn_version}/accept")).status_code \
        == 404
    # And the other tenant's partner is not offered for a new agreement.
    new = official_b.get(agreement_url(baseline.municipality_b.slug, "new")).get_data(as_text=True)
    assert f'value="{baseline.coop_b.id}"' not in new  # N already has an agreement with B
    assert f'value="{baseline.coop_a.id}"' in new
