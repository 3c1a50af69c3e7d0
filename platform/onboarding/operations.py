"""A cooperative applies; the umbrella decides; the applicant hears either way."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from koepel.platform.audit import record
from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.mail import external_url, send_mail
from koepel.platform.tenancy import Membership, Tenant, tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.platform.tenancy.operations import (
    do_add_membership,
    do_create_tenant,
    do_record_application,
    key_role,
    unique_slug,
)


@dataclass(frozen=True)
class Application:
    name: str
    legal_form: str
    kvk_number: str
    vat_number: str
    iban: str
    street: str
    postal_code: str
    city: str
    municipality_ids: list[int]
    other_municipalities: list[str]


def municipalities_on_platform() -> list[Tenant]:
    return list(db.session.scalars(
        select(Tenant).where(Tenant.kind == "municipality", Tenant.status == "active").order_by(Tenant.name)
    ))


def do_apply(application: Application, *, coordinator: User, new_account: bool) -> Tenant:
    """Create the pending cooperative, its profile and its first coordinator; mail them.

    Everything is in the caller's unit of work: a failure leaves nothing behind.
    """
    known = {m.id for m in municipalities_on_platform()}
    tenant = do_create_tenant(
        kind="cooperative", slug=unique_slug(application.name), name=application.name,
        status="pending", actor_id=coordinator.id,
    )
    do_add_membership(tenant, coordinator.id, "coordinator", actor_id=coordinator.id)
    with tenant_context(tenant.id, coordinator.id):
        db.session.add(TenantProfile(
            legal_form=application.legal_form, kvk_number=application.kvk_number,
            vat_number=application.vat_number, iban=application.iban, street=application.street.strip(),
            postal_code=application.postal_code, city=application.city.strip(),
            municipality_ids=[i for i in application.municipality_ids if i in known],
            other_municipalities=application.other_municipalities,
        ))
        db.session.flush()
        record("onboarding.applied", object_type="tenant", object_id=tenant.id,
               details={"name": tenant.name, "kvk_number": application.kvk_number})
    do_record_application(tenant, actor_id=coordinator.id)
    if new_account:
        from koepel.platform.auth.operations import do_send_verification

        do_send_verification(coordinator)
    send_mail(
        to=coordinator.email, template="application_received", language=coordinator.language,
        name=coordinator.name, tenant_name=tenant.name, verify=new_account and not coordinator.is_verified,
        link=external_url("onboarding.status", tenant_slug=tenant.slug),
    )
    return tenant


def key_people(tenant: Tenant) -> list[User]:
    """Who answers for the tenant (its coordinators, policy advisors …)."""
    with tenant_context(tenant.id):
        return list(db.session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.role == key_role(tenant)).order_by(User.id)
        ))


def notify_decision(tenant: Tenant, action: str, reason: str | None) -> None:
    """Mail the tenant's key people about approval, rejection, suspension, reactivation."""
    templates = {"approved": "application_approved", "rejected": "application_rejected",
                 "suspended": "organisation_suspended", "reactivated": "organisation_reactivated"}
    template = templates.get(action)
    if template is None:
        return
    for person in key_people(tenant):
        send_mail(
            to=person.email, template=template, language=person.language, name=person.name,
            tenant_name=tenant.name, reason=reason,
            link=external_url("workspace.home", tenant_slug=tenant.slug),
        )
