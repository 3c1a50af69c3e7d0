"""parameters: rules that change by year, with validity periods

Revision ID: 20261123_0210_parameters
Revises: 20261123_0200_ledger
Create Date: 2026-11-23 02:10:00

A platform table (national rules, no tenant_id, no row-level security), seeded with the
values of DOMAIN.md. Periods are half-open: `valid_until` is the first day a value no
longer applies. btree_gist (a trusted extension: the database owner may create it) lives
in a schema of its own, `extensions`, so `public` holds only what the owner role owns.
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from koepel.platform.config import APP_ROLE, UMBRELLA_ROLE

revision = "20261123_0210_parameters"
down_revision = "20261123_0200_ledger"
branch_labels = None
depends_on = None

UNITS = "'cents', 'basis_points', 'months', 'years', 'count'"
NAME_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"

OLD_CAPS_FROM = date(2016, 1, 1)
Y2023, Y2024, Y2025 = date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1)
PARTICIPATIEWET = "Participatiewet art. 31 lid 2 n"
VOLUNTEER = "Maximale vrijwilligersvergoeding (Belastingdienst)"

# (name, valid_from, valid_until (exclusive) or None, value, unit, note)
SEED = [
    # Income disregard. The shares and durations have applied since 2016; the caps before
    # 2024 are seeded for 2016-2023 (the "older caps"), the 2024 caps from 2024 onwards.
    ("vrijlating.general.percentage", OLD_CAPS_FROM, None, 2500, "basis_points", PARTICIPATIEWET),
    ("vrijlating.general.max_monthly", OLD_CAPS_FROM, Y2024, 19900, "cents", f"{PARTICIPATIEWET}; cap before 2024"),
    ("vrijlating.general.max_monthly", Y2024, None, 26400, "cents", f"{PARTICIPATIEWET}; 2024 value"),
    ("vrijlating.general.max_months", OLD_CAPS_FROM, None, 6, "months", f"{PARTICIPATIEWET}; consecutive months"),
    ("vrijlating.general.min_age", OLD_CAPS_FROM, None, 27, "years", PARTICIPATIEWET),
    ("vrijlating.single_parent.percentage", OLD_CAPS_FROM, None, 1250, "basis_points",
     f"{PARTICIPATIEWET}; single parent with a child under 12, on top of the general disregard"),
    ("vrijlating.single_parent.max_monthly", OLD_CAPS_FROM, Y2024, 12420, "cents", f"{PARTICIPATIEWET}; cap before 2024"),
    ("vrijlating.single_parent.max_monthly", Y2024, None, 16473, "cents", f"{PARTICIPATIEWET}; 2024 value"),
    ("vrijlating.single_parent.max_months", OLD_CAPS_FROM, None, 30, "months", PARTICIPATIEWET),
    ("vrijlating.medical.percentage", OLD_CAPS_FROM, None, 1500, "basis_points",
     f"{PARTICIPATIEWET}; medical limitation of working hours, no time limit"),
    ("vrijlating.medical.max_monthly", OLD_CAPS_FROM, Y2024, 12597, "cents", f"{PARTICIPATIEWET}; cap before 2024"),
    ("vrijlating.medical.max_monthly", Y2024, None, 16707, "cents", f"{PARTICIPATIEWET}; 2024 value"),
    # Volunteer allowance maxima (all limits apply together); the hourly maximum is for
    # volunteers aged 21 or over.
    ("volunteer_allowance.max_monthly", Y2023, Y2024, 19000, "cents", f"{VOLUNTEER} 2023"),
    ("volunteer_allowance.max_monthly", Y2024, None, 21000, "cents", f"{VOLUNTEER} 2024 and 2025"),
    ("volunteer_allowance.max_yearly", Y2023, Y2024, 190000, "cents", f"{VOLUNTEER} 2023"),
    ("volunteer_allowance.max_yearly", Y2024, None, 210000, "cents", f"{VOLUNTEER} 2024 and 2025"),
    ("volunteer_allowance.max_hourly", Y2023, Y2024, 500, "cents", f"{VOLUNTEER} 2023, aged 21 or over"),
    ("volunteer_allowance.max_hourly", Y2024, Y2025, 550, "cents", f"{VOLUNTEER} 2024, aged 21 or over"),
    ("volunteer_allowance.max_hourly", Y2025, None, 560, "cents", f"{VOLUNTEER} 2025, aged 21 or over"),
    ("volunteer_allowance.hourly_min_age", Y2023, None, 21, "years", VOLUNTEER),
    # Social assistance norms of January 2025, per month including holiday allowance.
    ("bijstand_norm.single", Y2025, None, 134545, "cents", "Bijstandsnorm januari 2025, alleenstaande, incl. vakantiegeld"),
    ("bijstand_norm.couple", Y2025, None, 192207, "cents", "Bijstandsnorm januari 2025, gehuwden, incl. vakantiegeld"),
    # VAT rates (the reduced rate has been 9% since 2019).
    ("vat.general", date(2019, 1, 1), None, 2100, "basis_points", "Wet OB 1968: algemeen tarief"),
    ("vat.reduced", date(2019, 1, 1), None, 900, "basis_points", "Wet OB 1968: verlaagd tarief"),
    ("vat.zero", date(2019, 1, 1), None, 0, "basis_points", "Wet OB 1968: nultarief"),
    # Small-business scheme: no VAT charged up to this turnover a year.
    ("kor.turnover_limit", date(2020, 1, 1), None, 2000000, "cents", "Kleineondernemersregeling (KOR) sinds 2020"),
]


def upgrade():
    op.execute("CREATE SCHEMA IF NOT EXISTS extensions")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA extensions")
    table = op.create_table(
        "parameter_values",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.BigInteger()),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameter_values")),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"], name=op.f("fk_parameter_values_changed_by_users")),
        sa.CheckConstraint(f"name ~ '{NAME_PATTERN}'", name=op.f("ck_parameter_values_name_format")),
        sa.CheckConstraint(f"unit IN ({UNITS})", name=op.f("ck_parameter_values_unit")),
        sa.CheckConstraint("value >= 0", name=op.f("ck_parameter_values_value_not_negative")),
        sa.CheckConstraint("unit <> 'basis_points' OR value <= 10000", name=op.f("ck_parameter_values_rate_at_most_100_percent")),
        sa.CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name=op.f("ck_parameter_values_period_not_empty")),
    )
    # Two periods of the same name never overlap.
    op.execute(
        "ALTER TABLE parameter_values ADD CONSTRAINT ex_parameter_values_no_overlap "
        "EXCLUDE USING gist (name WITH =, daterange(valid_from, valid_until) WITH &&)"
    )
    # The app role reads and (for umbrella administrators) adds and changes values; the
    # history is kept, so nobody but the owner removes a period.
    op.execute(f"REVOKE DELETE, TRUNCATE ON parameter_values FROM {APP_ROLE}, {UMBRELLA_ROLE}")
    now = datetime.now(UTC)
    op.bulk_insert(table, [
        {"name": name, "valid_from": start, "valid_until": until, "value": value, "unit": unit, "note": note,
         "changed_by": None, "changed_at": now}
        for name, start, until, value, unit, note in SEED
    ])


def downgrade():
    op.drop_table("parameter_values")
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
    op.execute("DROP SCHEMA IF EXISTS extensions")
