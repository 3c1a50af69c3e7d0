"""Disclosure control for figures shown outside their owner (DOMAIN.md "Outcomes and peer
comparison"): no person may be recognisable in a peer or umbrella view.

The rules, each with the code a suppressed `Cell` carries:
- ``small_count``: a count of fewer than 10 people is suppressed; other counts are rounded
  to the nearest multiple of 5. Counts are whole numbers, so there is never a tie: a
  remainder of 0-2 rounds down and 3-4 rounds up (12 -> 10, 13 -> 15), which is
  ``(n + 2) // 5 * 5``. Every shown count is within 2 of the truth.
- ``small_base``: a percentage is shown only when its base is at least 10 people. The rule
  as written stops there, but a percentage beside its (rounded) base gives its part back:
  3 of 40 shows as 8%, and 8% of "40" can only be 3. So a percentage whose part, or whose
  remainder (base - part), is fewer than 10 people is suppressed as ``small_count`` too:
  it is a small count in disguise. Shown percentages come from the unrounded part and base,
  rounded half up to a whole percent.
- ``small_group_average``: no money average over fewer than 10 people.
- ``dominance``: no money average where one person makes up more than 30% of the sum
  (exactly 30% is shown).
- ``complementary``: in a table whose totals are shown, a suppressed cell must not be
  recoverable by subtraction (see `protect_table`).

A municipality sees its own figures in full and everyone else's only through these rules;
`view_for` is the one entry point dashboards and exports use, so no page can forget them.

Pure functions and frozen values: no database, no request. Labels are lazy gettext strings
that render in English outside a request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

THRESHOLD = 10  # fewer people than this are never shown
ROUNDING_BASE = 5
DOMINANCE_PERCENT = 30  # one person above this share of a sum hides the average

SMALL_COUNT = "small_count"
SMALL_BASE = "small_base"
COMPLEMENTARY = "complementary"
SMALL_GROUP_AVERAGE = "small_group_average"
DOMINANCE = "dominance"
EMPTY = "empty"  # nothing to compute (a percentage of nobody), also in the owner's own view

SUPPRESSED = _l("suppressed")
LABELS = {
    SMALL_COUNT: _l("suppressed: fewer than 10 people"),
    SMALL_BASE: _l("suppressed: percentage of fewer than 10 people"),
    COMPLEMENTARY: _l("suppressed: would reveal another suppressed figure"),
    SMALL_GROUP_AVERAGE: _l("suppressed: average of fewer than 10 people"),
    DOMINANCE: _l("suppressed: one person accounts for more than 30 percent of the total"),
    EMPTY: _l("not available: no people"),
}


class DisclosureError(ValueError):
    """Input that is no count, share or amount (a negative count, a part above its base)."""


@dataclass(frozen=True)
class Cell:
    """One figure as a page may show it: either `value` or the `rule` that suppressed it."""

    value: int | None = None
    rule: str | None = None

    def __post_init__(self):
        if (self.value is None) == (self.rule is None):
            raise DisclosureError("a cell has either a value or a suppression rule")
        if self.rule is not None and self.rule not in LABELS:
            raise DisclosureError(f"unknown suppression rule {self.rule!r}")

    @classmethod
    def show(cls, value: int) -> Cell:
        return cls(value=value)

    @classmethod
    def hide(cls, rule: str) -> Cell:
        return cls(rule=rule)

    @property
    def shown(self) -> bool:
        return self.rule is None

    @property
    def suppressed(self) -> bool:
        return self.rule is not None

    @property
    def label(self):
        """Why it is not shown (a lazy string), or None when it is shown."""
        return None if self.rule is None else LABELS[self.rule]


# -- validation --------------------------------------------------------------------------

def _whole(n, what: str) -> int:
    if not isinstance(n, int) or isinstance(n, bool):
        raise DisclosureError(f"{what} must be a whole number, not {type(n).__name__}")
    if n < 0:
        raise DisclosureError(f"{what} cannot be negative ({n})")
    return n


def _amounts(amounts) -> tuple[int, ...]:
    if isinstance(amounts, str | bytes) or not isinstance(amounts, Sequence):
        raise DisclosureError("amounts must be a list of integer cents, one per person")
    return tuple(_whole(a, "an amount in cents") for a in amounts)


def _grid(rows) -> tuple[tuple[int, ...], ...]:
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence) or not rows:
        raise DisclosureError("a table needs at least one row")
    grid = []
    for row in rows:
        if isinstance(row, str | bytes) or not isinstance(row, Sequence) or not row:
            raise DisclosureError("every row of a table needs at least one cell")
        grid.append(tuple(_whole(n, "a count") for n in row))
    if len({len(r) for r in grid}) != 1:
        raise DisclosureError("every row of a table needs the same number of cells")
    return tuple(grid)


def _parts(parts) -> tuple[int, ...]:
    if isinstance(parts, str | bytes) or not isinstance(parts, Sequence) or not parts:
        raise DisclosureError("a breakdown needs at least one part")
    return tuple(_whole(n, "a count") for n in parts)


# -- single figures ----------------------------------------------------------------------

def round_count(n: int) -> int:
    """Nearest multiple of 5; whole numbers never tie (see the module docstring)."""
    n = _whole(n, "a count")
    return (n + ROUNDING_BASE // 2) // ROUNDING_BASE * ROUNDING_BASE


def count(n: int) -> Cell:
    n = _whole(n, "a count")
    return Cell.hide(SMALL_COUNT) if n < THRESHOLD else Cell.show(round_count(n))


def _percent(part: int, base: int) -> int:
    return (200 * part + base) // (2 * base)  # half up, from unrounded values


def _check_share(part, base) -> tuple[int, int]:
    part, base = _whole(part, "a part"), _whole(base, "a base")
    if part > base:
        raise DisclosureError(f"the part ({part}) cannot exceed its base ({base})")
    return part, base


def percentage(part: int, base: int) -> Cell:
    part, base = _check_share(part, base)
    if base < THRESHOLD:
        return Cell.hide(SMALL_BASE)
    if part < THRESHOLD or base - part < THRESHOLD:
        return Cell.hide(SMALL_COUNT)
    return Cell.show(_percent(part, base))


def _average(amounts: tuple[int, ...]) -> int:
    return (2 * sum(amounts) + len(amounts)) // (2 * len(amounts))  # cents, half up


def money_average(amounts: Sequence[int]) -> Cell:
    """Average of one amount (integer cents) per person."""
    amounts = _amounts(amounts)
    if len(amounts) < THRESHOLD:
        return Cell.hide(SMALL_GROUP_AVERAGE)
    if max(amounts) * 100 > DOMINANCE_PERCENT * sum(amounts):
        return Cell.hide(DOMINANCE)
    return Cell.show(_average(amounts))


# -- tables: primary and complementary suppression ---------------------------------------
#
# A table of R rows and C columns is extended with its totals to (R+1) x (C+1): column C
# holds the row totals, row R the column totals, (R, C) the grand total. Every row and
# every column of the extended table is one equation: its cells add up to its total.
# Totals follow the count rule like any cell.
#
# Which suppressed entries can be recovered? Negate the row and column totals (not the
# grand total) and every line sums to zero with each entry appearing once in one row line
# and once in one column line. Read lines as the nodes of a bipartite graph and the
# suppressed entries as its edges: the unknowns a subtraction could ever pin down, by any
# combination of rows and columns, are exactly the bridges of that graph. An edge on a
# cycle can move +1/-1 around the cycle without changing any line's sum; a bridge cannot.
# A line with a single suppressed entry (the case "subtract the others from the total")
# is the simplest bridge, so we first close those, as the rule says, by suppressing the
# smallest remaining entry of that line, then break any bridge still left.
#
# Rounding. Shown entries are the truth within 2, so an attacker knows less than one who
# sees exact values, and against exact values no bridge remains. What rounding adds is
# that the attacker can bound a line's unknowns together: the sum of the suppressed cells
# lies within T - sum(shown) +/- 2 * (shown entries + 1), using that a small cell is
# 0..9 and a complementary one at least 10 (the labels tell them apart). When every
# rounding error points the same way, that range can shrink to one point (four shown
# cells of 13 and a total of 52 pin two suppressed cells to 0). `_pinned` finds such a
# line and one more entry of it is suppressed, which widens the range again.


@dataclass(frozen=True)
class ProtectedTable:
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    grand_total: Cell


@dataclass(frozen=True)
class ProtectedParts:
    parts: tuple[Cell, ...]
    total: Cell


def _extended(grid) -> list[list[int]]:
    width = len(grid[0])
    table = [list(row) + [sum(row)] for row in grid]
    table.append([sum(row[j] for row in table) for j in range(width + 1)])
    return table


def _lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    """Each line of the extended table as positions, its total last."""
    rows = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    cols = [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return rows + cols


def _bridges(suppressed, n_rows: int, n_cols: int) -> list[tuple[int, int]]:
    """Suppressed positions that are bridges of the line graph (recoverable, see above)."""
    adjacency: dict[tuple[str, int], list[tuple[tuple[str, int], tuple[int, int]]]] = {}
    for (i, j) in suppressed:
        adjacency.setdefault(("r", i), []).append((("c", j), (i, j)))
        adjacency.setdefault(("c", j), []).append((("r", i), (i, j)))
    found, order, low, counter = [], {}, {}, [0]

    def visit(root):
        # Iterative Tarjan: (node, edge it was entered by, iterator over its edges).
        order[root] = low[root] = counter[0]
        counter[0] += 1
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, edges = stack[-1]
            advanced = False
            for other, edge in edges:
                if edge == via:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = counter[0]
                    counter[0] += 1
                    stack.append((other, edge, iter(adjacency[other])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)

    for node in sorted(adjacency):
        if node not in order:
            visit(node)
    return sorted(found)


def _pinned(line, table, rules) -> bool:
    """Whether the rounded shown entries of a line pin its suppressed cells (see above)."""
    total = line[-1]
    if total in rules:
        return False  # an unknown total is bounded only through its crossing line
    hidden = [p for p in line[:-1] if p in rules]
    if len(hidden) < 2:
        return False  # none to protect, or a single one: that is a bridge, handled first
    shown = [p for p in line[:-1] if p not in rules]
    centre = round_count(table[total[0]][total[1]]) - sum(
        round_count(table[i][j]) for (i, j) in shown)
    slack = 2 * (len(shown) + 1)
    complementary = sum(1 for p in hidden if rules[p] == COMPLEMENTARY)
    low = max(centre - slack, THRESHOLD * complementary)
    high = centre + slack
    if not complementary:
        high = min(high, (THRESHOLD - 1) * len(hidden))
    return low >= high


def _suppress_one_of(candidates, table, rules, totals) -> bool:
    """Suppress the smallest shown candidate, cells before totals; False if none is left."""
    left = [p for p in candidates if p not in rules]
    if not left:
        return False
    choice = min(left, key=lambda p: (p in totals, table[p[0]][p[1]], p))
    rules[choice] = COMPLEMENTARY
    return True


def _protect(table: list[list[int]]) -> dict[tuple[int, int], str]:
    n_rows, n_cols = len(table), len(table[0])
    totals = {(i, n_cols - 1) for i in range(n_rows)} | {(n_rows - 1, j) for j in range(n_cols)}
    rules = {(i, j): SMALL_COUNT for i in range(n_rows) for j in range(n_cols)
             if table[i][j] < THRESHOLD}
    lines = _lines(n_rows, n_cols)
    while True:
        # 1. A line with exactly one suppressed entry gives it away by subtraction.
        single = next((line for line in lines
                       if sum(1 for p in line if p in rules) == 1), None)
        if single is not None:
            _suppress_one_of(single, table, rules, totals)
            continue
        # 2. Combinations of lines: break a bridge by hiding an entry that closes a cycle
        #    through it, or failing that one more entry beside it.
        bridges = _bridges(rules, n_rows, n_cols)
        if bridges:
            _break_bridge(bridges[0], table, rules, totals, n_rows, n_cols)
            continue
        # 3. Rounding: a line whose rounded figures pin its suppressed cells.
        pinned = next((line for line in lines if _pinned(line, table, rules)), None)
        if pinned is not None and _suppress_one_of(pinned, table, rules, totals):
            continue
        return rules


def _break_bridge(bridge, table, rules, totals, n_rows, n_cols) -> None:
    row, col = bridge
    rest = {p for p in rules if p != bridge}
    # Without the bridge its two ends fall apart; an entry joining the two halves again
    # puts the bridge on a cycle.
    one, other = _component(("r", row), rest), _component(("c", col), rest)
    closing = [(i, j) for i in range(n_rows) for j in range(n_cols)
               if (i, j) not in rules and ((("r", i) in one and ("c", j) in other)
                                           or (("r", i) in other and ("c", j) in one))]
    if not _suppress_one_of(closing, table, rules, totals):
        beside = [(row, j) for j in range(n_cols)] + [(i, col) for i in range(n_rows)]
        if not _suppress_one_of(beside, table, rules, totals):
            _suppress_one_of([(i, j) for i in range(n_rows) for j in range(n_cols)],
                             table, rules, totals)


def _component(start, edges) -> set:
    seen, todo = {start}, [start]
    while todo:
        kind, index = todo.pop()
        for (i, j) in edges:
            if kind == "r" and i == index:
                other = ("c", j)
            elif kind == "c" and j == index:
                other = ("r", i)
            else:
                continue
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def _cell(value: int, rule: str | None) -> Cell:
    return Cell.hide(rule) if rule else Cell.show(round_count(value))


def protect_table(rows: Sequence[Sequence[int]]) -> ProtectedTable:
    """Counts by row and column (e.g. outflow type x cooperative) with their totals,
    suppressed and rounded so that no hidden cell can be recovered from what is shown.

    Shown cells and totals are each rounded on their own, so shown cells need not add up
    to a shown total; pages must show the totals given here, never recompute them."""
    grid = _grid(rows)
    table = _extended(grid)
    rules = _protect(table)
    cells = [[_cell(v, rules.get((i, j))) for j, v in enumerate(row)]
             for i, row in enumerate(table)]
    return ProtectedTable(
        cells=tuple(tuple(row[:-1]) for row in cells[:-1]),
        row_totals=tuple(row[-1] for row in cells[:-1]),
        column_totals=tuple(cells[-1][:-1]),
        grand_total=cells[-1][-1],
    )


def protect_parts(parts: Sequence[int]) -> ProtectedParts:
    """A breakdown of one total into parts (a single line), protected like a table row."""
    parts = _parts(parts)
    table = [list(parts) + [sum(parts)]]
    n_cols = len(table[0])
    line = [(0, j) for j in range(n_cols)]
    totals = {(0, n_cols - 1)}
    rules = {p: SMALL_COUNT for p in line if table[0][p[1]] < THRESHOLD}
    while True:
        hidden = sum(1 for p in line if p in rules)
        if hidden == 1 or _pinned(line, table, rules):
            if _suppress_one_of(line, table, rules, totals):
                continue
        break
    cells = [_cell(v, rules.get((0, j))) for j, v in enumerate(table[0])]
    return ProtectedParts(parts=tuple(cells[:-1]), total=cells[-1])


# -- the one entry point -----------------------------------------------------------------

@dataclass(frozen=True)
class Headcount:
    """A number of people."""

    n: int

    def full(self) -> Cell:
        return Cell.show(_whole(self.n, "a count"))

    def protected(self) -> Cell:
        return count(self.n)


@dataclass(frozen=True)
class Share:
    """`part` of `base` people, shown as a whole percentage."""

    part: int
    base: int

    def full(self) -> Cell:
        part, base = _check_share(self.part, self.base)
        return Cell.hide(EMPTY) if base == 0 else Cell.show(_percent(part, base))

    def protected(self) -> Cell:
        return percentage(self.part, self.base)


@dataclass(frozen=True)
class AverageAmount:
    """One amount in integer cents per person, shown as their average."""

    amounts: tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "amounts", _amounts(self.amounts))

    def full(self) -> Cell:
        return Cell.hide(EMPTY) if not self.amounts else Cell.show(_average(self.amounts))

    def protected(self) -> Cell:
        return money_average(self.amounts)


@dataclass(frozen=True)
class CountTable:
    rows: tuple[tuple[int, ...], ...]

    def __post_init__(self):
        object.__setattr__(self, "rows", _grid(self.rows))

    def full(self) -> ProtectedTable:
        table = _extended(self.rows)
        cells = [tuple(Cell.show(v) for v in row) for row in table]
        return ProtectedTable(
            cells=tuple(row[:-1] for row in cells[:-1]),
            row_totals=tuple(row[-1] for row in cells[:-1]),
            column_totals=cells[-1][:-1],
            grand_total=cells[-1][-1],
        )

    def protected(self) -> ProtectedTable:
        return protect_table(self.rows)


@dataclass(frozen=True)
class CountParts:
    parts: tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "parts", _parts(self.parts))

    def full(self) -> ProtectedParts:
        return ProtectedParts(parts=tuple(Cell.show(n) for n in self.parts),
                              total=Cell.show(sum(self.parts)))

    def protected(self) -> ProtectedParts:
        return protect_parts(self.parts)


FIGURE_TYPES = (Headcount, Share, AverageAmount, CountTable, CountParts)


def _tenant_id(value, what: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise DisclosureError(f"{what} must be a tenant id or None")
    return value


def view_for(viewer_tenant_id: int | None, owner_tenant_id: int | None,
             figures: Mapping[str, Headcount | Share | AverageAmount | CountTable | CountParts]
             ) -> dict[str, Cell | ProtectedTable | ProtectedParts]:
    """The figures of `owner_tenant_id` as `viewer_tenant_id` may see them: in full for the
    owner itself, through the rules for anyone else (a peer, the umbrella). Figures with no
    single owner (federation-wide, `owner_tenant_id` None) are protected for everyone.
    Only the figure types above are accepted: a bare number cannot slip through unprotected.
    """
    viewer = _tenant_id(viewer_tenant_id, "the viewer")
    owner = _tenant_id(owner_tenant_id, "the owner")
    if not isinstance(figures, Mapping):
        raise DisclosureError("figures must map a name to a figure")
    own = owner is not None and viewer == owner
    view = {}
    for name, figure in figures.items():
        if not isinstance(figure, FIGURE_TYPES):
            raise DisclosureError(
                f"figure {name!r} is a {type(figure).__name__}; wrap it in one of "
                + ", ".join(t.__name__ for t in FIGURE_TYPES))
        view[name] = figure.full() if own else figure.protected()
    return view
