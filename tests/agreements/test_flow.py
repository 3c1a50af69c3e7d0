"""Agreements below the HTTP layer: proposed by one side, decided by the other, mirrored
on both sides with the same ids; versions by date; terms that cannot be agreed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from koepel.platform.audit import AuditEvent
from koepel.platform.dates import amsterdam_today
from koepel.platform.money import Money
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.tenants.agreements import (
    Agreement,
    AgreementError,
    AgreementVersion,
    Terms,
    do_accept_version,
    do_propose_agreement,
    do_propose_version,
    do_reject_version,
    do_withdraw_version,
    terms_on,
    terms_with,
)

TODAY = date(2026, 11, 23)


def good_terms(**values) -> Terms:
    return Terms(**{"cooperative_share_kind": "percentage", "cooperative_share_bp": 1000, "training_pot_bp": 500,
                    "municipality_share_bp": 2000, "municipality_threshold": Money(400_00),
                    "pot_categories": ("tools", "training"), "pot_on_leaving": "return",
                    "exempt_from_job_applications": True, "coordination_hours_per_month": Decimal("7.5"),
                    "housing_contribution": Money(100_00), **values})


def version_of(session, tenant_id, version_id) -> AgreementVersion:
    return session.get(AgreementVersion, (tenant_id, version_id))


def propose_first(session, tenant_id, actor_id, partner_id, valid_from=date(2026, 12, 1), today=TODAY, **values):
    with tenant_context(tenant_id, actor_id):
        version = do_propose_agreement(partner_tenant_id=partner_id, terms=good_terms(**values), valid_from=valid_from,
                                       actor_id=actor_id, today=today)
        return version.agreement_id, version.id


def propose_next(session, tenant_id, actor_id, agreement_id, valid_from, today=TODAY, **values) -> int:
    with tenant_context(tenant_id, actor_id):
        agreement = session.get(Agreement, (tenant_id, agreement_id))
        return do_propose_version(agreement, terms=good_terms(**values), valid_from=valid_from, actor_id=actor_id,
                                  today=today).id


def accept(session, tenant_id, actor_id, version_id, today=TODAY):
    with tenant_context(tenant_id, actor_id):
        return do_accept_version(version_of(session, tenant_id, version_id), actor_id=actor_id, today=today).status


def both(session, agreement_id, *tenant_ids):
    """{tenant: (agreement status, [(number, status, reject reason)])} of each copy."""
    found = {}
    for tenant_id in tenant_ids:
        with tenant_context(tenant_id):
            agreement = session.scalar(select(Agreement).where(Agreement.id == agreement_id))
            rows = session.execute(select(AgreementVersion.number, AgreementVersion.status,
                                          AgreementVersion.reject_reason)
                                   .where(AgreementVersion.agreement_id == agreement_id)
                                   .order_by(AgreementVersion.number)).all()
            found[tenant_id] = (agreement.status if agreement else None, [tuple(r) for r in rows])
    return found


def actions(session, tenant_id, *version_ids) -> list[str]:
    """The tenant's audit actions on these versions, oldest first."""
    with tenant_context(tenant_id):
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "agreement_version",
            AuditEvent.object_id.in_([str(v) for v in version_ids])).order_by(AuditEvent.id)))


@pytest.fixture(autouse=True)
def _request(app, db_session):
    """Refusals are lazy texts: reading one needs a request's locale."""
    with app.test_request_context():
        yield


# --- from the cooperative's side ---------------------------------------------------------


@pytest.fixture(autouse=True)
def messages_in_english(db_session):
    """Refusals below the HTTP layer are read in English here, whatever the catalogs say."""
    with force_locale("en"):
        yield


def test_a_cooperative_proposes_and_the_municipality_accepts(db_session, baseline):
    a, n = baseline.coop_a.id, baseline.municipality_b.id
    agreement_id, version_id = propose_first(db_session, a, baseline.coordinator_a.id, n)
    # The municipality has its own copy at once, with the same ids and the other side named.
    with tenant_context(n):
        copy = db_session.scalar(select(Agreement).where(Agreement.id == agreement_id))
        assert (copy.side, copy.partner_tenant_id, copy.partner_name, copy.status) == (
            "municipality", a, db_session.get(Tenant, a).name, "proposed")
        version = version_of(db_session, n, version_id)
        assert (version.number, version.status, version.proposed_by_side, version.proposed_by) == (
            1, "proposed", "cooperative", baseline.coordinator_a.id)
        assert version.terms().municipality_threshold == Money(400_00)
    with tenant_context(a):
        own = db_session.scalar(select(Agreement).where(Agreement.id == agreement_id))
        assert (own.side, own.partner_tenant_id) == ("cooperative", n)
        assert own.link_key == copy.link_key
    assert both(db_session, agreement_id, a, n) == {a: ("proposed", [(1, "proposed", None)]),
                                                    n: ("proposed", [(1, "proposed", None)])}

    assert accept(db_session, n, baseline.official_b.id, version_id) == "accepted"
    assert both(db_session, agreement_id, a, n) == {a: ("active", [(1, "accepted", None)]),
                                                    n: ("active", [(1, "accepted", None)])}
    with tenant_context(a):
        decided = version_of(db_session, a, version_id)
        assert decided.decided_by == baseline.official_b.id and decided.decided_at is not None
    assert actions(db_session, a, version_id) == ["agreements.proposed", "agreements.accepted_by_partner"]
    assert actions(db_session, n, version_id) == ["agreements.proposal_received", "agreements.accepted"]


def test_the_proposing_side_cannot_accept_or_reject_its_own_proposal(db_session, baseline):
    a, n = baseline.coop_a.id, baseline.municipality_b.id
    _, version_id = propose_first(db_session, a, baseline.coordinator_a.id, n)
    with tenant_context(a, baseline.coordinator_a.id):
        with pytest.raises(AgreementError, match="proposed this version"):
            do_accept_version(version_of(db_session, a, version_id), actor_id=baseline.coordinator_a.id, today=TODAY)
        with pytest.raises(AgreementError, match="proposed this version"):
            do_reject_version(version_of(db_session, a, version_id), reason="No", actor_id=baseline.coordinator_a.id)


def test_the_deciding_side_cannot_withdraw(db_session, baseline):
    a, n = baseline.coop_a.id, baseline.municipality_b.id
    _, version_id = propose_first(db_session, a, baseline.coordinator_a.id, n)
    with tenant_context(n, baseline.official_b.id), pytest.raises(AgreementError, match="Only the side"):
        do_withdraw_version(version_of(db_session, n, version_id), actor_id=baseline.official_b.id)


def test_a_person_on_both_sides_cannot_accept_what_they_proposed(db_session, baseline):
    """The advisor is coordinator of A and policy advisor of M: a proposal they made for A
    needs someone else at M."""
    a, m = baseline.coop_a.id, baseline.municipality.id
    agreement_id = baseline.extra["agreement_am"]
    version_id = propose_next(db_session, a, baseline.advisor.id, agreement_id, date(2026, 12, 1))
    with tenant_context(m, baseline.advisor.id), pytest.raises(AgreementError, match="yourself"):
        do_accept_version(version_of(db_session, m, version_id), actor_id=baseline.advisor.id, today=TODAY)
    assert both(db_session, agreement_id, a, m)[m][1][-1] == (2, "proposed", None)


# --- from the municipality's side --------------------------------------------------------


def test_a_municipality_proposes_and_the_cooperative_rejects_with_a_reason(db_session, baseline):
    m, b = baseline.municipality.id, baseline.coop_b.id
    agreement_id, version_id = propose_first(db_session, m, baseline.advisor.id, b)
    with tenant_context(b, baseline.coordinator_b.id):
        with pytest.raises(AgreementError) as refused:
            do_reject_version(version_of(db_session, b, version_id), reason="  ", actor_id=baseline.coordinator_b.id)
        assert refused.value.field == "reason"
        do_reject_version(version_of(db_session, b, version_id), reason="The share for the municipality is too high.",
                          actor_id=baseline.coordinator_b.id)
    reason = "The share for the municipality is too high."
    assert both(db_session, agreement_id, m, b) == {m: ("proposed", [(1, "rejected", reason)]),
                                                    b: ("proposed", [(1, "rejected", reason)])}
    assert actions(db_session, m, version_id) == ["agreements.proposed", "agreements.rejected_by_partner"]
    assert actions(db_session, b, version_id) == ["agreements.proposal_received", "agreements.rejected"]
    # Either side proposes again: version 2, here from the cooperative; the municipality accepts.
    version_2 = propose_next(db_session, b, baseline.coordinator_b.id, agreement_id, date(2026, 12, 1),
                             municipality_share_bp=1000)
    assert accept(db_session, m, baseline.advisor.id, version_2) == "accepted"
    assert both(db_session, agreement_id, m, b)[b] == ("active", [(1, "rejected", reason), (2, "accepted", None)])
    with tenant_context(b):
        assert terms_on(m, date(2026, 12, 1)).municipality_share_bp == 1000


def test_the_proposing_side_withdraws(db_session, baseline):
    m, b = baseline.municipality.id, baseline.coop_b.id
    agreement_id, version_id = propose_first(db_session, m, baseline.advisor.id, b)
    with tenant_context(m, baseline.advisor.id):
        do_withdraw_version(version_of(db_session, m, version_id), actor_id=baseline.advisor.id)
    assert both(db_session, agreement_id, m, b) == {m: ("proposed", [(1, "withdrawn", None)]),
                                                    b: ("proposed", [(1, "withdrawn", None)])}
    assert actions(db_session, b, version_id) == ["agreements.proposal_received", "agreements.withdrawn_by_partner"]
    # A withdrawn proposal can no longer be accepted.
    with tenant_context(b, baseline.coordinator_b.id), pytest.raises(AgreementError, match="withdrawn"):
        do_accept_version(version_of(db_session, b, version_id), actor_id=baseline.coordinator_b.id, today=TODAY)


def test_a_decided_version_is_not_decided_again(db_session, baseline):
    a, m = baseline.coop_a.id, baseline.municipality.id
    version_id = baseline.extra["agreement_version_am"]
    with tenant_context(m, baseline.advisor.id), pytest.raises(AgreementError, match="accepted already"):
        do_reject_version(version_of(db_session, m, version_id), reason="Too late", actor_id=baseline.advisor.id)
    with tenant_context(a, baseline.coordinator_a.id), pytest.raises(AgreementError):
        do_withdraw_version(version_of(db_session, a, version_id), actor_id=baseline.coordinator_a.id)


# --- one proposal at a time, one agreement per pair, the partner --------------------------


def test_only_one_open_proposal_at_a_time(db_session, baseline):
    a, m = baseline.coop_a.id, baseline.municipality.id
    agreement_id = baseline.extra["agreement_am"]
    propose_next(db_session, a, baseline.coordinator_a.id, agreement_id, date(2026, 12, 1))
    # Neither side can propose another before this one is answered or withdrawn.
    for tenant_id, actor_id in ((a, baseline.coordinator_a.id), (m, baseline.advisor.id)):
        with pytest.raises(AgreementError, match="open proposal"):
            propose_next(db_session, tenant_id, actor_id, agreement_id, date(2027, 1, 1))
    assert [v[0] for v in both(db_session, agreement_id, m)[m][1]] == [1, 2]


def test_one_agreement_per_cooperative_and_municipality(db_session, baseline):
    with pytest.raises(AgreementError, match="already is an agreement") as refused:
        propose_first(db_session, baseline.municipality.id, baseline.advisor.id, baseline.coop_a.id)
    assert refused.value.field == "partner_tenant_id"


@pytest.mark.parametrize("partner", ["coop_b", "umbrella"])
def test_a_cooperative_proposes_only_to_a_municipality(db_session, baseline, partner):
    with pytest.raises(AgreementError) as refused:
        propose_first(db_session, baseline.coop_a.id, baseline.coordinator_a.id, getattr(baseline, partner).id)
    assert refused.value.field == "partner_tenant_id"


# --- start dates -------------------------------------------------------------------------


def test_a_new_version_starts_after_the_version_agreed_last(db_session, baseline):
    a, n = baseline.coop_a.id, baseline.municipality_b.id
    agreement_id, version_id = propose_first(db_session, a, baseline.coordinator_a.id, n, valid_from=date(2026, 12, 1))
    accept(db_session, n, baseline.official_b.id, version_id)
    for same_or_earlier in (date(2026, 12, 1), date(2026, 11, 30)):
        with pytest.raises(AgreementError) as refused:
            propose_next(db_session, n, baseline.official_b.id, agreement_id, same_or_earlier)
        assert refused.value.field == "valid_from"
    assert propose_next(db_session, n, baseline.official_b.id, agreement_id, date(2026, 12, 2))


@pytest.mark.parametrize(("valid_from", "allowed"), [
    (TODAY - timedelta(days=31), True), (TODAY - timedelta(days=32), False),
    (TODAY + timedelta(days=700), True), (TODAY + timedelta(days=800), False),
])
def test_a_start_date_lies_at_most_31_days_back_and_two_years_ahead(db_session, baseline, valid_from, allowed):
    def attempt():
        return propose_first(db_session, baseline.coop_a.id, baseline.coordinator_a.id, baseline.municipality_b.id,
                             valid_from=valid_from)
    if allowed:
        assert attempt()
    else:
        with pytest.raises(AgreementError) as refused:
            attempt()
        assert refused.value.field == "valid_from"


def test_a_proposal_that_would_start_too_long_ago_is_not_accepted(db_session, baseline):
    a, n = baseline.coop_a.id, baseline.municipality_b.id
    _, version_id = propose_first(db_session, a, baseline.coordinator_a.id, n, valid_from=date(2026, 12, 1))
    with pytest.raises(AgreementError, match="more than 31 days ago"):
        accept(db_session, n, baseline.official_b.id, version_id, today=date(2027, 1, 2))
    assert accept(db_session, n, baseline.official_b.id, version_id, today=date(2027, 1, 1)) == "accepted"


# --- the terms in force on a date --------------------------------------------------------


def test_the_terms_on_a_date_are_those_of_the_version_valid_then(db_session, baseline):
    a, n = baseline.coop_a.id, baseline.municipality_b.id
    agreement_id, v1 = propose_first(db_session, a, baseline.coordinator_a.id, n, valid_from=date(2026, 1, 1),
                                     today=date(2026, 1, 1), training_pot_bp=100)
    accept(db_session, n, baseline.official_b.id, v1, today=date(2026, 1, 1))
    v2 = propose_next(db_session, n, baseline.official_b.id, agreement_id, date(2026, 7, 1), today=date(2026, 6, 15),
                      training_pot_bp=200)
    accept(db_session, a, baseline.coordinator_a.id, v2, today=date(2026, 6, 20))
    # An open proposal (not accepted) never applies.
    propose_next(db_session, a, baseline.coordinator_a.id, agreement_id, date(2026, 12, 1), training_pot_bp=300)

    expected = {date(2025, 12, 31): None, date(2026, 1, 1): 100, date(2026, 1, 2): 100, date(2026, 6, 30): 100,
                date(2026, 7, 1): 200, date(2026, 7, 2): 200, date(2026, 12, 2): 200}
    with tenant_context(a):
        seen = {day: (t.training_pot_bp if (t := terms_on(n, day)) else None) for day in expected}
        assert seen == expected
        on_july = terms_on(n, date(2026, 7, 1))
        assert (on_july.agreement_id, on_july.version_id, on_july.version_number, on_july.valid_from,
                on_july.partner_tenant_id) == (agreement_id, v2, 2, date(2026, 7, 1), n)
        # What the monthly money reads from the terms: a payment split by the version of its date.
        assert on_july.split(Money(100_00), Money(0)).training_pot == Money(2_00)
        assert terms_on(baseline.municipality.id, amsterdam_today()).training_pot_bp == 500  # the baseline's, with M
    with tenant_context(n):
        seen = {day: (t.training_pot_bp if (t := terms_with(a, day)) else None) for day in expected}
        assert seen == expected
        assert terms_with(baseline.coop_b.id, amsterdam_today()).version_id == baseline.extra["agreement_version_bn"]
    with tenant_context(baseline.coop_b.id):
        assert terms_on(baseline.municipality.id, amsterdam_today()) is None  # no agreement between B and M


# --- terms that cannot be agreed ---------------------------------------------------------


@pytest.mark.parametrize(("values", "field"), [
    ({"cooperative_share_kind": "half"}, "cooperative_share_kind"),
    ({"cooperative_share_bp": None}, "cooperative_share"),
    ({"cooperative_share_bp": 10_001, "training_pot_bp": 0, "municipality_share_bp": 0}, "cooperative_share"),
    ({"cooperative_share_kind": "flat_per_member", "cooperative_flat": None}, "cooperative_flat"),
    ({"cooperative_share_kind": "flat_per_member", "cooperative_flat": Money(-1)}, "cooperative_flat"),
    ({"training_pot_bp": -1}, "training_pot_share"),
    ({"municipality_share_bp": 10_001}, "municipality_share"),
    ({"cooperative_share_bp": 5000, "training_pot_bp": 3000, "municipality_share_bp": 2500}, "municipality_share"),
    ({"cooperative_share_bp": 6000, "training_pot_bp": 5000, "municipality_share_bp": 0}, "training_pot_share"),
    ({"municipality_threshold": Money(-1)}, "municipality_threshold"),
    ({"municipality_threshold": Money(1_000_000_01)}, "municipality_threshold"),
    ({"pot_categories": ()}, "pot_categories"),
    ({"pot_categories": ("tools", "holidays")}, "pot_categories"),
    ({"pot_on_leaving": "keep"}, "pot_on_leaving"),
    ({"pot_on_leaving": "keep_for_period", "keep_months": None}, "keep_months"),
    ({"pot_on_leaving": "keep_for_period", "keep_months": 121}, "keep_months"),
    ({"coordination_hours_per_month": Decimal("745")}, "coordination_hours"),
    ({"coordination_hours_per_month": Decimal("1.25")}, "coordination_hours"),
    ({"housing_contribution": Money(-100)}, "housing_contribution"),
    ({"notes": "x" * 2001}, "notes"),
])
def test_terms_that_cannot_be_agreed_are_refused_at_their_field_and_nothing_is_stored(db_session, baseline, values,
                                                                                        field):
    a, n = baseline.coop_a.id, baseline.municipality_b.id
    with pytest.raises(AgreementError) as refused:
        propose_first(db_session, a, baseline.coordinator_a.id, n, **values)
    assert refused.value.field == field, str(refused.value)
    for tenant_id in (a, n):
        with tenant_context(tenant_id):
            assert db_session.scalar(select(func.count()).select_from(Agreement)) == 1  # the baseline's only


def test_the_shares_over_100_percent_name_their_total(db_session, baseline):
    with pytest.raises(AgreementError) as refused:
        propose_first(db_session, baseline.coop_a.id, baseline.coordinator_a.id, baseline.municipality_b.id,
                      cooperative_share_bp=5000, training_pot_bp=3000, municipality_share_bp=2500)
    assert "105%" in str(refused.value)


def test_the_database_refuses_shares_over_100_percent_too(db_session, baseline):
    from sqlalchemy.exc import IntegrityError

    with tenant_context(baseline.coop_a.id):
        with pytest.raises(IntegrityError, match="shares_at_most_whole"), db_session.begin_nested():
            db_session.execute(update(AgreementVersion).values(municipality_share_bp=9000).where(
                AgreementVersion.id == baseline.extra["agreement_version_am"]))
        assert version_of(db_session, baseline.coop_a.id, baseline.extra["agreement_version_am"]).terms() \
            .municipality_share_bp == 2500
