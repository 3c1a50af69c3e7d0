"""A person's own data: the export ("download my data") and erasure (DOMAIN.md "Privacy").

Erasure pseudonymises what must be kept and deletes the rest: the account row stays
(audit rows, ledgers and files of 7 and 10 years refer to its id) but loses every
personal detail; memberships, links, recovery codes and exports are deleted.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from koepel.platform.audit import record
from koepel.platform.auth.models import AccountToken, RecoveryCode, User
from koepel.platform.auth.passwords import hash_password
from koepel.platform.db import db, utcnow
from koepel.platform.jobs import enqueue_after_commit
from koepel.platform.mail import send_mail
from koepel.platform.tenancy import OWN_MEMBERSHIPS, Membership, Tenant, tenant_context

from .models import DataExport, ErasureRequest

log = logging.getLogger(__name__)
BUILD_EXPORT = "koepel.platform.account.jobs.build_export"


class ErasureError(ValueError):
    """An erasure step the rules do not allow; `reason` is a code for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def own_memberships(user_id: int) -> list[tuple[Tenant, Membership]]:
    """Every role of the person in every tenant (the own_memberships policy)."""
    with tenant_context(None, user_id):
        rows = db.session.execute(
            select(Tenant, Membership)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user_id)
            .order_by(Tenant.name, Membership.role)
            .execution_options(**{OWN_MEMBERSHIPS: True})
        ).all()
    return [(t, m) for t, m in rows]


def exports_folder(user_id: int) -> Path:
    """Private to the person: not under any tenant's export folder."""
    return Path(current_app.config["INSTANCE_PATH"]) / "exports" / "users" / str(user_id)


def do_request_export(user: User) -> DataExport:
    export = DataExport(user_id=user.id, rq_job_id=uuid.uuid4().hex, status="queued")
    db.session.add(export)
    db.session.flush()
    enqueue_after_commit(
        BUILD_EXPORT, export.id, job_id=export.rq_job_id, job_timeout=600, result_ttl=86400,
        failure_ttl=7 * 86400, meta={"data_export_id": export.id},
    )
    log.info("data export asked", extra={"user_id": user.id, "data_export_id": export.id})
    return export


# --- erasure ------------------------------------------------------------------------------


def pending_erasure(user_id: int) -> ErasureRequest | None:
    return db.session.scalar(
        select(ErasureRequest).where(ErasureRequest.user_id == user_id, ErasureRequest.status == "pending")
    )


def do_request_erasure(user: User) -> ErasureRequest:
    existing = pending_erasure(user.id)
    if existing is not None:
        return existing
    request = ErasureRequest(user_id=user.id, status="pending")
    db.session.add(request)
    db.session.flush()
    for tenant_id in {t.id for t, _m in own_memberships(user.id)}:
        with tenant_context(tenant_id, user.id):
            record("user.erasure_requested", object_type="user", object_id=user.id)
    log.info("erasure asked", extra={"user_id": user.id})
    return request


def do_cancel_erasure(request_id: int, *, actor_id: int) -> ErasureRequest:
    """The person withdraws the request, or staff reject it."""
    request = db.session.get(ErasureRequest, request_id)
    if request is None or request.status != "pending":
        raise ErasureError("not_pending")
    request.status, request.decided_by, request.decided_at = "cancelled", actor_id, utcnow()
    db.session.flush()
    return request


def _last_coordinator_of(user_id: int) -> list[str]:
    names = []
    for tenant, membership in own_memberships(user_id):
        if membership.role != "coordinator":
            continue
        with tenant_context(tenant.id):
            count = db.session.scalar(select(func.count()).select_from(Membership).where(Membership.role == "coordinator"))
        if count <= 1:
            names.append(tenant.name)
    return names


# Why a confirmation was refused, for the person who tried (ErasureError.reason).
ERASURE_MESSAGES = {
    "not_pending": lambda: _("This request is no longer open."),
    "own_request": lambda: _("You cannot confirm your own request; another member of staff must."),
    "last_coordinator": lambda: _("This person is the last coordinator of an organisation. Appoint another coordinator first."),
}


def do_confirm_erasure(request_id: int, *, actor_id: int) -> User:
    """Erase the person of a pending request. The caller checks that the actor may
    (umbrella staff, or a coordinator of one of the person's tenants) and commits."""
    request = db.session.get(ErasureRequest, request_id)
    if request is None or request.status != "pending":
        raise ErasureError("not_pending")
    if request.user_id == actor_id:
        raise ErasureError("own_request")
    if _last_coordinator_of(request.user_id):
        raise ErasureError("last_coordinator")
    user = db.session.get(User, request.user_id)
    # Told first, while the address is still known.
    send_mail(to=user.email, template="account_erased", language=user.language, name=user.name)

    memberships = own_memberships(user.id)
    umbrella_id = db.session.scalar(select(Tenant.id).where(Tenant.kind == "umbrella"))
    for tenant_id in sorted({t.id for t, _m in memberships} | ({umbrella_id} if umbrella_id else set())):
        with tenant_context(tenant_id, actor_id):
            db.session.execute(delete(Membership).where(Membership.user_id == user.id))
            record("user.erased", object_type="user", object_id=user.id, details={"erasure_request_id": request.id})

    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(DataExport).where(DataExport.user_id == user.id))
    shutil.rmtree(exports_folder(user.id), ignore_errors=True)

    user.name = f"Verwijderde persoon #{user.id}"
    user.email = f"erased-{user.id}@invalid"
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.totp_secret_encrypted = None
    user.two_factor_enabled_at = None
    user.email_verified_at = None
    user.last_login_at = None
    user.password_changed_at = None
    user.locked_until = None
    user.failed_sign_ins = 0
    user.session_epoch = (user.session_epoch or 0) + 1
    user.is_active_account = False
    user.erased_at = utcnow()

    request.status, request.decided_by, request.decided_at = "confirmed", actor_id, utcnow()
    db.session.flush()
    log.info("person erased", extra={"user_id": user.id, "actor_id": actor_id})
    return user


def pending_erasures(user_ids: list[int]) -> set[int]:
    """Which of these people have asked to be erased and wait for a confirmation."""
    if not user_ids:
        return set()
    return set(db.session.scalars(
        select(ErasureRequest.user_id).where(
            ErasureRequest.status == "pending", ErasureRequest.user_id.in_(user_ids)
        )
    ))


def pending_erasure_requests() -> list[tuple[ErasureRequest, User]]:
    return db.session.execute(
        select(ErasureRequest, User)
        .join(User, User.id == ErasureRequest.user_id)
        .where(ErasureRequest.status == "pending")
        .order_by(ErasureRequest.requested_at)
    ).all()
