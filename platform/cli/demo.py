"""The demo federation loaded by `koepel seed-demo` (and by `make run` on first start).

Organisation names follow real places where social cooperatives work; every person is
invented and every address is under the reserved `example.org` domain.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from koepel.platform.auth.models import User
from koepel.platform.auth.operations import do_create_user
from koepel.platform.auth.two_factor import seed_two_factor, two_factor_required
from koepel.platform.cli.demo_history import (
    DEMO_COOPERATIVES,
    DEMO_EMPLOYER,
    demo_tenants,
    seed_history,
)
from koepel.platform.cli.demo_journeys import seed_cooperative_life
from koepel.platform.db import db
from koepel.platform.reference import by_name as reference_by_name
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.platform.tenancy.operations import do_add_membership, do_create_tenant
from koepel.services.outcomes import do_request_aggregation

DEMO_PASSWORD = "koepel-demo"
# Umbrella staff and municipal roles must use two-factor: the demo accounts with those
# roles share this secret (add it to an authenticator app to sign in as them).
DEMO_TOTP_SECRET = "KOEPELDEMOKOEPELDEMOKOEPELDEMO23"

OWN_TENANTS = [
    ("umbrella", "koepel", "Koepel — Landelijk Netwerk Sociale Coöperaties"),
    ("cooperative", "scope-delft", "Sociale Coöperatie Scope Delft"),
    ("cooperative", "de-vrije-uitloop-breda", "Coöperatie De Vrije Uitloop Breda"),
    ("cooperative", "samen-zoetermeer", "Sociale Coöperatie Samen Zoetermeer"),
    ("cooperative", "zaans-ondernemen", "Sociale Coöperatie Zaans Ondernemen"),
    ("employer_cooperative", "werkgevers-drechtsteden", "Werkgeverscoöperatie Drechtsteden"),
    ("municipality", "gemeente-delft", "Gemeente Delft"),
    ("municipality", "gemeente-breda", "Gemeente Breda"),
    ("municipality", "gemeente-zoetermeer", "Gemeente Zoetermeer"),
    ("municipality", "gemeente-zaanstad", "Gemeente Zaanstad"),
]
# Every tenant of the demo: the ones above and those made with their history
# (demo_history.py), so that what the demo holds is known without loading it.
TENANTS = OWN_TENANTS + demo_tenants()

# (email, name, language, [(tenant slug, role), ...])
PEOPLE = [
    ("beheer@koepel.example.org", "Annelies de Vries", "nl", [("koepel", "umbrella_admin")]),
    ("staf@koepel.example.org", "Joost Hendriks", "nl", [("koepel", "umbrella_staff")]),
    ("coordinator@scope-delft.example.org", "Marieke Jansen", "nl", [("scope-delft", "coordinator")]),
    ("penningmeester@scope-delft.example.org", "Pieter Bakker", "nl", [("scope-delft", "treasurer")]),
    # One person, two cooperatives: a coach who works for Delft and Zoetermeer.
    ("coach@example.org", "Fatima El Amrani", "nl", [("scope-delft", "coach"), ("samen-zoetermeer", "coach")]),
    ("lid@scope-delft.example.org", "Kees van Dijk", "nl", [("scope-delft", "member")]),
    ("kandidaat@scope-delft.example.org", "Ayşe Yılmaz", "en", [("scope-delft", "candidate")]),
    ("coordinator@vrije-uitloop.example.org", "Ruud Verhoeven", "nl", [("de-vrije-uitloop-breda", "coordinator")]),
    ("coordinator@samen-zoetermeer.example.org", "Ingrid Smit", "nl", [("samen-zoetermeer", "coordinator")]),
    ("coordinator@zaans-ondernemen.example.org", "Mohamed Bouzid", "nl", [("zaans-ondernemen", "coordinator")]),
    ("coordinator@drechtsteden.example.org", "Wim de Graaf", "nl", [("werkgevers-drechtsteden", "coordinator")]),
    ("werkgever@drechtsteden.example.org", "Sandra Visser", "nl", [("werkgevers-drechtsteden", "employer")]),
    ("begeleider@drechtsteden.example.org", "Erik Mulder", "nl", [("werkgevers-drechtsteden", "coach")]),
    ("deelnemer@drechtsteden.example.org", "Daan Peters", "nl", [("werkgevers-drechtsteden", "participant")]),
    ("beleid@delft.example.org", "Hanneke Vos", "nl", [("gemeente-delft", "policy_advisor")]),
    ("klantmanager@delft.example.org", "Bas Koster", "nl", [("gemeente-delft", "client_manager")]),
    ("financien@delft.example.org", "Linda Meijer", "nl", [("gemeente-delft", "finance")]),
    # A municipal advisor who also sits on the board of the cooperative in Breda.
    ("beleid@breda.example.org", "Tom van Leeuwen", "nl", [("gemeente-breda", "policy_advisor"), ("de-vrije-uitloop-breda", "coordinator")]),
    ("klantmanager@zoetermeer.example.org", "Nadia Haddou", "nl", [("gemeente-zoetermeer", "client_manager")]),
    ("beleid@zaanstad.example.org", "Gerrit Bos", "nl", [("gemeente-zaanstad", "policy_advisor")]),
]


def is_seeded() -> bool:
    return db.session.scalar(select(Tenant.id).limit(1)) is not None


# The demo federation has 25 social cooperatives: the four above and these, each with
# years of history (a few also work with the demo municipalities), and a second
# employer cooperative with its placements.
HISTORY_YEARS = 4


def seed_demo(today: date | None = None) -> None:
    """Create the demo federation in the current unit of work (the caller commits)."""
    today = today or date.today()
    tenants = {
        slug: do_create_tenant(kind=kind, slug=slug, name=name, status="active")
        for kind, slug, name in OWN_TENANTS
    }
    for tenant in tenants.values():
        if tenant.kind == "municipality":  # "Gemeente Delft" is CBS's "Delft"
            reference = reference_by_name(tenant.name.removeprefix("Gemeente "))
            tenant.cbs_code = reference.cbs_code if reference else None
    for email, name, language, roles in PEOPLE:
        user = User.by_email(email) or do_create_user(
            email=email, name=name, password=DEMO_PASSWORD, language=language, verified=True
        )
        for slug, role in roles:
            do_add_membership(tenants[slug], user.id, role)
        if two_factor_required(user.id) and not user.has_two_factor:
            seed_two_factor(user, DEMO_TOTP_SECRET)
    seed_cooperative_life(tenants, today)
    seed_history(cooperatives=len(DEMO_COOPERATIVES), years=HISTORY_YEARS, today=today,
                 towns=tuple(town for town, _ in DEMO_COOPERATIVES), names=tuple(name for _, name in DEMO_COOPERATIVES),
                 employer_towns=DEMO_EMPLOYER[1], employer_name=DEMO_EMPLOYER[0],
                 second_agreement_with=[t.id for t in tenants.values() if t.kind == "municipality"])
    # The outcome figures of that history, computed by the worker right after the start
    # (and every night after), so the dashboards are filled when someone signs in.
    with tenant_context(tenants["koepel"].id):
        do_request_aggregation(actor_id=None)


def demo_logins() -> list[tuple[str, str]]:
    return [(email, ", ".join(f"{role} @ {slug}" for slug, role in roles)) for email, _, _, roles in PEOPLE]
