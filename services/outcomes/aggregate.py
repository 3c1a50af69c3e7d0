"""Computing the outcome figures: per provider (cooperative or employer cooperative), per
municipality whose residents it serves and per month, as set-based SQL on the umbrella's
session. The result replaces the provider's rows: the same data gives the same figures,
data that is gone takes its figures with it.

Definitions (DOMAIN.md "Outcomes and peer comparison"); a member counts for the
municipality that pays their benefit (`members.benefit_municipality_id`), a placement for
its participant's; a member or participant without one is in no municipality's figures.

Stocks, at the month's end (today for the running month):
  members            active: intake, business plan, trial or member
  in_trial           in the trial period
  length_*           active members by time since their first intake: under 6 months,
                     6 to 12 months, 1 to 2 years, 2 years or more
  placements_active  started and not ended (`tenants.placements` rules)
Flows, in the month they happen:
  referred           journeys that started (a first step, or a re-entry after outflow or
                     stopping, into referred or intake); referred-then-intake counts once
  outflow_work / outflow_business / outflow_other   outflow by its kind
  stopped            journeys stopped
  outflow_due_6/12   outflows whose 6/12-month mark falls in the month (and has passed)
  outflow_lasted_6/12  of those, no re-entry (a later step into referred or intake)
                     before the mark
  ladder_up / ladder_same / ladder_down   measurements against the member's previous one
  with_earnings      members with earnings in the month's settlement (total: earned cents,
                     largest: the one member who earned most)
  returned_cents     what the month's settlement owes the municipality (people: members
                     with a share for it; largest: the largest member's share)
  saving_cents       estimated saving on benefits: for each outflow, the bijstand norm of
                     the member's household (unknown: the single norm) for each of the
                     SAVING_MONTHS whole months after the outflow month, until the month of
                     a re-entry. Months before the first recorded norm use that first norm.
  placements_started / placements_due_6/12 / placements_lasted_6/12
                     (people: participants, total: placements)
Counts have total = people and largest = 1; sums are in cents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import utcnow
from koepel.platform.tenancy.umbrella import umbrella_scope
from koepel.tenants.members.journey import ACTIVE_STAGES, END_STAGES, OUTFLOW_KINDS, START_STAGES
from koepel.tenants.placements.rules import MARKS, MOVED_ON

PROVIDER_KINDS = ("cooperative", "employer_cooperative")
# The saving of an outflow counts for at most a year: about 22% of people leaving bijstand
# return within a year, and further out the outflow is less the cooperative's doing.
SAVING_MONTHS = 12
HOUSEHOLD_NORMS = {"single": "bijstand_norm.single", "couple": "bijstand_norm.couple"}
OUTFLOW_INDICATORS = {
    "regular_job": "outflow_work",
    "own_business": "outflow_business",
    "other_independence": "outflow_other",
}
assert set(OUTFLOW_INDICATORS) == set(OUTFLOW_KINDS), "every outflow kind needs its indicator"

Progress = Callable[[int, int, str], None]


def _sql_list(values) -> str:
    return ", ".join(repr(v) for v in values)


_ACTIVE, _STARTS, _ENDS = _sql_list(ACTIVE_STAGES), _sql_list(START_STAGES), _sql_list(END_STAGES)
_OUTFLOW_CASE = " ".join(f"WHEN {kind!r} THEN {code!r}" for kind, code in OUTFLOW_INDICATORS.items())
_MARKS = ", ".join(f"({m})" for m in MARKS)

# A member's steps with the day the next one was taken (NULL: still there).
_STEPS = f"""
steps AS (
    SELECT jt.id, jt.member_id, m.benefit_municipality_id AS mun, m.household, jt.from_stage, jt.to_stage,
           jt.outcome, jt.on_date,
           LEAD(jt.on_date) OVER (PARTITION BY jt.member_id ORDER BY jt.on_date, jt.id) AS next_on
    FROM journey_transitions jt
    JOIN members m ON m.tenant_id = jt.tenant_id AND m.id = jt.member_id
    WHERE jt.tenant_id = :provider AND m.benefit_municipality_id IS NOT NULL AND jt.on_date <= :today
),
month_ends AS (
    SELECT month, LEAST((month + interval '1 month' - interval '1 day')::date, CAST(:today AS date)) AS day
    FROM generate_series(CAST(:first AS date), CAST(:this_month AS date), interval '1 month') AS g(month)
),
reentries AS (
    SELECT o.id AS outflow_id,
           (SELECT MIN(r.on_date) FROM steps r WHERE r.member_id = o.member_id AND r.to_stage IN ({_STARTS})
              AND (r.on_date, r.id) > (o.on_date, o.id)) AS back_on
    FROM steps o WHERE o.to_stage = 'outflow'
)
"""

# Each query gives one row per person and cell: (month, mun, ind, person, amount).
_MEMBER_ROWS = {
    "stocks": f"""
        SELECT DISTINCT e.month, s.mun, v.ind, s.member_id AS person, 1 AS amount
        FROM month_ends e
        JOIN steps s ON s.on_date <= e.day AND (s.next_on IS NULL OR s.next_on > e.day)
        JOIN (SELECT member_id, COALESCE(MIN(on_date) FILTER (WHERE to_stage = 'intake'), MIN(on_date)) AS since
              FROM steps GROUP BY member_id) f ON f.member_id = s.member_id
        CROSS JOIN LATERAL (VALUES
            ('members'),
            (CASE WHEN s.to_stage = 'trial' THEN 'in_trial' END),
            (CASE WHEN e.day < f.since + interval '6 months' THEN 'length_lt_6m'
                  WHEN e.day < f.since + interval '12 months' THEN 'length_6_12m'
                  WHEN e.day < f.since + interval '24 months' THEN 'length_1_2y'
                  ELSE 'length_gt_2y' END)
        ) AS v(ind)
        WHERE s.to_stage IN ({_ACTIVE}) AND v.ind IS NOT NULL""",
    "steps": f"""
        SELECT DISTINCT date_trunc('month', s.on_date)::date, s.mun, v.ind, s.member_id, 1
        FROM steps s
        CROSS JOIN LATERAL (VALUES (CASE
            WHEN s.to_stage IN ({_STARTS}) AND (s.from_stage IS NULL OR s.from_stage IN ({_ENDS})) THEN 'referred'
            WHEN s.to_stage = 'outflow' THEN CASE s.outcome {_OUTFLOW_CASE} END
            WHEN s.to_stage = 'stopped' THEN 'stopped' END)) AS v(ind)
        WHERE v.ind IS NOT NULL""",
    "outflow_marks": f"""
        SELECT DISTINCT date_trunc('month', o.mark)::date, o.mun, v.ind, o.member_id, 1
        FROM (SELECT s.member_id, s.mun, n.months, (s.on_date + make_interval(months => n.months))::date AS mark,
                     r.back_on
              FROM steps s JOIN reentries r ON r.outflow_id = s.id CROSS JOIN (VALUES {_MARKS}) AS n(months)) o
        CROSS JOIN LATERAL (VALUES
            ('outflow_due_' || o.months),
            (CASE WHEN o.back_on IS NULL OR o.back_on >= o.mark THEN 'outflow_lasted_' || o.months END)
        ) AS v(ind)
        WHERE o.mark <= :today AND v.ind IS NOT NULL""",
    "ladder": """
        SELECT DISTINCT date_trunc('month', lm.measured_on)::date, m.benefit_municipality_id,
               CASE WHEN lm.rung > lm.previous THEN 'ladder_up' WHEN lm.rung = lm.previous THEN 'ladder_same'
                    ELSE 'ladder_down' END,
               lm.member_id, 1
        FROM (SELECT member_id, measured_on, rung,
                     LAG(rung) OVER (PARTITION BY member_id ORDER BY measured_on, id) AS previous
              FROM ladder_measurements WHERE tenant_id = :provider) lm
        JOIN members m ON m.tenant_id = :provider AND m.id = lm.member_id
        WHERE lm.previous IS NOT NULL AND m.benefit_municipality_id IS NOT NULL AND lm.measured_on <= :today""",
    "earnings": """
        SELECT s.month, s.partner_tenant_id, 'with_earnings', l.member_id, l.earned_cents
        FROM settlements s JOIN settlement_lines l ON l.tenant_id = s.tenant_id AND l.settlement_id = s.id
        WHERE s.tenant_id = :provider AND s.side = 'cooperative' AND l.earned_cents > 0""",
    "saving": """
        SELECT sm.month, sm.mun, 'saving_cents', sm.member_id, norm.value
        FROM (SELECT s.member_id, s.mun, COALESCE(s.household, 'single') AS household,
                     (date_trunc('month', s.on_date) + make_interval(months => k))::date AS month, r.back_on
              FROM steps s JOIN reentries r ON r.outflow_id = s.id
              CROSS JOIN generate_series(1, :saving_months) AS k) sm
        CROSS JOIN LATERAL (
            SELECT p.value FROM parameter_values p
            WHERE p.name = CASE sm.household WHEN 'couple' THEN :norm_couple ELSE :norm_single END
            ORDER BY (p.valid_from <= sm.month) DESC,
                     CASE WHEN p.valid_from <= sm.month THEN p.valid_from END DESC NULLS LAST, p.valid_from
            LIMIT 1) AS norm
        WHERE sm.month <= :this_month AND (sm.back_on IS NULL OR sm.month < date_trunc('month', sm.back_on))""",
}

_PLACEMENTS = """
placed AS (
    SELECT p.id, p.participant_id, pp.benefit_municipality_id AS mun, p.start_date, p.end_date, p.end_reason
    FROM placements p
    JOIN placement_participants pp ON pp.tenant_id = p.tenant_id AND pp.id = p.participant_id
    WHERE p.tenant_id = :provider AND pp.benefit_municipality_id IS NOT NULL AND p.start_date <= :today
),
month_ends AS (
    SELECT month, LEAST((month + interval '1 month' - interval '1 day')::date, CAST(:today AS date)) AS day
    FROM generate_series(CAST(:first AS date), CAST(:this_month AS date), interval '1 month') AS g(month)
)
"""
# One row per placement (people: distinct participants, total: placements).
_PLACEMENT_ROWS = {
    "started": """
        SELECT date_trunc('month', start_date)::date, mun, 'placements_started', participant_id, 1 FROM placed""",
    "active": """
        SELECT e.month, p.mun, 'placements_active', p.participant_id, 1
        FROM month_ends e JOIN placed p ON p.start_date <= e.day AND (p.end_date IS NULL OR p.end_date > e.day)""",
    "marks": f"""
        SELECT date_trunc('month', o.mark)::date, o.mun, v.ind, o.participant_id, 1
        FROM (SELECT p.*, n.months, (p.start_date + make_interval(months => n.months))::date AS mark
              FROM placed p CROSS JOIN (VALUES {_MARKS}) AS n(months)) o
        CROSS JOIN LATERAL (VALUES
            ('placements_due_' || o.months),
            (CASE WHEN o.end_date IS NULL OR o.end_date >= o.mark OR o.end_reason = :moved_on
                  THEN 'placements_lasted_' || o.months END)
        ) AS v(ind)
        WHERE o.mark <= :today AND v.ind IS NOT NULL""",
}

_UPSERT = """
INSERT INTO outcome_figures (month, municipality_id, provider_id, indicator, people, total, largest, computed_at)
SELECT month, mun, :provider, ind, COUNT(*), SUM(amount), MAX(amount), :now
FROM (SELECT month, mun, ind, person, SUM(amount) AS amount
      FROM ({rows}) AS r(month, mun, ind, person, amount) GROUP BY month, mun, ind, person) AS per_person
GROUP BY month, mun, ind
ON CONFLICT (month, municipality_id, provider_id, indicator) DO UPDATE
SET people = EXCLUDED.people, total = EXCLUDED.total, largest = EXCLUDED.largest, computed_at = EXCLUDED.computed_at
"""

# Settlement level: what the month's settlement owes the municipality.
_RETURNED = """
INSERT INTO outcome_figures (month, municipality_id, provider_id, indicator, people, total, largest, computed_at)
SELECT s.month, s.partner_tenant_id, :provider, 'returned_cents',
       COUNT(l.member_id) FILTER (WHERE l.municipality_cents > 0), s.owed_cents,
       LEAST(s.owed_cents, COALESCE(MAX(l.municipality_cents), 0)), :now
FROM settlements s LEFT JOIN settlement_lines l ON l.tenant_id = s.tenant_id AND l.settlement_id = s.id
WHERE s.tenant_id = :provider AND s.side = 'cooperative' AND s.owed_cents > 0
GROUP BY s.id, s.month, s.partner_tenant_id, s.owed_cents
ON CONFLICT (month, municipality_id, provider_id, indicator) DO UPDATE
SET people = EXCLUDED.people, total = EXCLUDED.total, largest = EXCLUDED.largest, computed_at = EXCLUDED.computed_at
"""

_FIRST_MEMBER_DAY = """
SELECT LEAST(
    (SELECT MIN(on_date) FROM journey_transitions WHERE tenant_id = :provider),
    (SELECT MIN(measured_on) FROM ladder_measurements WHERE tenant_id = :provider),
    (SELECT MIN(month) FROM settlements WHERE tenant_id = :provider))
"""
_FIRST_PLACEMENT_DAY = "SELECT MIN(start_date) FROM placements WHERE tenant_id = :provider"


@dataclass(frozen=True)
class AggregationResult:
    providers: int
    rows: int
    computed_at: datetime


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def aggregate_provider(session, provider_id: int, kind: str, *, today: date, now: datetime) -> int:
    """Recompute one provider's rows in the caller's transaction; returns how many it has."""
    # One computation per provider at a time: a concurrent run would delete the other's rows.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('outcome_figures'), CAST(:p AS integer))"),
                    {"p": provider_id})
    member_side = kind == "cooperative"
    first = session.scalar(text(_FIRST_MEMBER_DAY if member_side else _FIRST_PLACEMENT_DAY), {"provider": provider_id})
    if first is not None and first <= today:
        params = {
            "provider": provider_id, "now": now, "today": today, "this_month": _first_of_month(today),
            "first": _first_of_month(first), "saving_months": SAVING_MONTHS,
            "norm_single": HOUSEHOLD_NORMS["single"], "norm_couple": HOUSEHOLD_NORMS["couple"], "moved_on": MOVED_ON,
        }
        if member_side:
            for rows in _MEMBER_ROWS.values():
                session.execute(text("WITH " + _STEPS + _UPSERT.format(rows=rows)), params)
            session.execute(text(_RETURNED), params)
        else:
            for rows in _PLACEMENT_ROWS.values():
                session.execute(text("WITH " + _PLACEMENTS + _UPSERT.format(rows=rows)), params)
    # Rows this run did not write belong to data that is gone.
    session.execute(text("DELETE FROM outcome_figures WHERE provider_id = :provider AND computed_at <> :now"),
                    {"provider": provider_id, "now": now})
    return session.scalar(text("SELECT COUNT(*) FROM outcome_figures WHERE provider_id = :provider"),
                          {"provider": provider_id})


def run_aggregation(progress: Progress | None = None, *, today: date | None = None) -> AggregationResult:
    """Recompute every provider's figures, one transaction per provider, reporting
    progress as (done providers, all providers)."""
    today = today or amsterdam_today()
    now = utcnow()
    rows = 0
    with umbrella_scope("outcome figures") as session:
        providers = session.execute(text("SELECT id, kind FROM tenants WHERE kind = ANY(:kinds) ORDER BY id"),
                                    {"kinds": list(PROVIDER_KINDS)}).all()
        if progress:
            progress(0, len(providers), "")
        for done, (provider_id, kind) in enumerate(providers, start=1):
            rows += aggregate_provider(session, provider_id, kind, today=today, now=now)
            session.commit()
            if progress:
                progress(done, len(providers), "")
        # A tenant that is no longer a provider keeps no figures.
        session.execute(text("DELETE FROM outcome_figures WHERE provider_id <> ALL(:ids)"),
                        {"ids": [p for p, _ in providers]})
    return AggregationResult(providers=len(providers), rows=rows, computed_at=now)
