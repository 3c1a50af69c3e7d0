"""placements: an employer cooperative's participants, employers and placements

Revision ID: 20261123_0420_placements
Revises: 20261123_0400_municipality_reference
Create Date: 2026-11-23 04:20:00
"""

import sqlalchemy as sa
from alembic import op

from koepel.platform.db import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
    user_reference,
)

revision = "20261123_0420_placements"
down_revision = "20261123_0400_municipality_reference"
branch_labels = None
depends_on = None

TABLES = ("placement_participants", "placement_employers", "placements")
KINDS = "'participation', 'jobs_agreement', 'sheltered', 'regular'"
END_REASONS = "'permanent_job', 'contract_ended', 'dropped_out', 'health', 'moved', 'other'"


def upgrade():
    op.create_table(
        "placement_participants",
        *tenant_keys("placement_participants"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("date_of_birth", sa.Date()),
        sa.Column("benefit_municipality_id", sa.BigInteger()),
        sa.Column("created_by_user_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["benefit_municipality_id"], ["tenants.id"],
                                name="fk_placement_participants_benefit_municipality_id_tenants"),
        user_reference("placement_participants", "created_by_user_id"),
        sa.CheckConstraint("name = btrim(name) AND name <> ''", name=op.f("ck_placement_participants_name_present")),
    )
    op.create_index("ix_placement_participants_benefit_municipality", "placement_participants",
                    ["tenant_id", "benefit_municipality_id"])
    op.create_table(
        "placement_employers",
        *tenant_keys("placement_employers"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kvk_number", sa.String(8)),
        sa.Column("contact_user_id", sa.BigInteger()),
        sa.Column("created_by_user_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        user_reference("placement_employers", "contact_user_id"),
        user_reference("placement_employers", "created_by_user_id"),
        sa.UniqueConstraint("tenant_id", "kvk_number", name=op.f("uq_placement_employers_tenant_id_kvk_number")),
        sa.CheckConstraint("name = btrim(name) AND name <> ''", name=op.f("ck_placement_employers_name_present")),
        sa.CheckConstraint("kvk_number ~ '^[0-9]{8}$'", name=op.f("ck_placement_employers_kvk_format")),
    )
    op.create_table(
        "placements",
        *tenant_keys("placements"),
        sa.Column("participant_id", sa.BigInteger(), nullable=False),
        sa.Column("employer_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("hours_per_week", sa.SmallInteger(), nullable=False),
        sa.Column("guide", sa.String(200), nullable=False),
        sa.Column("guidance_plan", sa.Text(), nullable=False),
        sa.Column("end_date", sa.Date()),
        sa.Column("end_reason", sa.String(20)),
        sa.Column("end_note", sa.Text(), nullable=False),
        sa.Column("created_by_user_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by_user_id", sa.BigInteger()),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        tenant_reference("placements", "participant_id", "placement_participants"),
        tenant_reference("placements", "employer_id", "placement_employers"),
        user_reference("placements", "created_by_user_id"),
        user_reference("placements", "ended_by_user_id"),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_placements_kind")),
        sa.CheckConstraint("hours_per_week BETWEEN 1 AND 40", name=op.f("ck_placements_hours_per_week")),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_placements_ends_after_start")),
        sa.CheckConstraint("(end_date IS NULL) = (end_reason IS NULL)", name=op.f("ck_placements_end_has_reason")),
        sa.CheckConstraint(f"end_reason IS NULL OR end_reason IN ({END_REASONS})", name=op.f("ck_placements_end_reason")),
        sa.CheckConstraint("char_length(guidance_plan) <= 4000", name=op.f("ck_placements_guidance_plan_length")),
        sa.CheckConstraint("char_length(end_note) <= 1000", name=op.f("ck_placements_end_note_length")),
    )
    op.create_index("ix_placements_start_date", "placements", ["tenant_id", "start_date"])
    op.create_index("ix_placements_participant", "placements", ["tenant_id", "participant_id"])
    op.create_index("ix_placements_employer", "placements", ["tenant_id", "employer_id"])
    for table in TABLES:
        enable_tenant_isolation(table)


def downgrade():
    for table in reversed(TABLES):
        disable_tenant_isolation(table)
        op.drop_table(table)
