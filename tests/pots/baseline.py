"""The pots of the baseline: in cooperative A and in B, a spending request of the baseline
member (whose pot holds 125,00 from tests/ledger/baseline.py), approved and collected into
a payout batch, and the closing of a member who left with money in the pot."""

from __future__ import annotations

from datetime import date

ORDER = 40

OBJECT_IDS = {
    "request_id": lambda b: (b.extra["pot_request_a"], b.extra["pot_request_b"]),
    "batch_id": lambda b: (b.extra["payout_batch_a"], b.extra["payout_batch_b"]),
    "closing_id": lambda b: (b.extra["pot_closing_a"], b.extra["pot_closing_b"]),
}

PDF = b"%PDF-1.4\n% baseline invoice\n"


def make_request(member_id: int, *, amount_cents: int = 2500, category: str = "tools", status: str = "requested"):
    """A request as the member made it, stored directly (the agreement's check belongs to
    the tests of `do_request`)."""
    from koepel.platform.db import db
    from koepel.tenants.pots.models import PotRequest
    from koepel.tenants.pots.operations import store_attachment

    file_name, kind = store_attachment(PDF)
    pot_request = PotRequest(member_id=member_id, amount_cents=amount_cents, category=category,
                             description="A new saw", supplier_name="Gereedschap BV",
                             supplier_iban="NL02ABNA0123456789", attachment_file=file_name,
                             attachment_name="invoice.pdf", attachment_type=kind, requested_on=date(2026, 3, 1),
                             status=status)
    db.session.add(pot_request)
    db.session.flush()
    return pot_request


def make_closing():
    """A member who leaves with money in the pot (and no agreement: settled by hand)."""
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.platform.money import Money
    from koepel.tenants.ledger import Line, account, do_post
    from koepel.tenants.members import do_register_member, do_transition
    from koepel.tenants.pots.models import PotClosing

    leaver = do_register_member(name="Leaving Member", stage="intake", on_date=date(2026, 1, 5), actor_id=None)
    do_post(lines=[Line(account("bank"), Money(4000)), Line(account("member_pot", member_id=leaver.id), Money(-4000))],
            on_date=date(2026, 2, 1), kind="manual", description="Earned", idempotency_key=f"leaver-{leaver.id}")
    do_transition(leaver, "stopped", on_date=date(2026, 2, 3), outcome="moved", reason="Moved away", actor_id=None)
    return db.session.scalar(select(PotClosing).where(PotClosing.member_id == leaver.id))


def rows(orgs, people, extra) -> dict:
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.pots import do_approve, do_create_batch

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id):
            member_id = extra[f"member_{suffix}"]
            asked = make_request(member_id)  # stays awaiting a decision
            paid_out = make_request(member_id, amount_cents=1000, category="materials")
            do_approve(paid_out, actor_id=people[f"coordinator_{suffix}"].id, on_date=date(2026, 3, 2))
            batch = do_create_batch(execution_date=date.today(), request_ids=[paid_out.id], actor_id=None)
            closing = make_closing()
        made[f"pot_request_{suffix}"], made[f"payout_batch_{suffix}"] = asked.id, batch.id
        made[f"pot_closing_{suffix}"] = closing.id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """In a cooperative: a request of the matrix member (coached by the matrix coach, the
    account of the matrix member), a payout batch and a closing."""
    if kind != "cooperative":
        return {}
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.platform.money import Money
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.ledger import Line, account, do_post
    from koepel.tenants.members import Member, do_link_account, do_register_member
    from koepel.tenants.pots import do_approve, do_create_batch

    with tenant_context(tenant.id):
        member = db.session.scalar(select(Member).where(Member.user_id == people["member"].id))
        if member is None:
            member = do_register_member(name="Matrix Pot Member", stage="intake", coach_user_id=people["coach"].id,
                                        actor_id=None)
            do_link_account(member, people["member"].id, actor_id=None)
        do_post(lines=[Line(account("bank"), Money(5000)), Line(account("member_pot", member_id=member.id), Money(-5000))],
                on_date=date(2026, 3, 1), kind="manual", description="Matrix earnings",
                idempotency_key=f"matrix-pot-{member.id}")
        asked = make_request(member.id, amount_cents=100)
        paid_out = make_request(member.id, amount_cents=100)
        do_approve(paid_out, actor_id=None)
        batch = do_create_batch(execution_date=date.today(), request_ids=[paid_out.id], actor_id=None)
        closing = make_closing()
    return {"request_id": asked.id, "batch_id": batch.id, "closing_id": closing.id}
