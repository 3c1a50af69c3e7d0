"""What the outcome pages, the council report and the umbrella view show, assembled once.

The aggregates (`queries`) are raw: every figure of a municipality other than the viewer
goes through `koepel.platform.disclosure.view_for` here, before any page or file sees it.
A municipality's own figures are shown in full (they are its residents). Peer tables are
protected as tables (`CountTable`), so a figure hidden in one row cannot be recovered from
the totals beside it.

The council report (PDF and XLSX) is made by an rq job (`outcomes.council_report`) and
downloaded from the job's page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from koepel.platform.dates import add_months, amsterdam_today
from koepel.platform.disclosure import (
    SUPPRESSED,
    AverageAmount,
    Cell,
    CountTable,
    Headcount,
    ProtectedTable,
    Share,
    view_for,
)
from koepel.platform.http.charts import Chart, bar_chart, line_chart
from koepel.platform.jobs import JobContext, tenant_job
from koepel.platform.money import Money
from koepel.platform.parameters import money_on
from koepel.platform.reference import SIZE_CLASS_LABELS, URBANITY_LABELS, by_code, size_class

from . import queries

REPORT_JOB = "outcomes.council_report"
REPORT_FORMATS = ("pdf", "xlsx")
LANGUAGES = ("nl", "en")
EARLIEST = date(2000, 1, 1)
MAX_MONTHS = 120

COUNT, PERCENT, MONEY = "count", "percent", "money"

# -- the period -----------------------------------------------------------------------------

PERIOD_KINDS = ("this_year", "last_year", "last_12_months", "custom")
PERIOD_LABELS = {
    "this_year": _l("This year"),
    "last_year": _l("Last year"),
    "last_12_months": _l("The last 12 months"),
    "custom": _l("Choose the months"),
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A period that cannot be shown; the message is for the person who chose it."""


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # the first day of the first month
    last: date  # the first day of the last month

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def whole_year(self) -> bool:
        return self.first.month == 1 and self.last.month == 12 and self.first.year == self.last.year

    def label(self) -> str:
        if self.whole_year:
            return str(self.first.year)
        return _("%(first)s to %(last)s", first=format_date(self.first, "MMMM yyyy"),
                 last=format_date(self.last, "MMMM yyyy"))

    def args(self) -> dict:
        """The query arguments that choose this period again (links, forms, the job)."""
        if self.kind == "custom":
            return {"period": "custom", "first": self.first.strftime("%Y-%m"), "last": self.last.strftime("%Y-%m")}
        return {"period": self.kind}


def _month(text: str, what: str) -> date:
    match = MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(_("The %(what)s month must look like 2025-01 (year, then month).", what=what))
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_period(args: Mapping[str, str], today: date | None = None) -> Period:
    """The period chosen on a page (`period`, and for `custom` `first` and `last` as YYYY-MM)."""
    today = today or amsterdam_today()
    this_month = today.replace(day=1)
    kind = args.get("period") or "this_year"
    if kind == "this_year":
        return Period(kind, date(today.year, 1, 1), this_month)
    if kind == "last_year":
        return Period(kind, date(today.year - 1, 1, 1), date(today.year - 1, 12, 1))
    if kind == "last_12_months":
        return Period(kind, add_months(this_month, -11), this_month)
    if kind != "custom":
        raise PeriodError(_("Choose a period from the list."))
    first, last = _month(args.get("first", ""), _("first")), _month(args.get("last", ""), _("last"))
    if first > last:
        raise PeriodError(_("The first month must not come after the last month."))
    if last > this_month:
        raise PeriodError(_("The last month cannot lie in the future."))
    if first < EARLIEST:
        raise PeriodError(_("There are no figures before 2000."))
    if len(Period(kind, first, last).months) > MAX_MONTHS:
        raise PeriodError(_("Choose a period of at most %(num)d years.", num=MAX_MONTHS // 12))
    return Period(kind, first, last)


# -- indicators and how they are shown ------------------------------------------------------

OUTFLOW = ("outflow_work", "outflow_business", "outflow_other")
LENGTHS = ("length_lt_6m", "length_6_12m", "length_1_2y", "length_gt_2y")
OUTCOME_TYPES = (*OUTFLOW, "stopped")
MONEY_CODES = ("returned_cents", "saving_cents")

SECTIONS: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("participation", _l("Participation"), ("referred", "in_trial", "members", *LENGTHS)),
    ("outflow", _l("Outflow and whether it lasted"), (*OUTCOME_TYPES, "outflow_due_6", "outflow_lasted_6",
                                                     "share_lasted_6", "outflow_due_12", "outflow_lasted_12",
                                                     "share_lasted_12")),
    ("ladder", _l("Participation ladder"), ("ladder_up", "ladder_same", "ladder_down")),
    ("earnings", _l("Earnings and money"), ("with_earnings", "share_with_earnings", "average_earnings",
                                            "returned_cents", "saving_cents")),
    ("placements", _l("Placements by employer cooperatives"),
     ("placements_started", "placements_active", "placements_due_12", "placements_lasted_12",
      "share_placements_lasted_12")),
)

# Derived figures: (part, base) for shares, the money code for averages. Earnings are
# person-months when summed over a period, so their share and average are taken in one
# month (`earnings_month`): a share of people, an average over people (the rules count people).
SHARES = {
    "share_lasted_6": ("outflow_lasted_6", "outflow_due_6"),
    "share_lasted_12": ("outflow_lasted_12", "outflow_due_12"),
    "share_with_earnings": ("with_earnings", "members"),
    "share_placements_lasted_12": ("placements_lasted_12", "placements_due_12"),
}
ONE_MONTH = frozenset({"share_with_earnings", "average_earnings"})
AVERAGES = {"average_earnings": "with_earnings"}
DERIVED_LABELS = {
    "share_lasted_6": _l("Share of outflows that lasted 6 months"),
    "share_lasted_12": _l("Share of outflows that lasted 12 months"),
    "share_with_earnings": _l("Share of members with earnings (in the month shown above)"),
    "average_earnings": _l("Average earnings settled per member with earnings (in the month shown above)"),
    "share_placements_lasted_12": _l("Share of placements that lasted 12 months"),
}
ZERO = queries.Figure(0, 0, 0)


def label(code: str) -> str:
    return str(DERIVED_LABELS.get(code) or queries.LABELS.get(code, code))


def kind_of(code: str) -> str:
    if code in SHARES:
        return PERCENT
    if code in AVERAGES or code in MONEY_CODES:
        return MONEY
    return COUNT


def _get(figures: Mapping[str, queries.Figure], code: str) -> queries.Figure:
    return figures.get(code) or ZERO


def _amounts(figure: queries.Figure) -> tuple[int, ...]:
    """Amounts per person with the figure's count, sum and largest part: the average and the
    dominance rule depend on nothing else, so the disclosure rules decide as on the real amounts."""
    people, total, largest = figure.people, figure.total, figure.largest
    if people <= 0:
        return ()
    rest, others = total - largest, people - 1
    if others == 0:
        return (total,)
    each, extra = divmod(max(rest, 0), others)
    return (largest, *([each + 1] * extra), *([each] * (others - extra)))


def disclosable(figures: Mapping[str, queries.Figure], month: Mapping[str, queries.Figure]) -> dict:
    """The figures of one municipality (or group) as disclosure figures, ready for `view_for`;
    `month` holds its figures of the earnings month. Money sums are left out: they go to
    nobody but their owner (`_sections`)."""
    out: dict = {}
    for _key, _title, codes in SECTIONS:
        for code in codes:
            source = month if code in ONE_MONTH else figures
            if code in SHARES:
                part_code, base_code = SHARES[code]
                part, base = _get(source, part_code).people, _get(source, base_code).people
                if part <= base:  # a part above its base is no share of it
                    out[code] = Share(part, base)
            elif code in AVERAGES:
                out[code] = AverageAmount(_amounts(_get(source, AVERAGES[code])))
            elif code not in MONEY_CODES:
                out[code] = Headcount(_get(figures, code).people)
    return out


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    kind: str
    cells: tuple  # Cell, or Money for the owner's own sums


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: tuple[Line, ...]


def _sections(columns: list[dict], own_money: list[Mapping[str, queries.Figure] | None]) -> list[Section]:
    """Sections of lines, one cell per column; money sums only in the columns that own them."""
    sections = []
    for key, title, codes in SECTIONS:
        lines = []
        for code in codes:
            cells = []
            for column, money in zip(columns, own_money, strict=True):
                if code in MONEY_CODES:
                    cells.append(Money(_get(money, code).total) if money is not None else None)
                else:
                    cells.append(column.get(code, Cell.hide("empty")))
            if any(c is not None for c in cells):
                lines.append(Line(code, label(code), kind_of(code), tuple(cells)))
        sections.append(Section(key, str(title), tuple(lines)))
    return sections


# -- the municipality's own page ------------------------------------------------------------

@dataclass(frozen=True)
class ChartWithFigures:
    id: str
    chart: Chart
    header: tuple[str, str]
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Saving:
    single: Money
    couple: Money
    norms_on: date
    returned: Money
    total: Money


@dataclass(frozen=True)
class Outcomes:
    period: Period
    municipality_id: int
    sections: list[Section]
    providers: list[tuple[int, str]]  # the columns after the total
    charts: list[ChartWithFigures]
    saving: Saving
    summary: str
    computed_at: datetime | None
    earnings_month: date


def _norm(name: str, on: date) -> Money:
    try:
        return money_on(name, on)
    except LookupError:
        return Money(0)


def earnings_month(municipality_ids: list[int], period: Period) -> date:
    """The latest month of the period with settled earnings (a month is settled after it
    ends), else the period's last month."""
    settled = [m for m, f in queries.monthly(municipality_ids, "with_earnings", period.first, period.last)
               if f.people] if municipality_ids else []
    return max(settled) if settled else period.last


def _in_month(municipality_ids: list[int], month: date) -> dict[str, queries.Figure]:
    return queries.figures(municipality_ids, month, month) if municipality_ids else {}


def _month_label(month: date) -> str:
    return format_date(month, "MMM yy")


def _series(municipality_ids: list[int], code: str, period: Period) -> dict[date, queries.Figure]:
    return dict(queries.monthly(municipality_ids, code, period.first, period.last))


def own_charts(municipality_id: int, period: Period) -> list[ChartWithFigures]:
    """Members, outflow, earnings and saving per month, each with its figures."""
    ids = [municipality_id]
    members = _series(ids, "members", period)
    outflow = [_series(ids, code, period) for code in ("outflow_work", "outflow_business")]
    earnings = _series(ids, "with_earnings", period)
    saving = _series(ids, "saving_cents", period)
    months = period.months

    def euros(cents: int) -> float:
        return round(cents / 100)

    charts = []
    member_points = [(_month_label(m), (members.get(m) or ZERO).people) for m in months]
    charts.append(ChartWithFigures("chart-members", line_chart(member_points, title=_("Members per month")),
                                   (_("Month"), _("Members")), tuple((lbl, str(v)) for lbl, v in member_points)))
    outflow_points = [(_month_label(m), sum((s.get(m) or ZERO).people for s in outflow)) for m in months]
    charts.append(ChartWithFigures(
        "chart-outflow", bar_chart(outflow_points, title=_("Outflow to work or an own business per month")),
        (_("Month"), _("Residents")), tuple((lbl, str(v)) for lbl, v in outflow_points)))
    earning_cents = [(m, (earnings.get(m) or ZERO).total) for m in months]
    charts.append(ChartWithFigures(
        "chart-earnings", bar_chart([(_month_label(m), euros(c)) for m, c in earning_cents],
                                    title=_("Earnings settled per month (euros)")),
        (_("Month"), _("Earnings")), tuple((_month_label(m), Money(c).format()) for m, c in earning_cents)))
    saving_cents = [(m, (saving.get(m) or ZERO).total) for m in months]
    charts.append(ChartWithFigures(
        "chart-saving", bar_chart([(_month_label(m), euros(c)) for m, c in saving_cents],
                                  title=_("Estimated saving on benefits per month (euros)")),
        (_("Month"), _("Estimated saving")), tuple((_month_label(m), Money(c).format()) for m, c in saving_cents)))
    return charts


def _euros(money: Money) -> str:
    """'€ 48.300': whole euros for a sentence."""
    return f"€ {round(money.cents / 100):,}".replace(",", ".")


def summary(period: Period, figures: Mapping[str, queries.Figure], providers: int) -> str:
    """The short text at the top of the council report, in the current language."""
    members = _get(figures, "members").people
    left = _get(figures, "outflow_work").people + _get(figures, "outflow_business").people
    lasted = _get(figures, "outflow_lasted_6").people
    saving = Money(_get(figures, "saving_cents").total)
    parts = [
        ngettext("In %(period)s %(num)d resident took part", "In %(period)s %(num)d residents took part",
                 members, period=period.label()),
        ngettext("in %(num)d cooperative.", "in %(num)d cooperatives.", providers),
        ngettext("%(num)d left benefits for work or an own business,",
                 "%(num)d left benefits for work or an own business,", left),
        ngettext("%(num)d of them for at least 6 months.", "%(num)d of them for at least 6 months.", lasted)
        if left else _("none of them yet for 6 months."),
        _("The estimated saving was %(amount)s.", amount=_euros(saving)),
    ]
    return " ".join(parts)


def own_outcomes(municipality_id: int, period: Period) -> Outcomes:
    """The municipality's own figures in full: in total and per provider."""
    total = queries.figures([municipality_id], period.first, period.last)
    per_provider = queries.by_provider(municipality_id, period.first, period.last)
    names = queries.provider_names(list(per_provider))
    providers = sorted(per_provider, key=lambda pid: (names.get(pid, ""), pid))
    month = earnings_month([municipality_id], period)
    in_month = queries.by_provider(municipality_id, month, month)
    columns = [view_for(municipality_id, municipality_id, disclosable(total, _in_month([municipality_id], month)))]
    money = [total]
    for pid in providers:
        columns.append(view_for(municipality_id, municipality_id,
                                disclosable(per_provider[pid], in_month.get(pid, {}))))
        money.append(per_provider[pid])
    single = _norm("bijstand_norm.single", period.last)
    saving_total = Money(_get(total, "saving_cents").total)
    return Outcomes(
        period=period,
        municipality_id=municipality_id,
        sections=_sections(columns, money),
        providers=[(pid, names.get(pid, "")) for pid in providers],
        charts=own_charts(municipality_id, period),
        saving=Saving(single, _norm("bijstand_norm.couple", period.last), period.last,
                      Money(_get(total, "returned_cents").total), saving_total),
        summary=summary(period, total, len(providers)),
        computed_at=queries.last_computed(),
        earnings_month=month,
    )


# -- peer comparison ------------------------------------------------------------------------

@dataclass(frozen=True)
class PeerTable:
    id: str
    title: str
    columns: tuple[str, ...]
    total_label: str
    rows: tuple[tuple[str, tuple[Cell, ...], Cell], ...]  # (name, cells, row total)
    column_totals: tuple[Cell, ...]
    grand_total: Cell


@dataclass(frozen=True)
class Comparison:
    period: Period
    basis: dict
    basis_text: list[str]
    known: bool
    peer_count: int
    sections: list[Section]  # columns: own (full), the peer group (protected)
    tables: list[PeerTable]
    rates: tuple[tuple[str, tuple[Cell, ...]], ...]  # per peer: shares, each through view_for
    rate_labels: tuple[str, ...]
    computed_at: datetime | None
    earnings_month: date


TABLES = (
    ("lengths", _l("Members by length of membership"), LENGTHS, _l("Members")),
    ("outcomes", _l("Outflow by type, and stopping"), OUTCOME_TYPES, _l("Together")),
)
PEER_RATES = ("share_with_earnings", "share_lasted_6")


def _table(key: str, title, codes, total_label, names: list[str], figures: list[Mapping[str, queries.Figure]],
           viewer_id: int) -> PeerTable:
    rows = [tuple(_get(f, c).people for c in codes) for f in figures]
    protected = view_for(viewer_id, None, {"table": CountTable(rows)})["table"]
    assert isinstance(protected, ProtectedTable)
    return PeerTable(
        id=f"peer-table-{key}", title=str(title), columns=tuple(label(c) for c in codes),
        total_label=str(total_label),
        rows=tuple((name, cells, total) for name, cells, total in
                   zip(names, protected.cells, protected.row_totals, strict=True)),
        column_totals=protected.column_totals, grand_total=protected.grand_total,
    )


def basis_text(basis: dict) -> tuple[list[str], bool]:
    """The peer group's basis in words, and whether size and urbanity are both known."""
    lines = []
    size, urbanity, kind = basis.get("size_class"), basis.get("urbanity"), basis.get("basis", "none")
    if kind == "none":
        lines.append(_("The number of inhabitants of your municipality is not known yet, so there is no peer "
                       "group to compare with."))
        return lines, False
    lines.append(_("Size class: %(label)s", label=str(SIZE_CLASS_LABELS.get(size, size))))
    if urbanity is not None:
        lines.append(_("Urbanity: %(label)s", label=str(URBANITY_LABELS.get(urbanity, urbanity))))
    else:
        lines.append(_("Urbanity: not known yet, so the peers are the municipalities of the same size class."))
    return lines, kind == "size_and_urbanity"


def comparison(municipality_id: int, period: Period) -> Comparison:
    own = queries.figures([municipality_id], period.first, period.last)
    peer_ids = list(queries.peer_municipalities(municipality_id))
    basis = queries.peer_basis(municipality_id) or {}
    lines, known = basis_text(basis)
    group = queries.figures(peer_ids, period.first, period.last) if peer_ids else {}
    month = earnings_month([municipality_id, *peer_ids], period)
    own_view = view_for(municipality_id, municipality_id, disclosable(own, _in_month([municipality_id], month)))
    group_view = view_for(municipality_id, None, disclosable(group, _in_month(peer_ids, month))) if peer_ids else {}
    names = queries.provider_names(peer_ids) if peer_ids else {}
    ordered = sorted(peer_ids, key=lambda pid: (names.get(pid, ""), pid))
    per_peer = [queries.figures([pid], period.first, period.last) for pid in ordered]
    peer_names = [names.get(pid, "") for pid in ordered]
    tables = []
    if ordered:
        for key, title, codes, total_label in TABLES:
            table = _table(key, title, codes, total_label, peer_names, per_peer, municipality_id)
            tables.append(table)
            # The group's figures of a table's columns come from the table itself, so a
            # figure it hid to protect a peer is not shown beside it.
            for code, cell in zip(codes, table.column_totals, strict=True):
                group_view[code] = cell
    rates = []
    for pid, name, figs in zip(ordered, peer_names, per_peer, strict=True):
        wanted = disclosable(figs, _in_month([pid], month))
        view = view_for(municipality_id, pid, {c: f for c, f in wanted.items() if c in PEER_RATES})
        rates.append((name, tuple(view.get(c, Cell.hide("empty")) for c in PEER_RATES)))
    sections = _sections([own_view, group_view], [own, None])
    return Comparison(
        period=period, basis=basis, basis_text=lines, known=known, peer_count=len(ordered), sections=sections,
        tables=tables, rates=tuple(rates), rate_labels=tuple(label(c) for c in PEER_RATES),
        computed_at=queries.last_computed(), earnings_month=month,
    )


# -- the umbrella's federation view ---------------------------------------------------------

UMBRELLA_SERIES = ("members", "outflow_work", "outflow_business", "with_earnings")


@dataclass(frozen=True)
class Federation:
    period: Period
    months: tuple[tuple[str, tuple[Cell, ...]], ...]
    series_labels: tuple[str, ...]
    chart: ChartWithFigures | None
    totals: list[Section]
    tables: list[PeerTable]
    computed_at: datetime | None
    earnings_month: date
    municipalities: int = 0
    unknown_size: int = field(default=0)


def _municipalities() -> list[tuple[int, str | None]]:
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.platform.tenancy import Tenant

    return list(db.session.execute(select(Tenant.id, Tenant.cbs_code).where(Tenant.kind == "municipality")
                                   .order_by(Tenant.id)).all())


def federation(viewer_id: int, period: Period) -> Federation:
    """Figures of all municipalities together, per month and per size class: nothing here
    belongs to the viewer, so everything goes through the rules."""
    municipalities = _municipalities()
    ids = [mid for mid, _code in municipalities]
    by_class: dict[str, list[int]] = {}
    for mid, code in municipalities:
        reference = by_code(code) if code else None
        key = size_class(reference.inhabitants) if reference is not None else None
        by_class.setdefault(key or "unknown", []).append(mid)
    months: list[tuple[str, tuple[Cell, ...]]] = []
    series = {code: _series(ids, code, period) if ids else {} for code in UMBRELLA_SERIES}
    for month in period.months:
        view = view_for(viewer_id, None, {code: Headcount((series[code].get(month) or ZERO).people)
                                          for code in UMBRELLA_SERIES})
        months.append((_month_label(month), tuple(view[c] for c in UMBRELLA_SERIES)))
    points = [(lbl, cells[0].value or 0) for lbl, cells in months if cells[0].shown]
    chart = ChartWithFigures(
        "chart-federation-members", line_chart(points, title=_("Members per month, all municipalities")),
        (_("Month"), _("Members")), tuple((lbl, str(v)) for lbl, v in points)) if points else None
    total = queries.figures(ids, period.first, period.last) if ids else {}
    month = earnings_month(ids, period)
    totals = _sections([view_for(viewer_id, None, disclosable(total, _in_month(ids, month)))], [None])
    classes = [key for key, _lbl in SIZE_CLASS_LABELS.items() if key in by_class]
    if "unknown" in by_class:
        classes.append("unknown")
    class_names = [str(SIZE_CLASS_LABELS[k]) if k in SIZE_CLASS_LABELS else _("Size unknown") for k in classes]
    class_figures = [queries.figures(by_class[k], period.first, period.last) for k in classes]
    tables = [_table(key, title, codes, total_label, class_names, class_figures, viewer_id)
              for key, title, codes, total_label in TABLES] if classes else []
    return Federation(
        period=period, months=tuple(months), series_labels=tuple(label(c) for c in UMBRELLA_SERIES), chart=chart,
        totals=totals, tables=tables, computed_at=queries.last_computed(), earnings_month=month,
        municipalities=len(ids),
        unknown_size=len(by_class.get("unknown", [])),
    )


# -- the council report: PDF and XLSX, made by a job ----------------------------------------

def cell_text(cell, kind: str) -> str:
    """A cell as text for a file: the value, or the word for suppressed."""
    if cell is None:
        return ""
    if isinstance(cell, Money):
        return cell.format()
    if cell.suppressed:
        return "—" if cell.rule == "empty" else str(SUPPRESSED)
    if kind == PERCENT:
        return f"{cell.value}%"
    if kind == MONEY:
        return Money(cell.value).format()
    return str(cell.value)


PDF_STYLESHEET = Path(__file__).parent / "static" / "report_pdf.css"


def report_pdf(outcomes: Outcomes, peers: Comparison, municipality_name: str) -> bytes:
    from weasyprint import CSS, HTML  # imported here: it loads Pango and fonts

    html = render_template("outcomes/report_pdf.html", o=outcomes, c=peers, name=municipality_name,
                           cell_text=cell_text)
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PDF_STYLESHEET))])


def report_xlsx(outcomes: Outcomes, peers: Comparison, municipality_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    sheet.append([municipality_name])
    sheet.append([outcomes.period.label()])
    sheet.append([outcomes.summary])

    def put(ws, row: list, cells, kinds):
        ws.append(row + [cell_text(c, k) for c, k in zip(cells, kinds, strict=True)])
        for offset, c in enumerate(cells, start=len(row) + 1):
            if isinstance(c, Cell) and c.suppressed and c.rule != "empty":
                ws.cell(ws.max_row, offset).comment = Comment(str(c.label), "Koepel")

    own = book.create_sheet(_("Own figures")[:31])
    own.append([_("Indicator"), _("Total"), *[name for _pid, name in outcomes.providers]])
    for section in outcomes.sections:
        own.append([section.title])
        for line in section.lines:
            put(own, [line.label], line.cells, [line.kind] * len(line.cells))
    months = book.create_sheet(_("Per month")[:31])
    for chart in outcomes.charts:
        months.append([chart.chart.title])
        months.append(list(chart.header))
        for row in chart.rows:
            months.append(list(row))
        months.append([])
    peer_sheet = book.create_sheet(_("Peers")[:31])
    peer_sheet.append([_("Figures of other municipalities are shown under disclosure control: counts rounded to 5, "
                         "fewer than 10 people suppressed.")])
    peer_sheet.append([_("Indicator"), municipality_name, _("Peer group")])
    for section in peers.sections:
        peer_sheet.append([section.title])
        for line in section.lines:
            put(peer_sheet, [line.label], line.cells, [line.kind] * len(line.cells))
    for table in peers.tables:
        peer_sheet.append([])
        peer_sheet.append([table.title])
        peer_sheet.append([_("Municipality"), *table.columns, table.total_label])
        for name, cells, total in table.rows:
            put(peer_sheet, [name], (*cells, total), [COUNT] * (len(cells) + 1))
        put(peer_sheet, [_("Total")], (*table.column_totals, table.grand_total), [COUNT] * (len(table.columns) + 1))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def municipality_name(municipality_id: int) -> str:
    from koepel.platform.db import db
    from koepel.platform.tenancy import Tenant

    tenant = db.session.get(Tenant, municipality_id)
    return tenant.name if tenant is not None else ""


@tenant_job(REPORT_JOB, title=_l("Council report on outcomes"), timeout=900)
def council_report(ctx: JobContext, period_args: dict, fmt: str, language: str) -> dict:
    """The council report of the asking municipality for one period, as PDF or XLSX."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    # A request context for the templates' helpers (as the invoice job does), in the
    # language of the person who asked.
    with current_app.test_request_context("/"), force_locale(language if language in LANGUAGES else "nl"):
        ctx.progress(0, 3)
        period = parse_period(period_args)
        outcomes = own_outcomes(ctx.tenant_id, period)
        ctx.progress(1, 3)
        peers = comparison(ctx.tenant_id, period)
        ctx.progress(2, 3)
        name = municipality_name(ctx.tenant_id)
        content = report_pdf(outcomes, peers, name) if fmt == "pdf" else report_xlsx(outcomes, peers, name)
        file_name = f"outcomes-{ctx.job_run_id}.{fmt}"
        (ctx.output_dir() / file_name).write_bytes(content)
        download = f"{_('outcomes')}-{period.first:%Y-%m}-{period.last:%Y-%m}.{fmt}"
    return {"file": file_name, "download_name": download, "format": fmt}
