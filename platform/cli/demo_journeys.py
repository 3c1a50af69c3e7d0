"""The daily life of the demo cooperatives: members on their journey, with ladder
measurements, coaching, meetings and referrals from the municipality.

Dates are relative to the day the demo is loaded, so that a trial is always about to end
and measurements are due somewhere, as on a real Monday morning.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from koepel.platform.auth.models import User
from koepel.platform.db import db
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.tenants.members import do_link_account, do_register_member, do_transition

# name, email, trade name, activity, coach email, [(stage, days ago, outcome, why), ...]
# The first step is where the journey started.
SCOPE_MEMBERS = [
    ("Kees van Dijk", "lid@scope-delft.example.org", "Kees Fietst", "Bike repairs",
     "coach@example.org",
     [("referred", 620, None, "Referred by the client manager"), ("intake", 600, None, ""),
      ("business_plan", 570, None, "Wants to repair bikes for students"), ("trial", 520, None, ""),
      ("member", 430, None, "Trial went well")]),
    ("Ayşe Yılmaz", "kandidaat@scope-delft.example.org", "Ayşe's Atelier", "Sewing and alterations",
     "coach@example.org",
     [("intake", 120, None, "Walked in at the open day"), ("business_plan", 95, None, ""),
      ("trial", 80, None, "Starts with alterations for a dry cleaner")]),
    ("Johan Verbeek", None, "Tuin & Zo", "Garden maintenance", "coordinator@scope-delft.example.org",
     [("referred", 900, None, ""), ("intake", 880, None, ""), ("business_plan", 850, None, ""),
      ("trial", 800, None, ""), ("member", 710, None, ""),
      ("outflow", 150, "own_business", "Registered his own company at the KvK")]),
    ("Samira Benali", None, "Samira Catering", "Catering for small events", "coach@example.org",
     [("referred", 400, None, ""), ("intake", 380, None, ""), ("business_plan", 350, None, ""),
      ("trial", 300, None, ""), ("member", 210, None, "")]),
    ("Piotr Nowak", None, "Klusbedrijf Nowak", "Odd jobs and small repairs", "coordinator@scope-delft.example.org",
     [("referred", 300, None, ""), ("intake", 290, None, ""), ("business_plan", 260, None, ""),
      ("trial", 230, None, ""), ("member", 140, None, "")]),
    ("Mirjam de Boer", None, "Mirjams Mozaïek", "Mosaic workshops", "coach@example.org",
     [("intake", 700, None, ""), ("business_plan", 670, None, ""), ("trial", 640, None, ""),
      ("member", 550, None, ""), ("outflow", 60, "regular_job", "Hired by a community centre")]),
    ("Ahmed Rahimi", None, "Rahimi Vertalingen", "Translations Dari–Dutch", "coach@example.org",
     [("referred", 45, None, "")]),
    ("Lotte Kramer", None, None, None, "coordinator@scope-delft.example.org",
     [("referred", 200, None, ""), ("intake", 190, None, ""),
      ("stopped", 160, "health", "Stopped for now; may come back later")]),
    ("Henk Postma", None, "Henk's Houtwerk", "Furniture restoration", "coach@example.org",
     [("intake", 30, None, ""), ("business_plan", 10, None, "")]),
]


def _user_id(email: str | None) -> int | None:
    return db.session.scalar(select(User.id).where(User.email == email)) if email else None


def seed_cooperative_life(tenants: dict[str, Tenant], today: date | None = None) -> None:
    today = today or date.today()
    scope = tenants["scope-delft"]
    coordinator = _user_id("coordinator@scope-delft.example.org")
    with tenant_context(scope.id, coordinator):
        for name, email, trade_name, activity, coach_email, steps in SCOPE_MEMBERS:
            (first, days_ago, _, why), *later = steps
            account = _user_id(email)
            member = do_register_member(
                name=name, email=email, municipality="Delft", stage=first, reason=why,
                on_date=today - timedelta(days=days_ago), today=today,
                referral_source="municipality" if first == "referred" else "self",
                coach_user_id=_user_id(coach_email),
                business={"trade_name": trade_name, "activity": activity, "description": ""} if trade_name else None,
                actor_id=coordinator,
            )
            for stage, days_ago, outcome, why in later:
                do_transition(member, stage, on_date=today - timedelta(days=days_ago), outcome=outcome, reason=why,
                              actor_id=coordinator, today=today)
            if account is not None:
                do_link_account(member, account, actor_id=coordinator)
