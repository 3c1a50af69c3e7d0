"""Online payment in the baseline: cooperative A and B each have their connected Stripe
account set and an issued invoice (of 2025) with an open payment link, stored as if Stripe
had made it (no call: the baseline runs without Stripe)."""

from __future__ import annotations

from datetime import date

ORDER = 55

ACCOUNTS = {"a": "acct_1KoepelBaseA", "b": "acct_1KoepelBaseB"}


def rows(orgs, people, extra) -> dict:
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.online_payments import OnlinePayment, do_set_account
    from tests.invoices.support import issued, line

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id):
            do_set_account(stripe_account_id=ACCOUNTS[suffix], actor_id=None)
            # An amount no other baseline invoice has: matching bank lines by amount stays unambiguous.
            invoice = issued(extra[f"member_{suffix}"], extra[f"customer_{suffix}"],
                             [line("Website gemaakt", 100, 31_337)], on=date(2025, 12, 3),
                             delivery_date=date(2025, 12, 1))
            link = OnlinePayment(invoice_id=invoice.id, status="open", amount_cents=invoice.total_cents,
                                 stripe_account_id=ACCOUNTS[suffix], session_id=f"cs_test_baseline_{suffix}",
                                 url=f"https://checkout.stripe.com/c/pay/cs_test_baseline_{suffix}",
                                 idempotency_key=f"baseline-{suffix}", registered_cents=0, payment_intent_id="")
            db.session.add(link)
            db.session.flush()
        made[f"online_invoice_{suffix}"], made[f"online_payment_{suffix}"] = invoice.id, link.id
    return made
