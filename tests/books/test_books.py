"""The books: a cost posted (and reversed), the trial balance and its checks, an
account's history, a member's pot statement (page and PDF), VAT per quarter from invoices
and costs, the journal as CSV for the bookkeeper, and isolation."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.books import (
    BooksError,
    Cost,
    do_record_cost,
    do_reverse_cost,
    pot_statement,
    vat_report,
)
from koepel.tenants.invoices import do_credit, do_update_invoice_settings
from koepel.tenants.ledger import JournalEntry, Line, account, balance, books_total, do_post
from koepel.tenants.members import Member, do_register_member
from tests.invoices.support import customer, issued, line


def url(baseline, path: str = "") -> str:
    return f"/t/{baseline.coop_a.slug}/books{path}"


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


@pytest.fixture
def coop_a(db_session, baseline):
    with tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        yield baseline


def _balances() -> dict[str, int]:
    return {kind: balance(account(kind)).cents for kind in ("bank", "costs", "vat_payable")}


def _cost(key: str = "k1", amount: int = 12100, vat: int = 2100, on_date: date = date(2026, 3, 10), **fields):
    values = {"category": "materials", "supplier": "Bouwmarkt BV", "description": "Verf", **fields}
    return do_record_cost(on_date=on_date, amount=Money(amount), vat=Money(vat), idempotency_key=key,
                          actor_id=None, **values)


# --- costs -----------------------------------------------------------------------------------


def test_a_cost_posts_costs_net_vat_deducted_and_bank_paid(coop_a):
    before = _balances()
    cost = _cost()
    after = _balances()
    assert after["costs"] - before["costs"] == 10000  # Dr costs, excluding VAT
    assert after["vat_payable"] - before["vat_payable"] == 2100  # Dr: reduces the VAT owed
    assert after["bank"] - before["bank"] == -12100  # Cr bank, what was paid
    assert books_total() == Money(0)
    entry = db.session.get(JournalEntry, (cost.tenant_id, cost.entry_id))
    assert entry.kind == "cost" and entry.on_date == date(2026, 3, 10)
    # The same form sent twice records one cost.
    assert _cost() is cost
    assert db.session.scalar(select(func.count()).select_from(Cost).where(Cost.idempotency_key == "k1")) == 1
    assert _balances() == after


def test_a_cost_without_vat_has_no_vat_line(coop_a):
    before = _balances()
    _cost("novat", amount=5000, vat=0)
    after = _balances()
    assert (after["costs"] - before["costs"], after["vat_payable"] - before["vat_payable"]) == (5000, 0)


@pytest.mark.parametrize(("fields", "field"), [
    ({"amount": 0, "vat": 0}, "amount"),
    ({"amount": 1000, "vat": 1000}, "vat"),
    ({"amount": 1000, "vat": -1}, "vat"),
    ({"category": "holiday"}, "category"),
    ({"supplier": "  "}, "supplier"),
])
def test_a_cost_the_books_refuse_posts_nothing(coop_a, fields, field):
    before = _balances()
    with pytest.raises(BooksError) as refused:
        _cost("bad", **fields)
    assert refused.value.field == field
    assert _balances() == before


def test_a_cost_is_corrected_by_its_reversal(coop_a):
    before = _balances()
    cost = _cost("to-reverse")
    with pytest.raises(BooksError):
        do_reverse_cost(cost, reason=" ", actor_id=None)
    reversal = do_reverse_cost(cost, reason="Dubbel geboekt", on_date=date(2026, 4, 2), actor_id=None)
    assert reversal.reverses_entry_id == cost.entry_id and reversal.on_date == date(2026, 4, 2)
    assert _balances() == before
    with pytest.raises(BooksError):
        do_reverse_cost(cost, reason="Nog eens", actor_id=None)


# --- the cost pages --------------------------------------------------------------------------


def _form(**fields) -> dict:
    return {"idempotency_key": "form-1", "on_date": "10-03-2026", "category": "rent", "supplier": "Verhuurder BV",
            "description": "Huur maart", "receipt": "F-2026-03", "amount": "605,00", "vat": "105,00", **fields}


def _costs_with_key(app, baseline, key: str) -> list[Cost]:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        return list(db.session.scalars(select(Cost).where(Cost.idempotency_key == key)))


def test_a_cost_from_the_form_is_recorded_once(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    response = client.post(url(baseline, "/costs"), data=_form())
    assert response.status_code == 302
    assert client.post(url(baseline, "/costs"), data=_form()).status_code == 302  # sent twice
    [cost] = _costs_with_key(app, baseline, "form-1")
    assert (cost.amount_cents, cost.vat_cents, cost.category, cost.receipt) == (60500, 10500, "rent", "F-2026-03")
    page = client.get(url(baseline, "/costs"))
    assert page.status_code == 200 and "Huur maart" in page.text and 'name="idempotency_key"' in page.text


@pytest.mark.parametrize("fields", [{"amount": "veel"}, {"vat": "605,00"}, {"on_date": "31-02-2026"},
                                    {"supplier": ""}])
def test_bad_cost_input_shows_the_form_again_and_changes_nothing(app, baseline, as_user, fields):
    client = as_user(baseline.coordinator_a)
    response = client.post(url(baseline, "/costs"), data=_form(idempotency_key="bad-form", **fields))
    assert response.status_code == 400
    assert "field-error" in response.text
    assert _costs_with_key(app, baseline, "bad-form") == []


def test_a_cost_is_reversed_from_the_page_with_a_reason(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    cost_id = baseline.extra["cost_a"]
    assert client.post(url(baseline, f"/costs/{cost_id}/reverse"), data={}).status_code == 400
    response = client.post(url(baseline, f"/costs/{cost_id}/reverse"), data={f"r{cost_id}-reason": "Verkeerde huur"})
    assert response.status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        cost = db.session.scalar(select(Cost).where(Cost.id == cost_id))
        reversal = db.session.scalar(select(JournalEntry).where(JournalEntry.reverses_entry_id == cost.entry_id))
        assert reversal is not None and "Verkeerde huur" in reversal.description
    assert "Verkeerde huur" in client.get(url(baseline, "/costs")).text
    # Reversed once: a second attempt is refused.
    again = client.post(url(baseline, f"/costs/{cost_id}/reverse"), data={f"r{cost_id}-reason": "Nog eens"})
    assert again.status_code == 409


def test_a_member_may_not_see_the_books(baseline, as_user):
    client = as_user(baseline.member_a)
    assert client.get(url(baseline, "/")).status_code == 403
    assert client.post(url(baseline, "/costs"), data=_form()).status_code == 403


# --- trial balance and account history -------------------------------------------------------


def test_the_trial_balance_is_in_balance_and_every_cached_balance_matches(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    page = client.get(url(baseline, "/"))
    assert page.status_code == 200
    with app.app_context(), tenant_context(baseline.coop_a.id):
        debit = sum(max(balance(a).cents, 0) for a in _accounts())
    shown = Money(debit).format()
    assert f'<td id="debit-total">{shown}</td>' in page.text
    assert f'<td id="credit-total">{shown}</td>' in page.text
    assert "Debit and credit are equal." in page.text
    assert "balance matches its lines." in page.text and "do not match their lines" not in page.text
    # Readable names: the baseline member's savings pot.
    assert "Savings pot: Baseline Member A" in page.text


def _accounts():
    from koepel.tenants.ledger import LedgerAccount

    return list(db.session.scalars(select(LedgerAccount)))


def test_an_account_shows_its_history_newest_first_with_a_running_balance(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        pot = account("member_pot", member_id=baseline.extra["member_a"])
        do_post(lines=[Line(account("bank"), Money(1000)), Line(pot, Money(-1000))], on_date=date(2026, 5, 1),
                kind="manual", description="Later earnings", idempotency_key="later-earnings")
        pot_id, held = pot.id, -balance(pot).cents
        db.session.commit()
    page = english(as_user(baseline.coordinator_a)).get(url(baseline, f"/accounts/{pot_id}"))
    assert page.status_code == 200
    assert "Savings pot: Baseline Member A" in page.text
    text = page.text
    assert text.index("Later earnings") < text.index("Baseline earnings")  # newest first
    assert f"{Money(held).format()} Cr" in text  # the balance after the latest line


def test_another_cooperatives_account_is_not_found(baseline, as_user):
    client = as_user(baseline.coordinator_b)
    assert client.get(url(baseline, f"/accounts/{baseline.extra['pot_a']}").replace(
        baseline.coop_a.slug, baseline.coop_b.slug)).status_code == 404
    assert as_user(baseline.coordinator_a).get(url(baseline, f"/accounts/{baseline.extra['pot_b']}")).status_code == 404


# --- the pot statement -----------------------------------------------------------------------


@pytest.fixture
def saver(app, baseline):
    """A member whose pot got 100,00 in January, 50,00 in and 30,00 out in February, and
    20,00 in March."""
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member = do_register_member(name="Sam Spaarder", stage="intake", actor_id=None)
        pot = account("member_pot", member_id=member.id)
        for key, day, cents, text in (("jan", date(2026, 1, 20), 10000, "Verdiensten januari"),
                                      ("feb-in", date(2026, 2, 5), 5000, "Verdiensten februari"),
                                      ("feb-out", date(2026, 2, 18), -3000, "Gereedschap gekocht"),
                                      ("mar", date(2026, 3, 3), 2000, "Verdiensten maart")):
            other = account("bank") if cents > 0 else account("payouts_due")
            do_post(lines=[Line(other, Money(cents)), Line(pot, Money(-cents))], on_date=day, kind="manual",
                    description=text, idempotency_key=f"saver-{key}-{member.id}")
        db.session.commit()
        return member.id


def test_the_pot_statement_has_opening_movements_and_closing_of_the_month(app, baseline, saver):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        statement = pot_statement(db.session.get(Member, (baseline.coop_a.id, saver)), 2026, 2)
        assert statement.opening == Money(10000)
        assert [(m.on_date, m.amount) for m in statement.movements] == [
            (date(2026, 2, 5), Money(5000)), (date(2026, 2, 18), Money(-3000))]
        assert (statement.paid_in, statement.paid_out, statement.closing) == (Money(5000), Money(3000), Money(12000))
        march = pot_statement(db.session.get(Member, (baseline.coop_a.id, saver)), 2026, 3)
        assert (march.opening, march.closing) == (Money(12000), Money(14000))
        assert pot_statement(db.session.get(Member, (baseline.coop_a.id, saver)), 2026, 13) is None


def test_the_pot_statement_page_and_pdf(baseline, as_user, saver):
    client = as_user(baseline.coordinator_a)
    page = client.get(url(baseline, f"/pots/{saver}/2026/2"))
    assert page.status_code == 200
    assert "Verdiensten februari" in page.text and "Gereedschap gekocht" in page.text
    assert "Verdiensten maart" not in page.text and "Verdiensten januari" not in page.text
    assert "€ 100,00" in page.text and "€ 120,00" in page.text
    pdf = client.get(url(baseline, f"/pots/{saver}/2026/2/pdf"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert client.get(url(baseline, f"/pots/{saver}/2026/13")).status_code == 404


def test_the_pot_statement_of_another_cooperatives_member_is_not_found(baseline, as_user):
    client = as_user(baseline.coordinator_a)
    assert client.get(url(baseline, f"/pots/{baseline.extra['member_b']}/2026/2")).status_code == 404
    assert client.get(url(baseline, f"/pots/{baseline.extra['member_b']}/2026/2/pdf")).status_code == 404


# --- VAT per quarter -------------------------------------------------------------------------


def _figures(report) -> list[dict]:
    return [{"rates": {rate: (net.cents, vat.cents) for rate, net, vat in q.rate_rows()},
             "charged": q.vat_charged.cents, "costs": q.vat_on_costs.cents, "owed": q.owed.cents}
            for q in report.quarters]


def _delta(before: list[dict], after: list[dict]) -> list[dict]:
    return [{"rates": {r: (a["rates"].get(r, (0, 0))[0] - b["rates"].get(r, (0, 0))[0],
                           a["rates"].get(r, (0, 0))[1] - b["rates"].get(r, (0, 0))[1]) for r in a["rates"]},
             "charged": a["charged"] - b["charged"], "costs": a["costs"] - b["costs"], "owed": a["owed"] - b["owed"]}
            for b, a in zip(before, after, strict=True)]


def test_vat_per_quarter_from_invoices_credit_notes_and_costs(coop_a):
    member_id = coop_a.extra["member_a"]
    before = _figures(vat_report(2026))
    buyer = customer()
    # Q1: 100,00 at 21% and 40,00 at 9%; Q2: 200,00 at 21%, credited in Q2; a cost in Q1, reversed in Q3.
    issued(member_id, buyer.id, [line(price=10000), line("Band", price=4000, rate=900)], on=date(2026, 3, 2))
    second = issued(member_id, buyer.id, [line(price=20000)], on=date(2026, 5, 4), delivery_date=date(2026, 5, 1))
    do_credit(second, reason="Niet geleverd", today=date(2026, 6, 1), actor_id=None)
    cost = _cost("vat-cost", amount=6050, vat=1050, on_date=date(2026, 2, 10))
    do_reverse_cost(cost, reason="Retour", on_date=date(2026, 7, 1), actor_id=None)
    change = _delta(before, _figures(vat_report(2026)))
    assert change[0]["rates"][2100] == (10000, 2100) and change[0]["rates"][900] == (4000, 360)
    assert (change[0]["charged"], change[0]["costs"], change[0]["owed"]) == (2460, 1050, 1410)
    assert change[1]["rates"][2100] == (0, 0) and change[1]["charged"] == 0  # the credit note cancels it
    assert (change[2]["costs"], change[2]["owed"]) == (-1050, 1050)  # the reversal returns the deduction
    assert change[3] == {"rates": {2100: (0, 0), 900: (0, 0), 0: (0, 0)}, "charged": 0, "costs": 0, "owed": 0}


def test_the_vat_page_shows_the_quarters_and_the_kor_note(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    page = client.get(url(baseline, "/vat?year=2026"))
    assert page.status_code == 200 and "Quarter 4" in page.text and "small-business scheme" not in page.text
    with app.app_context(), tenant_context(baseline.coop_a.id):
        do_update_invoice_settings(kor=True, payment_term_days=30, reminder_after_days=7, actor_id=None)
        db.session.commit()
    assert 'id="kor-note"' in client.get(url(baseline, "/vat?year=2026")).text
    assert client.get(url(baseline, "/vat?year=1")).status_code == 400


# --- the journal for the bookkeeper ----------------------------------------------------------


def test_the_journal_export_is_semicolon_separated_with_a_bom_and_escapes_formulas(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        _cost("export", amount=12100, vat=2100, on_date=date(2026, 6, 15), supplier="=HYPERLINK(1)",
              description="Papier")
        _cost("outside", amount=500, vat=0, on_date=date(2026, 7, 1), description="Buiten de periode")
        db.session.commit()
    client = english(as_user(baseline.coordinator_a))
    response = client.get(url(baseline, "/export.csv?from=2026-06-01&to=30-06-2026"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Date", "Entry", "Kind", "Description", "Account kind", "Account", "Debit", "Credit"]
    body = rows[1:]
    assert len(body) == 3 and all(r[0] == "15-06-2026" and r[2] == "cost" for r in body)
    assert all(r[3] == "'=HYPERLINK(1): Papier" for r in body)  # a formula is escaped
    assert {(r[4], r[6], r[7]) for r in body} == {("costs", "100,00", ""), ("vat_payable", "21,00", ""),
                                                  ("bank", "", "121,00")}
    assert client.get(url(baseline, "/export.csv?from=gisteren")).status_code == 400
