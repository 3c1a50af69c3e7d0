from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, db, one_of, utcnow
from koepel.platform.reference.models import ReferenceMunicipality  # noqa: F401  (target of tenants.cbs_code)

ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    "umbrella": ("umbrella_admin", "umbrella_staff"),
    "cooperative": ("coordinator", "treasurer", "coach", "member", "candidate"),
    "employer_cooperative": ("coordinator", "employer", "coach", "participant"),
    "municipality": ("policy_advisor", "client_manager", "finance"),
}
TENANT_KINDS = tuple(ROLES_BY_KIND)
TENANT_STATUSES = ("pending", "active", "suspended", "rejected", "archived")
ALL_ROLES = tuple(sorted({role for roles in ROLES_BY_KIND.values() for role in roles}))



class Tenant(Base):
    """A cooperative, employer cooperative, municipality or the umbrella itself.

    The registry of tenants is not tenant-owned: resolving `/t/<slug>/` needs it before
    any tenant is known. It holds no personal data.
    """

    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint(one_of("kind", TENANT_KINDS), name="kind"),
        CheckConstraint(one_of("status", TENANT_STATUSES), name="status"),
        CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
        # Only a municipality has a CBS code; one tenant per municipality.
        CheckConstraint("cbs_code IS NULL OR kind = 'municipality'", name="cbs_code_only_municipality"),
        UniqueConstraint("cbs_code"),
        # Exactly one umbrella: the operator of the platform.
        Index("uq_tenants_one_umbrella", "kind", unique=True, postgresql_where=text("kind = 'umbrella'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cbs_code: Mapped[str | None] = mapped_column(String(6), ForeignKey("reference_municipalities.cbs_code"))

    @property
    def roles(self) -> tuple[str, ...]:
        return ROLES_BY_KIND[self.kind]

    @classmethod
    def by_slug(cls, slug: str) -> Tenant | None:
        return db.session.scalar(select(cls).where(cls.slug == slug))


class Membership(TenantScoped, Base):
    """A person's role in one tenant. One person may hold roles in several tenants.

    Besides the tenant policy, a second policy lets a signed-in person read their own
    memberships in every tenant (the tenant switcher); see the platform migration.
    """

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "role"),
        CheckConstraint(one_of("role", ALL_ROLES), name="role"),
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# What a tenant may never lose the last of: the person who answers for it.
KEY_ROLE_BY_KIND: dict[str, str] = {
    "umbrella": "umbrella_admin",
    "cooperative": "coordinator",
    "employer_cooperative": "coordinator",
    "municipality": "policy_advisor",
}
LEGAL_FORMS = ("cooperatie_ua", "cooperatie_ba", "cooperatie_wa", "stichting", "vereniging", "bv")
STATUS_ACTIONS = ("applied", "approved", "rejected", "suspended", "reactivated", "archived")


class TenantProfile(TenantScoped, Base):
    """What an organisation tells about itself at sign-up: legal data, address and the
    municipalities it works with. One row per tenant."""

    __tablename__ = "tenant_profiles"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id"),
        CheckConstraint(one_of("legal_form", LEGAL_FORMS), name="legal_form"),
        CheckConstraint("kvk_number ~ '^[0-9]{8}$'", name="kvk_format"),
    )

    legal_form: Mapped[str] = mapped_column(String(32))
    kvk_number: Mapped[str] = mapped_column(String(8))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    iban: Mapped[str] = mapped_column(String(34))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(7))
    city: Mapped[str] = mapped_column(String(100))
    # Platform municipalities by tenant id, and others by name (not on the platform yet).
    municipality_ids: Mapped[list] = mapped_column(JSONB, default=list)
    other_municipalities: Mapped[list] = mapped_column(JSONB, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TenantStatusChange(TenantScoped, Base):
    """The history of a tenant's status: who changed it, when, from what to what and why."""

    __tablename__ = "tenant_status_changes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        CheckConstraint(one_of("action", STATUS_ACTIONS), name="action"),
        CheckConstraint(one_of("to_status", TENANT_STATUSES), name="to_status"),
        Index("ix_tenant_status_changes_tenant_changed", "tenant_id", "changed_at"),
    )

    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SupportGrant(TenantScoped, Base):
    """Time-limited, read-only access of one umbrella staff member to this tenant's
    workspace, opened with a reason. Kept in the tenant's own rows: the tenant sees it."""

    __tablename__ = "support_grants"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("length(btrim(reason)) > 0", name="reason_given"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.closed_at is None and self.expires_at > now
