"""Referrals: one table per side of the border, linked by a shared random key.

The municipality keeps the whole referral (`referrals`, with its history in
`referral_events`); the cooperative receives only what the resident consented to share
(`incoming_referrals`, NULL where not shared). What crosses back is the status, the
journey stage and outcome with their date, and a decline's message for the municipality.
No citizen service number (BSN) anywhere (DOMAIN.md "Privacy").
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, one_of, utcnow
from koepel.tenants.members import OUTCOME_LABELS, STAGES

HANDOVER_MAX = 1000
REASON_MAX = 1000
REFERRAL_STATUSES = ("sent", "accepted", "declined", "withdrawn")
INCOMING_STATUSES = ("pending", "accepted", "declined", "withdrawn")
OUTCOMES = tuple(OUTCOME_LABELS)



class Referral(TenantScoped, Base):
    """A municipality's referral of a resident to a cooperative (the municipality's side)."""

    __tablename__ = "referrals"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id", "link_key"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_referrals_tenant_id_created_at", "tenant_id", "created_at"),
        CheckConstraint(one_of("status", REFERRAL_STATUSES), name="status"),
        CheckConstraint("resident_name = btrim(resident_name) AND resident_name <> ''", name="name_present"),
        CheckConstraint(f"length(btrim(handover)) BETWEEN 1 AND {HANDOVER_MAX}", name="handover_length"),
        CheckConstraint(f"stage IS NULL OR {one_of('stage', STAGES)}", name="stage"),
        CheckConstraint(f"outcome IS NULL OR {one_of('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint("(stage IS NULL) = (stage_on IS NULL)", name="stage_dated"),
        CheckConstraint("stage IS NULL OR status = 'accepted'", name="stage_when_accepted"),
        CheckConstraint("outcome IS NULL OR stage IN ('outflow', 'stopped')", name="outcome_on_end"),
        CheckConstraint("(status = 'declined') = (decline_reason IS NOT NULL)", name="decline_reason"),
    )

    # The shared random key that links this row to the cooperative's incoming row.
    link_key: Mapped[str] = mapped_column(String(64))
    # The form's one-time token: the same submission twice makes one referral.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    resident_name: Mapped[str] = mapped_column(String(200))
    resident_email: Mapped[str | None] = mapped_column(String(254))
    resident_phone: Mapped[str | None] = mapped_column(String(40))
    resident_date_of_birth: Mapped[date | None] = mapped_column(Date)
    # The municipality's own reference for its client file: never crosses the border.
    client_reference: Mapped[str | None] = mapped_column(String(100))
    # The resident's consent: when and by whom it was recorded, and what it covers (the
    # name is always shared: no referral without it).
    consent_recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    consent_recorded_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    share_date_of_birth: Mapped[bool] = mapped_column(Boolean, default=False)
    share_handover: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the resident wants to do and what helps: short and purposeful.
    handover: Mapped[str] = mapped_column(Text)
    target_tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    status: Mapped[str] = mapped_column(String(16), default="sent")
    # Mirrored from the cooperative: only the stage, the outcome code and their date.
    stage: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(32))
    stage_on: Mapped[date | None] = mapped_column(Date)
    # The cooperative's message to the municipality when it declines.
    decline_reason: Mapped[str | None] = mapped_column(Text)
    sent_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    @property
    def shared_fields(self) -> list[str]:
        return [name for name, shared in (("contact", self.share_contact), ("date_of_birth", self.share_date_of_birth),
                                          ("handover", self.share_handover)) if shared]


class ReferralEvent(TenantScoped, Base):
    """The municipality's history of a referral: a status or a stage, and its date. No text."""

    __tablename__ = "referral_events"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "referral_id"], ["referrals.tenant_id", "referrals.id"], ondelete="CASCADE"),
        Index("ix_referral_events_referral", "tenant_id", "referral_id", "id"),
        CheckConstraint(f"status IS NULL OR {one_of('status', REFERRAL_STATUSES)}", name="status"),
        CheckConstraint(f"stage IS NULL OR {one_of('stage', STAGES)}", name="stage"),
        CheckConstraint(f"outcome IS NULL OR {one_of('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint("status IS NOT NULL OR stage IS NOT NULL", name="something_happened"),
    )

    referral_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str | None] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(32))
    on_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IncomingReferral(TenantScoped, Base):
    """A referral as the cooperative receives it: only what the consent covers."""

    __tablename__ = "incoming_referrals"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "link_key"),
        UniqueConstraint("tenant_id", "member_id"),
        Index("ix_incoming_referrals_tenant_id_received_at", "tenant_id", "received_at"),
        CheckConstraint(one_of("status", INCOMING_STATUSES), name="status"),
        CheckConstraint("name = btrim(name) AND name <> ''", name="name_present"),
        CheckConstraint("shared_contact OR (email IS NULL AND phone IS NULL)", name="contact_consented"),
        CheckConstraint("shared_date_of_birth OR date_of_birth IS NULL", name="date_of_birth_consented"),
        CheckConstraint("shared_handover OR handover IS NULL", name="handover_consented"),
        CheckConstraint(f"handover IS NULL OR length(handover) <= {HANDOVER_MAX}", name="handover_length"),
        CheckConstraint("(status = 'accepted') = (member_id IS NOT NULL)", name="member_when_accepted"),
        CheckConstraint("(status = 'declined') = (decline_reason IS NOT NULL)", name="decline_reason"),
    )

    link_key: Mapped[str] = mapped_column(String(64))
    # The sending municipality: its tenant and its name (the name as it was when sent).
    from_tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    from_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    handover: Mapped[str | None] = mapped_column(Text)
    # What the resident's consent covered (the fields above are NULL where it did not).
    shared_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_date_of_birth: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_handover: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
