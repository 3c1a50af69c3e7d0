"""Which role may do what, declared in one place. Views ask `requires`/`can`.

Roles count only in the tenant of the request (the user loader sees no others), so
"coordinator" below means "coordinator of this tenant". `support` is not a membership:
it is the synthetic, read-only role of umbrella staff with an open support grant for the
tenant (see `koepel.platform.tenancy.request`); it only ever appears on GET requests.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from koepel.platform.tenancy.models import ALL_ROLES

UMBRELLA_STAFF = frozenset({"umbrella_admin", "umbrella_staff"})
SUPPORT_ROLE = "support"
# The people who answer for a tenant: they manage its people and read its audit log.
TENANT_ADMINS = frozenset({"coordinator", "policy_advisor", "umbrella_admin"})
EVERYONE = frozenset(ALL_ROLES)

PERMISSIONS: dict[str, frozenset[str]] = {
    # Everyone who holds a role in a tenant may open its workspace and their own jobs.
    "workspace.view": EVERYONE | {SUPPORT_ROLE},
    "jobs.view": EVERYONE,
    # The organisation's own status (an application awaiting approval, a suspension).
    "organisation.status": EVERYONE | {SUPPORT_ROLE},
    # The people of a tenant: who has which role, invitations, roles, two-factor resets.
    "people.view": TENANT_ADMINS | {"umbrella_staff", SUPPORT_ROLE},
    "people.invite": TENANT_ADMINS,
    "people.change_roles": TENANT_ADMINS,
    "people.reset_two_factor": TENANT_ADMINS,
    "people.confirm_erasure": TENANT_ADMINS,
    # The tenant's audit log: the people who answer for the tenant.
    "audit.view": UMBRELLA_STAFF | {"coordinator", "policy_advisor", SUPPORT_ROLE},
    "audit.export": UMBRELLA_STAFF | {"coordinator", "policy_advisor"},
    # Platform administration, in the umbrella's own tenant.
    "umbrella.tenants": UMBRELLA_STAFF,
    "umbrella.tenants.manage": frozenset({"umbrella_admin"}),
    "umbrella.invite": UMBRELLA_STAFF,
    "umbrella.support_access": UMBRELLA_STAFF,
    "umbrella.reset_two_factor": UMBRELLA_STAFF,
    "umbrella.erasure": UMBRELLA_STAFF,
    "umbrella.jobs": UMBRELLA_STAFF,
    "onboarding.review": UMBRELLA_STAFF,
    "audit.federation": UMBRELLA_STAFF,
    # A cooperative's members and their journey. Which members a person sees is narrowed
    # further in koepel.tenants.members.access: a coach their own, a member themselves.
    "members.view": frozenset({"coordinator", "treasurer", "coach", SUPPORT_ROLE}),
    "members.edit": frozenset({"coordinator", "coach"}),
    "members.transition": frozenset({"coordinator", "coach"}),
    "members.assign": frozenset({"coordinator"}),
    "members.settings": frozenset({"coordinator"}),
    "members.import": frozenset({"coordinator"}),
    "members.export": frozenset({"coordinator"}),
    # Referrals: sent by a municipality's client managers, received by the coordinator.
    "referrals.view": frozenset({"client_manager", "policy_advisor", SUPPORT_ROLE}),
    "referrals.send": frozenset({"client_manager"}),
    "referrals.incoming": frozenset({"coordinator", SUPPORT_ROLE}),
    "referrals.decide": frozenset({"coordinator"}),
    # The participation ladder, measured by the member's coach or the coordinator.
    "ladder.view": frozenset({"coordinator", "coach", SUPPORT_ROLE}),
    "ladder.measure": frozenset({"coordinator", "coach"}),
    # Coaching notes and goals: the member, their coach and the coordinator only; not
    # support access either (they are the most personal pages of the platform).
    "coaching.view": frozenset({"coordinator", "coach"}),
    "coaching.write": frozenset({"coordinator", "coach"}),
    # The cooperative's meetings (bijeenkomsten).
    "meetings.view": frozenset({"coordinator", "treasurer", "coach", "member", "candidate", SUPPORT_ROLE}),
    "meetings.manage": frozenset({"coordinator", "coach"}),
    # The member portal: a member's (or candidate's) own pages.
    "portal.view": frozenset({"member", "candidate"}),
    # Rules that change by year (allowance caps, VAT rates): kept by umbrella staff.
    "umbrella.parameters": UMBRELLA_STAFF,
    "umbrella.parameters.manage": frozenset({"umbrella_admin"}),
    # Agreements between a cooperative and a municipality: read by the people who deal
    # with money and policy on both sides, proposed and accepted by those who decide.
    "agreements.view": frozenset({"coordinator", "treasurer", "policy_advisor", "finance", SUPPORT_ROLE}),
    "agreements.propose": frozenset({"coordinator", "policy_advisor"}),
    "agreements.decide": frozenset({"coordinator", "policy_advisor"}),
    # Savings pots: the members' pots and their spending requests; a member asks from
    # their own pot, a coordinator or treasurer decides, the SEPA file pays them out.
    "pots.view": frozenset({"coordinator", "treasurer", SUPPORT_ROLE}),
    "pots.decide": frozenset({"coordinator", "treasurer"}),
    "pots.request": frozenset({"member", "candidate"}),
    "pots.payouts": frozenset({"coordinator", "treasurer"}),
    # Invoices (added by the invoices engineer for its tests; the integrator's to keep):
    # read by the people who deal with money, written by the coordinator and treasurer.
    "invoices.view": frozenset({"coordinator", "treasurer", SUPPORT_ROLE}),
    "invoices.write": frozenset({"coordinator", "treasurer"}),
    "customers.write": frozenset({"coordinator", "treasurer"}),
    # Payments: bank statements read by the people who deal with money, imported and matched
    # by the coordinator and treasurer.
    "payments.view": frozenset({"coordinator", "treasurer", SUPPORT_ROLE}),
    "payments.import": frozenset({"treasurer", "coordinator"}),
    "payments.match": frozenset({"treasurer", "coordinator"}),
    # Books: the cooperative's own costs and its reports (trial balance, pot statements, VAT,
    # the journal for the bookkeeper); read by the people who deal with money.
    "books.view": frozenset({"coordinator", "treasurer", SUPPORT_ROLE}),
    "books.write": frozenset({"treasurer", "coordinator"}),
    "placements.view": frozenset({"coordinator", "coach", "employer", SUPPORT_ROLE}),
    "placements.write": frozenset({"coordinator", "coach"}),
    "placements.retention": frozenset({"coordinator", SUPPORT_ROLE}),
    "funding.view": frozenset({"coordinator", "treasurer", "policy_advisor", "finance", SUPPORT_ROLE}),
    "funding.record": frozenset({"coordinator", "treasurer"}),
    "funding.periods": frozenset({"policy_advisor", "finance"}),
    "outcomes.view": frozenset({"policy_advisor", "client_manager", "finance", SUPPORT_ROLE}),
    "outcomes.peers": frozenset({"policy_advisor", "finance", SUPPORT_ROLE}),
    "outcomes.refresh": frozenset({"policy_advisor"}),
    "outcomes.report": frozenset({"policy_advisor", "finance"}),
    "umbrella.outcomes": UMBRELLA_STAFF,
    "online_payments.settings": frozenset({"coordinator", "treasurer"}),
    "settlements.view": frozenset({"coordinator", "treasurer", "client_manager", "policy_advisor", "finance",
                                   SUPPORT_ROLE}),
    "settlements.close": frozenset({"coordinator", "treasurer"}),
    "settlements.pay": frozenset({"coordinator", "treasurer"}),
    "settlements.process": frozenset({"client_manager", "policy_advisor", "finance"}),
    "settlements.claim": frozenset({"policy_advisor", "finance"}),
}


def can(permission: str) -> bool:
    allowed = PERMISSIONS[permission]
    return current_user.is_authenticated and current_user.has_role(*allowed)


def requires(permission: str) -> Callable:
    if permission not in PERMISSIONS:
        raise KeyError(f"undeclared permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def public(reason: str) -> Callable:
    """Mark a view that needs no permission, with the reason (checked by the matrix test)."""

    def decorator(view: Callable) -> Callable:
        view.public_reason = reason
        return view

    return decorator
