"""Only what the consent covers crosses the border, and only status, stage, outcome and
date come back. Proven in the database: every text column of every tenant table is
scanned with raw SQL as the app role, in the scope of one tenant."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
from sqlalchemy import select, text

from koepel.platform.config import APP_ROLE
from koepel.platform.tenancy import tenant_context
from koepel.tenants.members import Member, do_transition, do_update_member
from koepel.tenants.referrals import (
    IncomingReferral,
    Referral,
    do_accept_referral,
    do_send_referral,
)
from tests.conftest import tenant_tables

TEXT_TYPES = ("text", "character varying", "jsonb")


def columns_of(session, tables, types) -> list[tuple[str, str]]:
    rows = session.execute(text(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = ANY(:tables) AND data_type = ANY(:types) "
        "ORDER BY table_name, column_name"), {"tables": list(tables), "types": list(types)}).all()
    return [(r[0], r[1]) for r in rows]


def found(session, tenant_id, tables, needles) -> dict[str, list[str]]:
    """Where each needle (a string, or a date) occurs in the tenant's rows: raw SQL, no ORM."""
    assert session.execute(text("SELECT current_user")).scalar() == APP_ROLE  # row-level security applies
    session.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
    hits: dict[str, list[str]] = {}
    strings = [n for n in needles if isinstance(n, str)]
    dates = [n for n in needles if isinstance(n, date)]
    for table, column in columns_of(session, tables, TEXT_TYPES):
        for needle in strings:
            if session.execute(text(f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS text) ILIKE :n'),
                               {"n": f"%{needle}%"}).scalar():
                hits.setdefault(needle, []).append(f"{table}.{column}")
    for table, column in columns_of(session, tables, ("date",)):
        for needle in dates:
            if session.execute(text(f'SELECT count(*) FROM "{table}" WHERE "{column}" = :d'), {"d": needle}).scalar():
                hits.setdefault(needle.isoformat(), []).append(f"{table}.{column}")
    return hits


def send(session, baseline, **fields) -> tuple[int, int]:
    arguments = {"resident_name": "Noor Bakker", "handover": "Wants to sell ceramics at markets.",
                 "target_tenant_id": baseline.coop_a.id, "consent": True, "actor_id": baseline.client_manager.id,
                 **fields}
    with tenant_context(baseline.municipality.id, baseline.client_manager.id):
        referral = do_send_referral(**arguments)
        referral_id, link_key = referral.id, referral.link_key
    with tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        incoming_id = session.scalar(select(IncomingReferral.id).where(IncomingReferral.link_key == link_key))
    return referral_id, incoming_id


def accept(session, baseline, incoming_id) -> int:
    with tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        incoming = session.get(IncomingReferral, (baseline.coop_a.id, incoming_id))
        return do_accept_referral(incoming, actor_id=baseline.coordinator_a.id).member_id


def test_the_municipality_never_sees_the_cooperatives_reasons_or_notes(app, db_session, baseline, admin_dsn):
    reasons = {stage: f"ZX-{stage.upper()}-REASON-7f3a" for stage in ("intake", "business_plan", "trial", "member",
                                                                      "outflow")}
    note = "ZX-BUSINESS-NOTE-7f3a"
    referral_id, incoming_id = send(db_session, baseline, share_contact=True, share_handover=True,
                                    resident_email="noor@resident.example.org")
    member_id = accept(db_session, baseline, incoming_id)
    with app.test_request_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        member = db_session.get(Member, (baseline.coop_a.id, member_id))
        do_update_member(member, actor_id=baseline.coordinator_a.id,
                         business={"trade_name": "Noor Keramiek", "activity": "Ceramics", "description": note})
        for stage, outcome in (("intake", None), ("business_plan", None), ("trial", None), ("member", None),
                               ("outflow", "regular_job")):
            do_transition(db_session.get(Member, (baseline.coop_a.id, member_id)), stage, reason=reasons[stage],
                          outcome=outcome, actor_id=baseline.coordinator_a.id)
    tables = tenant_tables(admin_dsn)
    needles = [*reasons.values(), note]

    # The control: the cooperative's own rows hold them, so the scan can find them.
    in_cooperative = found(db_session, baseline.coop_a.id, tables, needles)
    assert set(in_cooperative) == set(needles), in_cooperative
    # The municipality's rows hold none of them ...
    assert found(db_session, baseline.municipality.id, tables, needles) == {}
    # ... but do hold the mirrored stage, outcome and date.
    with tenant_context(baseline.municipality.id):
        referral = db_session.get(Referral, (baseline.municipality.id, referral_id))
        assert (referral.status, referral.stage, referral.outcome, referral.stage_on) == (
            "accepted", "outflow", "regular_job", date.today())


def test_the_cooperative_holds_none_of_the_unconsented_values(app, db_session, baseline, admin_dsn):
    born = date(1979, 11, 23)
    secrets = {"reference": "ZX-CLIENT-REF-7731", "email": "zx.hidden.7731@resident.example.org",
               "phone": "06 7731 7731", "handover": "ZX-HANDOVER-TEXT-7731: wants to start a sewing studio."}
    referral_id, incoming_id = send(
        db_session, baseline, client_reference=secrets["reference"], resident_email=secrets["email"],
        resident_phone=secrets["phone"], resident_date_of_birth=born, handover=secrets["handover"])
    accept(db_session, baseline, incoming_id)  # the member made from it has none of them either
    tables = tenant_tables(admin_dsn)
    needles = [*secrets.values(), born]

    in_municipality = found(db_session, baseline.municipality.id, tables, needles)
    assert set(in_municipality) == {*secrets.values(), born.isoformat()}, in_municipality
    assert found(db_session, baseline.coop_a.id, tables, needles) == {}
    assert found(db_session, baseline.coop_b.id, tables, needles) == {}


@pytest.mark.parametrize(("contact", "born", "handover"), list(product([False, True], repeat=3)))
def test_only_the_consented_fields_arrive(db_session, baseline, contact, born, handover):
    birthday = date.today() - timedelta(days=40 * 365)
    _, incoming_id = send(db_session, baseline, resident_email="scope@resident.example.org",
                          resident_phone="06 5555 0000", resident_date_of_birth=birthday, client_reference="KM-SCOPE",
                          share_contact=contact, share_date_of_birth=born, share_handover=handover)
    with tenant_context(baseline.coop_a.id):
        incoming = db_session.get(IncomingReferral, (baseline.coop_a.id, incoming_id))
        assert incoming.name == "Noor Bakker"  # the name always
        assert (incoming.email, incoming.phone) == (("scope@resident.example.org", "06 5555 0000") if contact
                                                    else (None, None))
        assert incoming.date_of_birth == (birthday if born else None)
        assert incoming.handover == ("Wants to sell ceramics at markets." if handover else None)
        assert (incoming.shared_contact, incoming.shared_date_of_birth, incoming.shared_handover) == (
            contact, born, handover)
        member = db_session.get(Member, (baseline.coop_a.id, do_accept_referral(
            incoming, actor_id=baseline.coordinator_a.id).member_id))
        assert (member.email, member.phone, member.date_of_birth) == (
            ("scope@resident.example.org" if contact else None), ("06 5555 0000" if contact else None),
            (birthday if born else None))


def test_the_database_refuses_an_unconsented_field_at_the_cooperative(db_session, baseline):
    """The consent is also a CHECK constraint: a detail without its consent cannot be stored."""
    from sqlalchemy.exc import IntegrityError

    with tenant_context(baseline.coop_a.id):
        db_session.add(IncomingReferral(link_key="constraint-test", from_tenant_id=baseline.municipality.id,
                                        from_name="Gemeente M", name="Noor Bakker", email="noor@resident.example.org",
                                        shared_contact=False, status="pending"))
        with pytest.raises(IntegrityError, match="contact_consented"):
            db_session.flush()
        db_session.rollback()
