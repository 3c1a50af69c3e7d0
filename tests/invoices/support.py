"""Helpers of the invoice tests: a customer, a draft, an issued invoice."""

from __future__ import annotations

from datetime import date

from koepel.platform.money import Money
from koepel.tenants.invoices import LineInput, do_create_customer, do_create_draft, do_issue

ISSUED_ON = date(2026, 3, 2)


def customer(name: str = "Bakkerij De Korenbloem", **fields):
    values = {"street": "Markt 5", "postal_code": "2611 GS", "city": "Delft", "country": "NL",
              "email": "boekhouding@korenbloem.example.org", "is_business": True, **fields}
    return do_create_customer(name=name, actor_id=None, **values)


def line(description: str = "Fiets gerepareerd", quantity: int = 100, price: int = 4500, rate: int = 2100):
    return LineInput(description, quantity, Money(price), rate)


def draft(member_id: int, customer_id: int, lines=None, **kwargs):
    return do_create_draft(member_id=member_id, customer_id=customer_id, delivery_date=kwargs.pop("delivery_date", ISSUED_ON),
                           lines=lines or [line()], actor_id=None, **kwargs)


def issued(member_id: int, customer_id: int, lines=None, on: date = ISSUED_ON, **kwargs):
    return do_issue(draft(member_id, customer_id, lines, **kwargs), today=on, actor_id=None)
