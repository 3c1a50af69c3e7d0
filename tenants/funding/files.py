"""The verantwoording of a subsidy period as files for the municipality's accountability
report: an XLSX workbook (the summary, budget against actual per month, the hours and
the housing costs recorded, withdrawn records marked with their reason) and a CSV of
budget against actual per month. Call inside a request (the texts are translated)."""

from __future__ import annotations

import io
from decimal import Decimal

from flask_babel import gettext as _

from koepel.platform.dates import amsterdam_today
from koepel.platform.exports import csv_bytes, csv_safe
from koepel.platform.money import Money

from .budget import format_hours
from .queries import Accountability

EUROS = "#,##0.00"
HOURS = "0.0"


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def _money_text(cents: int) -> str:
    return Money(cents).format().replace("€ ", "")


def _month_header() -> list[str]:
    return [_("Month"), _("Hours budgeted"), _("Hours recorded"), _("Hours difference"),
            _("Housing budgeted (€)"), _("Housing paid (€)"), _("Housing difference (€)")]


def csv_file(acc: Accountability) -> bytes:
    """Budget against actual per month, and the total."""
    def row(label, m):
        return [label, format_hours(m.hours_budget), format_hours(m.hours_recorded),
                format_hours(m.hours_difference, signed=True), _money_text(m.housing_budget_cents),
                _money_text(m.housing_paid_cents), _money_text(m.housing_difference_cents)]

    rows = [row(m.month.strftime("%m-%Y"), m) for m in acc.months]
    rows.append(row(_("Total"), acc.total))
    return csv_bytes(_month_header(), rows)


def _safe(value):
    """Text cells that a spreadsheet would run as a formula get a leading '."""
    return csv_safe(value) if isinstance(value, str) else value


def xlsx_file(acc: Accountability, *, cooperative: str, municipality: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period = acc.period
    total = acc.total
    workbook = Workbook()
    bold = Font(bold=True)

    summary = workbook.active
    summary.title = _("Summary")[:31]
    facts = [
        (_("Accountability for the subsidy period"), None),
        (_("Municipality"), municipality),
        (_("Cooperative"), cooperative),
        (_("Period"), f"{period.first_day:%d-%m-%Y} – {period.last_day:%d-%m-%Y}"),
        (_("Subsidy granted (€)"), _euros(period.granted_cents)),
        (_("Coordination hours budgeted"), total.hours_budget),
        (_("Coordination hours recorded"), total.hours_recorded),
        (_("Hours difference (recorded − budgeted)"), total.hours_difference),
        (_("Housing budgeted (€)"), _euros(total.housing_budget_cents)),
        (_("Housing paid (€)"), _euros(total.housing_paid_cents)),
        (_("Housing difference (paid − budgeted) (€)"), _euros(total.housing_difference_cents)),
        (_("Made on"), amsterdam_today().strftime("%d-%m-%Y")),
    ]
    for label, value in facts:
        summary.append([_safe(label), _safe(value)])
        cell = summary.cell(row=summary.max_row, column=2)
        cell.number_format = EUROS if "€" in label else (HOURS if isinstance(value, Decimal) else cell.number_format)
    summary["A1"].font = bold
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 32

    per_month = workbook.create_sheet(_("Per month")[:31])
    per_month.append(_month_header())
    for m in [*acc.months, None]:
        item = m or total
        per_month.append([m.month.strftime("%m-%Y") if m else _("Total"), item.hours_budget, item.hours_recorded,
                          item.hours_difference, _euros(item.housing_budget_cents), _euros(item.housing_paid_cents),
                          _euros(item.housing_difference_cents)])
        for column, fmt in ((2, HOURS), (3, HOURS), (4, HOURS), (5, EUROS), (6, EUROS), (7, EUROS)):
            per_month.cell(row=per_month.max_row, column=column).number_format = fmt
    for cell in per_month[1] + per_month[per_month.max_row]:
        cell.font = bold

    def status(record) -> str:
        if record.withdrawn_at is None:
            return _("Counts")
        return _("Withdrawn: %(reason)s", reason=record.withdraw_reason)

    hours = workbook.create_sheet(_("Hours")[:31])
    hours.append([_("Date"), _("Hours"), _("What was done"), _("Who did it"), _("Status")])
    for r in (r for r in acc.records if r.kind == "hours"):
        hours.append([r.on_date, Decimal(r.hours), _safe(r.description), _safe(r.done_by or ""), _safe(status(r))])
        hours.cell(row=hours.max_row, column=1).number_format = "DD-MM-YYYY"
        hours.cell(row=hours.max_row, column=2).number_format = HOURS

    housing = workbook.create_sheet(_("Housing")[:31])
    housing.append([_("Month"), _("Amount paid (€)"), _("What was paid"), _("Status")])
    for r in (r for r in acc.records if r.kind == "housing"):
        housing.append([r.on_date.strftime("%m-%Y"), _euros(r.amount_cents), _safe(r.description), _safe(status(r))])
        housing.cell(row=housing.max_row, column=2).number_format = EUROS
    for sheet in (per_month, hours, housing):
        for cell in sheet[1]:
            cell.font = bold
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
