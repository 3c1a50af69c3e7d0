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
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, db, utcnow

ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    "umbrella": ("umbrella_admin", "umbrella_staff"),
    "cooperative": ("coordinator", "treasurer", "coach", "member", "candidate"),
    "employer_cooperative": ("coordinator", "employer", "coach", "participant"),
    "municipality": ("policy_advisor", "client_manager", "finance"),
}
TENANT_KINDS = tuple(ROLES_BY_KIND)
TENANT_STATUSES = ("pending", "active", "suspended", "archived")
ALL_ROLES = tuple(sorted({role for roles in ROLES_BY_KIND.values() for role in roles}))


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Tenant(Base):
    """A cooperative, employer cooperative, municipality or the umbrella itself.

    The registry of tenants is not tenant-owned: resolving `/t/<slug>/` needs it before
    any tenant is known. It holds no personal data.
    """

    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint(_in("kind", TENANT_KINDS), name="kind"),
        CheckConstraint(_in("status", TENANT_STATUSES), name="status"),
        CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
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
        CheckConstraint(_in("role", ALL_ROLES), name="role"),
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
