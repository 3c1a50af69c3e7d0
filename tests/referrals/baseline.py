"""The referrals of the baseline: municipality M refers a resident to cooperative A, and
municipality N one to cooperative B (both awaiting an answer). So `referrals` and
`referral_events` have rows in both municipalities, `incoming_referrals` in A and B."""

from __future__ import annotations

ORDER = 20

OBJECT_IDS = {
    # A municipality's referral: of M and of N (the isolation suite's municipality pair).
    "referral_id": lambda b: (b.extra["referral_m"], b.extra["referral_n"]),
    "incoming_referral_id": lambda b: (b.extra["incoming_a"], b.extra["incoming_b"]),
}


def send(municipality_id: int, cooperative_id: int, actor_id: int | None, name: str) -> tuple[int, int]:
    """A referral from the municipality to the cooperative: (referral id, incoming id)."""
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.referrals import IncomingReferral, do_send_referral

    with tenant_context(municipality_id, actor_id):
        referral = do_send_referral(
            resident_name=name, resident_email="resident@test.example.org", resident_phone="06 1234 5678",
            client_reference=f"KM-{name[-1]}", handover="Wants to start a small bike repair business; needs a workshop.",
            target_tenant_id=cooperative_id, consent=True, share_contact=True, share_handover=True,
            actor_id=actor_id,
        )
        referral_id, link_key = referral.id, referral.link_key
    with tenant_context(cooperative_id):
        incoming_id = db.session.scalar(select(IncomingReferral.id).where(IncomingReferral.link_key == link_key))
    return referral_id, incoming_id


def rows(orgs, people, extra) -> dict:
    referral_m, incoming_a = send(orgs["municipality"].id, orgs["coop_a"].id, people["client_manager"].id,
                                  "Baseline Resident M")
    referral_n, incoming_b = send(orgs["municipality_b"].id, orgs["coop_b"].id, people["official_b"].id,
                                  "Baseline Resident N")
    return {"referral_m": referral_m, "referral_n": referral_n, "incoming_a": incoming_a, "incoming_b": incoming_b}


def matrix_objects(kind, tenant, people) -> dict:
    """A municipality's own referral, or a cooperative's own incoming referral."""
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.platform.tenancy import Tenant

    if kind == "municipality":
        cooperative = db.session.scalar(select(Tenant).where(Tenant.kind == "cooperative", Tenant.status == "active")
                                        .order_by(Tenant.id).limit(1))
        referral_id, _ = send(tenant.id, cooperative.id, people["client_manager"].id, "Matrix Resident")
        return {"referral_id": referral_id}
    if kind == "cooperative":
        municipality = db.session.scalar(select(Tenant).where(Tenant.kind == "municipality", Tenant.status == "active")
                                         .order_by(Tenant.id).limit(1))
        _, incoming_id = send(municipality.id, tenant.id, None, "Matrix Resident")
        return {"incoming_referral_id": incoming_id}
    return {}
