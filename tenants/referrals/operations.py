"""Referrals across the border: send and withdraw (municipality), accept and decline
(cooperative), and the journey's later steps mirrored back to the municipality.

Each side writes its own rows; the other side's rows are written only inside
`across_border` (koepel.platform.tenancy.border), in the same transaction. What crosses
to the cooperative is what the resident consented to; what crosses back is a status, a
stage, an outcome code and a date, and a decline's message meant for the municipality.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.auth import User
from koepel.platform.dates import amsterdam_today, local_date
from koepel.platform.db import db, utcnow
from koepel.platform.mail import external_url, send_mail
from koepel.platform.tenancy import Membership, Tenant, current_tenant_id
from koepel.platform.tenancy.border import across_border
from koepel.tenants.members import MemberError, do_register_member, member_transitioned

from .models import HANDOVER_MAX, REASON_MAX, IncomingReferral, Referral, ReferralEvent

log = logging.getLogger(__name__)


IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

register_labels({
    "referrals.sent": _l("Referral sent to a cooperative"),
    "referrals.withdrawn": _l("Referral withdrawn"),
    "referrals.received": _l("Referral received from a municipality"),
    "referrals.withdrawn_by_sender": _l("Referral withdrawn by the municipality"),
    "referrals.accepted": _l("Referral accepted"),
    "referrals.declined": _l("Referral declined"),
    "referrals.answered": _l("The cooperative answered a referral"),
    "referrals.progress": _l("The journey of a referred resident moved on"),
})


class ReferralError(ValueError):
    """A referral that cannot be sent or decided; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        # Kept lazy: translated when shown, so a job or the CLI can raise it too.
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def _tenant_of_kind(kind: str) -> Tenant:
    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or tenant.kind != kind:
        raise ReferralError(_l("Referrals are sent by a municipality and received by a cooperative."))
    return tenant


def _text(value: str | None) -> str:
    return (value or "").strip()


def by_idempotency_key(key: str) -> Referral | None:
    return db.session.scalar(select(Referral).where(Referral.idempotency_key == key))


# --- the municipality's side -------------------------------------------------------------


def do_send_referral(
    *,
    resident_name: str,
    handover: str,
    target_tenant_id: int | None,
    consent: bool,
    share_contact: bool = False,
    share_date_of_birth: bool = False,
    share_handover: bool = False,
    resident_email: str | None = None,
    resident_phone: str | None = None,
    resident_date_of_birth: date | None = None,
    client_reference: str | None = None,
    idempotency_key: str | None = None,
    actor_id: int | None,
    notify: bool = False,
) -> Referral:
    """Refer a resident to an active cooperative, with their recorded consent.

    The cooperative receives the name and what the consent covers, nothing else. The same
    `idempotency_key` again returns the referral made the first time, changing nothing.
    With `notify` the cooperative's coordinators are mailed (after commit): the page asks
    for it; loading history (the demo, an import) does not.
    """
    municipality = _tenant_of_kind("municipality")
    key = _text(idempotency_key) or new_idempotency_key()
    if not IDEMPOTENCY_KEY.match(key):
        raise ReferralError(_l("The form has expired. Open it again."), "idempotency_key")
    existing = by_idempotency_key(key)
    if existing is not None:
        return existing
    name, handover = _text(resident_name), _text(handover)
    email, phone, reference = _text(resident_email) or None, _text(resident_phone) or None, _text(client_reference) or None
    if not name:
        raise ReferralError(_l("Enter the resident's name."), "resident_name")
    if len(name) > 200:
        raise ReferralError(_l("Use at most %(max)d characters.", max=200), "resident_name")
    if email and ("@" not in email[1:] or len(email) > 254):
        raise ReferralError(_l("Enter a valid email address."), "resident_email")
    if phone and len(phone) > 40:
        raise ReferralError(_l("Use at most %(max)d characters.", max=40), "resident_phone")
    if reference and len(reference) > 100:
        raise ReferralError(_l("Use at most %(max)d characters.", max=100), "client_reference")
    if resident_date_of_birth is not None and not date(1900, 1, 1) <= resident_date_of_birth <= amsterdam_today():
        raise ReferralError(_l("Enter a date of birth in the past."), "resident_date_of_birth")
    if not consent:
        raise ReferralError(_l("A referral needs the resident's consent. Record it before sending."), "consent")
    if not handover:
        raise ReferralError(_l("Write a short hand-over: what the resident wants to do and what helps."), "handover")
    if len(handover) > HANDOVER_MAX:
        raise ReferralError(_l("Keep the hand-over short: at most %(max)d characters (now %(count)d).",
                               max=HANDOVER_MAX, count=len(handover)), "handover")
    cooperative = db.session.get(Tenant, target_tenant_id) if target_tenant_id else None
    if cooperative is None or cooperative.kind != "cooperative" or cooperative.status != "active":
        raise ReferralError(_l("Choose an active cooperative."), "target_tenant_id")

    now = utcnow()
    referral = Referral(
        link_key=secrets.token_urlsafe(32), idempotency_key=key, resident_name=name, resident_email=email,
        resident_phone=phone, resident_date_of_birth=resident_date_of_birth, client_reference=reference,
        consent_recorded_at=now, consent_recorded_by=actor_id, share_contact=bool(share_contact),
        share_date_of_birth=bool(share_date_of_birth), share_handover=bool(share_handover), handover=handover,
        target_tenant_id=cooperative.id, status="sent", sent_by=actor_id, created_at=now, updated_at=now,
    )
    try:
        # A double submit racing this one waits on the unique key, then finds its referral.
        with db.session.begin_nested():
            db.session.add(referral)
            db.session.flush()
    except IntegrityError:
        existing = by_idempotency_key(key)
        if existing is None:
            raise
        return existing
    db.session.add(ReferralEvent(referral_id=referral.id, status="sent", on_date=amsterdam_today()))
    shared = referral.shared_fields
    record("referrals.sent", object_type="referral", object_id=referral.id,
           details={"to_tenant_id": cooperative.id, "shared": shared}, actor_user_id=actor_id)
    referral_id = referral.id
    incoming = {
        "link_key": referral.link_key, "from_tenant_id": municipality.id, "from_name": municipality.name,
        "name": name,
        "email": email if share_contact else None,
        "phone": phone if share_contact else None,
        "date_of_birth": resident_date_of_birth if share_date_of_birth else None,
        "handover": handover if share_handover else None,
        "shared_contact": bool(share_contact), "shared_date_of_birth": bool(share_date_of_birth),
        "shared_handover": bool(share_handover),
    }
    with across_border(cooperative.id, reason="referral sent"):
        received = IncomingReferral(**incoming, status="pending", received_at=now)
        db.session.add(received)
        db.session.flush()
        record("referrals.received", object_type="incoming_referral", object_id=received.id,
               details={"from_tenant_id": municipality.id, "shared": shared},
               actor_user_id=actor_id)
        if notify:
            _mail_coordinators(cooperative, received.id, municipality.name)
    return db.session.get(Referral, (municipality.id, referral_id))


def do_withdraw_referral(referral: Referral, *, actor_id: int | None) -> Referral:
    """Withdraw a referral the cooperative has not decided on; its copy there is emptied
    down to the name, which says what was withdrawn."""
    _tenant_of_kind("municipality")
    if referral.status != "sent":
        raise ReferralError(_l("Only a referral the cooperative has not answered yet can be withdrawn."))
    referral_id, link_key, target = referral.id, referral.link_key, referral.target_tenant_id
    tenant_id = referral.tenant_id
    # Locks are taken in one order everywhere, the cooperative's row first: a withdrawal
    # and an acceptance at the same moment are made one after the other.
    with across_border(target, reason="referral withdrawn"):
        incoming = db.session.scalar(
            select(IncomingReferral).where(IncomingReferral.link_key == link_key).with_for_update())
        if incoming is None or incoming.status != "pending":
            raise ReferralError(_l("The cooperative has just answered this referral: it can no longer be withdrawn."))
        incoming.status = "withdrawn"
        incoming.decided_at = utcnow()
        _forget_details(incoming)
        record("referrals.withdrawn_by_sender", object_type="incoming_referral", object_id=incoming.id,
               actor_user_id=actor_id)
    referral = db.session.get(Referral, (tenant_id, referral_id))
    referral.status = "withdrawn"
    referral.decided_at = utcnow()
    db.session.add(ReferralEvent(referral_id=referral.id, status="withdrawn", on_date=amsterdam_today()))
    record("referrals.withdrawn", object_type="referral", object_id=referral.id, actor_user_id=actor_id)
    db.session.flush()
    return referral


def _forget_details(incoming: IncomingReferral) -> None:
    """A referral that leads to no membership keeps only the name at the cooperative."""
    incoming.email = incoming.phone = incoming.date_of_birth = incoming.handover = None


# --- the cooperative's side --------------------------------------------------------------


def _lock_pending(incoming: IncomingReferral) -> None:
    db.session.refresh(incoming, with_for_update=True)
    if incoming.status != "pending":
        raise ReferralError(_l("This referral has already been answered."))


def _answer_municipality(incoming_values: dict, *, status: str, stage: str | None = None, on_date: date,
                         decline_reason: str | None = None, actor_id: int | None, notify: bool) -> None:
    cooperative = db.session.get(Tenant, current_tenant_id())
    with across_border(incoming_values["from_tenant_id"], reason=f"referral {status}"):
        referral = db.session.scalar(
            select(Referral).where(Referral.link_key == incoming_values["link_key"]).with_for_update())
        if referral is None or referral.status != "sent":
            raise ReferralError(_l("The municipality has withdrawn this referral."))
        referral.status = status
        referral.decided_at = utcnow()
        referral.decline_reason = decline_reason
        if stage is not None:
            referral.stage, referral.stage_on, referral.outcome = stage, on_date, None
        db.session.add(ReferralEvent(referral_id=referral.id, status=status, stage=stage, on_date=on_date))
        record("referrals.answered", object_type="referral", object_id=referral.id,
               details={"status": status}, actor_user_id=actor_id)
        if notify:
            _mail_sender(referral, cooperative.name)


def do_accept_referral(incoming: IncomingReferral, *, actor_id: int | None, notify: bool = False) -> IncomingReferral:
    """Accept: the resident becomes a member in the stage `referred`, with what was shared."""
    _tenant_of_kind("cooperative")
    _lock_pending(incoming)
    shared = {key: value for key, value in (("email", incoming.email), ("phone", incoming.phone),
                                            ("date_of_birth", incoming.date_of_birth)) if value is not None}
    try:
        member = do_register_member(name=incoming.name, municipality=incoming.from_name[:100],
                                    benefit_municipality_id=incoming.from_tenant_id,
                                    referral_source="municipality", stage="referred", actor_id=actor_id, **shared)
    except MemberError as error:
        raise ReferralError(str(error)) from None
    incoming.member_id = member.id
    incoming.status = "accepted"
    incoming.decided_at = utcnow()
    incoming.decided_by = actor_id
    values = {"id": incoming.id, "tenant_id": incoming.tenant_id, "from_tenant_id": incoming.from_tenant_id,
              "link_key": incoming.link_key}
    on_date = member.stage_since
    db.session.flush()
    record("referrals.accepted", object_type="incoming_referral", object_id=values["id"],
           details={"member_id": member.id}, actor_user_id=actor_id)
    _answer_municipality(values, status="accepted", stage="referred", on_date=on_date, actor_id=actor_id,
                         notify=notify)
    return db.session.get(IncomingReferral, (values["tenant_id"], values["id"]))


def do_decline_referral(incoming: IncomingReferral, *, reason: str, actor_id: int | None,
                        notify: bool = False) -> IncomingReferral:
    """Decline with a message for the municipality; the shared details are erased here."""
    _tenant_of_kind("cooperative")
    reason = _text(reason)
    if not reason:
        raise ReferralError(_l("Tell the municipality why: the reason goes to the client manager."), "reason")
    if len(reason) > REASON_MAX:
        raise ReferralError(_l("Use at most %(max)d characters.", max=REASON_MAX), "reason")
    _lock_pending(incoming)
    incoming.status = "declined"
    incoming.decline_reason = reason
    incoming.decided_at = utcnow()
    incoming.decided_by = actor_id
    _forget_details(incoming)
    values = {"id": incoming.id, "tenant_id": incoming.tenant_id, "from_tenant_id": incoming.from_tenant_id,
              "link_key": incoming.link_key}
    db.session.flush()
    record("referrals.declined", object_type="incoming_referral", object_id=values["id"], actor_user_id=actor_id)
    _answer_municipality(values, status="declined", on_date=amsterdam_today(), decline_reason=reason,
                         actor_id=actor_id, notify=notify)
    return db.session.get(IncomingReferral, (values["tenant_id"], values["id"]))


# --- mails: who is told, with a link and no personal data of the resident ----------------


def _mail_coordinators(cooperative: Tenant, incoming_id: int, municipality_name: str) -> None:
    """Inside the crossing into the cooperative: its coordinators learn a referral waits."""
    link = external_url("referrals_incoming.show", tenant_slug=cooperative.slug, incoming_referral_id=incoming_id)
    coordinators = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(Membership.role == "coordinator"))
    for person in coordinators:
        send_mail(to=person.email, template="referral_received", language=person.language, name=person.name,
                  municipality=municipality_name, cooperative=cooperative.name, link=link)


def _mail_sender(referral: Referral, cooperative_name: str) -> None:
    """Inside the crossing into the municipality: the client manager who referred learns
    the answer (the reason of a decline is on the page, behind sign-in)."""
    sender = db.session.get(User, referral.sent_by) if referral.sent_by else None
    if sender is None or sender.erased_at is not None:
        return
    municipality = db.session.get(Tenant, referral.tenant_id)
    send_mail(to=sender.email, template="referral_answered", language=sender.language, name=sender.name,
              cooperative=cooperative_name, accepted=referral.status == "accepted",
              sent_on=local_date(referral.created_at),
              link=external_url("referrals.show", tenant_slug=municipality.slug, referral_id=referral.id))


# --- later: the journey, mirrored ----------------------------------------------------------


@member_transitioned.connect
def mirror_transition(sender, *, member, transition, actor_id=None, **_ignored) -> None:
    """A member who came in through an accepted referral moved on: tell the municipality
    the new stage, the outcome code and the date. Never the reason text or any note.

    A member's first step (registration) has no referral yet: acceptance links it afterwards."""
    if transition.from_stage is None:
        return
    incoming = db.session.scalar(
        select(IncomingReferral).where(IncomingReferral.member_id == member.id,
                                       IncomingReferral.status == "accepted"))
    if incoming is None:
        return
    values = {"from_tenant_id": incoming.from_tenant_id, "link_key": incoming.link_key}
    stage, outcome, on_date = transition.to_stage, transition.outcome, transition.on_date
    with across_border(values["from_tenant_id"], reason="journey stage of a referred resident"):
        referral = db.session.scalar(
            select(Referral).where(Referral.link_key == values["link_key"]).with_for_update())
        if referral is None or referral.status != "accepted":
            log.warning("referral %s not found at municipality %s", values["link_key"][:6], values["from_tenant_id"])
            return
        referral.stage, referral.outcome, referral.stage_on = stage, outcome, on_date
        db.session.add(ReferralEvent(referral_id=referral.id, stage=stage, outcome=outcome, on_date=on_date))
        record("referrals.progress", object_type="referral", object_id=referral.id,
               details={"stage": stage, "outcome": outcome, "on_date": on_date.isoformat()}, actor_user_id=actor_id)
