"""Disclosure control (DOMAIN.md "Outcomes and peer comparison"), rule by rule at its
boundaries, complementary suppression in rows, columns and across both, and properties
over random tables: nothing suppressed can be recovered from what is shown."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koepel.platform.disclosure import (
    COMPLEMENTARY,
    DOMINANCE,
    EMPTY,
    SMALL_BASE,
    SMALL_COUNT,
    SMALL_GROUP_AVERAGE,
    AverageAmount,
    Cell,
    CountParts,
    CountTable,
    DisclosureError,
    Headcount,
    ProtectedTable,
    Share,
    count,
    money_average,
    percentage,
    protect_parts,
    protect_table,
    view_for,
)

# -- helpers: what an attacker sees and can derive -----------------------------------------


def extended(rows):
    """The table with its row totals as last column and column totals as last row."""
    table = [list(r) + [sum(r)] for r in rows]
    table.append([sum(r[j] for r in table) for j in range(len(table[0]))])
    return table


def protected_grid(result: ProtectedTable):
    grid = [list(row) + [total] for row, total in zip(result.cells, result.row_totals, strict=True)]
    grid.append(list(result.column_totals) + [result.grand_total])
    return grid


def lines_of(n_rows, n_cols):
    """Each line as positions with its total last (rows of the extended table, then columns)."""
    return ([[(i, j) for j in range(n_cols)] for i in range(n_rows)]
            + [[(i, j) for i in range(n_rows)] for j in range(n_cols)])


def derivable_by_subtraction(values, grid):
    """Suppressed positions whose line has every other entry shown: total minus the rest."""
    n_rows, n_cols = len(grid), len(grid[0])
    found = set()
    for line in lines_of(n_rows, n_cols):
        hidden = [p for p in line if grid[p[0]][p[1]].suppressed]
        if len(hidden) == 1:
            found.add(hidden[0])
    return found


def derivable_by_algebra(values, grid):
    """Suppressed positions that any combination of line equations pins down, even if the
    shown entries were exact: Gaussian elimination over the rationals, independent of the
    graph argument the module uses."""
    n_rows, n_cols = len(grid), len(grid[0])
    unknowns = [(i, j) for i in range(n_rows) for j in range(n_cols) if grid[i][j].suppressed]
    index = {p: k for k, p in enumerate(unknowns)}
    matrix = []
    for line in lines_of(n_rows, n_cols):
        row = [Fraction(0)] * len(unknowns)
        for p in line[:-1]:
            if p in index:
                row[index[p]] += 1
        if line[-1] in index:
            row[index[line[-1]]] -= 1
        matrix.append(row)
    # reduced row echelon form
    pivots, r = [], 0
    for c in range(len(unknowns)):
        pivot = next((k for k in range(r, len(matrix)) if matrix[k][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [x / lead for x in matrix[r]]
        for k in range(len(matrix)):
            if k != r and matrix[k][c] != 0:
                factor = matrix[k][c]
                matrix[k] = [a - factor * b for a, b in zip(matrix[k], matrix[r], strict=True)]
        pivots.append((r, c))
        r += 1
    return {unknowns[c] for (row, c) in pivots
            if all(x == 0 for k, x in enumerate(matrix[row]) if k != c)}


def rounding_range(values, grid, line):
    """What the rounded figures of one line say about the sum of its suppressed cells."""
    total = line[-1]
    shown = [p for p in line[:-1] if grid[p[0]][p[1]].shown]
    hidden = [p for p in line[:-1] if grid[p[0]][p[1]].suppressed]
    centre = grid[total[0]][total[1]].value - sum(grid[i][j].value for (i, j) in shown)
    slack = 2 * (len(shown) + 1)
    comp = [p for p in hidden if grid[p[0]][p[1]].rule == COMPLEMENTARY]
    low = max(centre - slack, 10 * len(comp), 0)
    high = centre + slack if comp else min(centre + slack, 9 * len(hidden))
    return low, high


def rule_grid(result):
    return [[c.rule for c in row] for row in protected_grid(result)]


# -- single figures -------------------------------------------------------------------------


@pytest.mark.parametrize("n, shown", [
    (10, 10), (11, 10), (12, 10), (13, 15), (14, 15), (15, 15), (17, 15), (18, 20), (22, 20),
    (23, 25), (1002, 1000), (1003, 1005),
])
def test_counts_of_ten_or_more_are_rounded_to_the_nearest_five(n, shown):
    assert count(n) == Cell.show(shown)


@pytest.mark.parametrize("n", [0, 1, 5, 9])
def test_counts_under_ten_people_are_suppressed(n):
    cell = count(n)
    assert cell.suppressed and cell.value is None and cell.rule == SMALL_COUNT
    assert str(cell.label) == "suppressed: fewer than 10 people"


@pytest.mark.parametrize("bad", [-1, 2.5, "12", None, True])
def test_a_count_that_is_no_count_is_refused(bad):
    with pytest.raises(DisclosureError):
        count(bad)


def test_a_percentage_needs_a_base_of_ten():
    assert percentage(4, 9) == Cell.hide(SMALL_BASE)
    assert percentage(0, 0) == Cell.hide(SMALL_BASE)
    assert percentage(10, 20).value == 50  # base 20: shown
    assert percentage(5, 10) == Cell.hide(SMALL_COUNT)  # base 10 allowed, but part 5 is small


def test_a_percentage_is_not_a_small_count_in_disguise():
    # 3 of 40 shows as 8%, and 8% of a base shown as "40" gives the 3 back.
    assert percentage(3, 40) == Cell.hide(SMALL_COUNT)
    assert percentage(37, 40) == Cell.hide(SMALL_COUNT)  # the 3 without, likewise
    assert percentage(10, 20) == Cell.show(50)
    assert percentage(9, 20) == Cell.hide(SMALL_COUNT)
    assert percentage(11, 20) == Cell.hide(SMALL_COUNT)  # 9 remain


def test_a_percentage_comes_from_unrounded_figures_rounded_half_up():
    assert percentage(12, 24).value == 50
    assert percentage(13, 40).value == 33  # 32.5 -> 33 (half up); rounded 15/40 would say 38
    assert percentage(10, 30).value == 33  # 33.33
    assert percentage(20, 30).value == 67  # 66.67
    assert percentage(12, 32).value == 38  # 37.5 -> 38


@pytest.mark.parametrize("part, base", [(11, 10), (-1, 20), (1.5, 20), (3, "20")])
def test_a_share_that_is_no_share_is_refused(part, base):
    with pytest.raises(DisclosureError):
        percentage(part, base)


def test_no_money_average_under_ten_people():
    assert money_average([10000] * 9) == Cell.hide(SMALL_GROUP_AVERAGE)
    assert money_average([]) == Cell.hide(SMALL_GROUP_AVERAGE)
    assert money_average([10000] * 10) == Cell.show(10000)


def test_no_money_average_where_one_person_makes_up_more_than_30_percent():
    exactly_30 = [3000] + [778] * 8 + [776]  # 3000 of 10000
    assert sum(exactly_30) == 10000
    assert money_average(exactly_30) == Cell.show(1000)
    above = [3001] + [778] * 8 + [775]  # 3001 of 10000: 30.01%
    assert sum(above) == 10000
    cell = money_average(above)
    assert cell.rule == DOMINANCE
    assert str(cell.label) == "suppressed: one person accounts for more than 30 percent of the total"


def test_dominance_is_checked_only_once_the_group_is_large_enough():
    assert money_average([100000] + [1] * 8) == Cell.hide(SMALL_GROUP_AVERAGE)


def test_a_money_average_is_in_cents_rounded_half_up():
    assert money_average([100] * 9 + [105]).value == 101  # 100.5 -> 101
    assert money_average([100] * 9 + [104]).value == 100  # 100.4 -> 100
    assert money_average([0] * 10).value == 0


@pytest.mark.parametrize("amounts", [[-1] + [100] * 9, [1.5] * 10, "1234567890", None])
def test_amounts_that_are_no_cents_are_refused(amounts):
    with pytest.raises(DisclosureError):
        money_average(amounts)


def test_a_cell_is_shown_or_suppressed_never_both():
    with pytest.raises(DisclosureError):
        Cell(value=10, rule=SMALL_COUNT)
    with pytest.raises(DisclosureError):
        Cell()
    with pytest.raises(DisclosureError):
        Cell.hide("because")
    assert Cell.show(0).shown and Cell.show(0).label is None


# -- one line: parts of a shown total ------------------------------------------------------


def test_parts_one_small_part_takes_the_smallest_other_with_it():
    result = protect_parts([4, 30, 20, 45])
    assert [c.rule for c in result.parts] == [SMALL_COUNT, None, COMPLEMENTARY, None]
    assert [c.value for c in result.parts] == [None, 30, None, 45]
    assert result.total == Cell.show(100)  # 99


def test_parts_two_small_parts_protect_each_other():
    result = protect_parts([4, 3, 30])
    assert [c.rule for c in result.parts] == [SMALL_COUNT, SMALL_COUNT, None]
    assert result.total == Cell.show(35)


def test_parts_without_small_ones_are_all_shown_rounded():
    result = protect_parts([12, 30, 18])
    assert [c.value for c in result.parts] == [10, 30, 20]
    assert result.total == Cell.show(60)


def test_parts_of_a_small_total_hide_everything():
    result = protect_parts([3, 5])
    assert all(c.rule == SMALL_COUNT for c in result.parts)
    assert result.total.rule == SMALL_COUNT


def test_parts_where_rounding_would_pin_the_hidden_ones_lose_one_more():
    # Two empty parts beside four of 13 (each shown as 15) and a total of 52 (shown as
    # 50): the hidden pair would add up to 50 - 60 +/- 10, so at most 0: both zero, known.
    result = protect_parts([0, 0, 13, 13, 13, 13])
    rules = [c.rule for c in result.parts]
    assert rules[:2] == [SMALL_COUNT, SMALL_COUNT]
    assert rules[2:].count(COMPLEMENTARY) == 1
    grid = [list(result.parts) + [result.total]]
    low, high = rounding_range(None, grid, [(0, j) for j in range(7)])
    assert low < high


def test_parts_that_are_no_counts_are_refused():
    for bad in ([], [3, -1], [2.0, 30], "12", None):
        with pytest.raises(DisclosureError):
            protect_parts(bad)


# -- tables ---------------------------------------------------------------------------------


def test_a_small_cell_in_a_row_takes_a_second_cell_of_its_row():
    rows = [[4, 15, 30], [20, 25, 35], [30, 40, 50]]
    result = protect_table(rows)
    rules = rule_grid(result)
    assert rules[0][0] == SMALL_COUNT
    assert rules[0][1] == COMPLEMENTARY  # the smallest other cell of row 0
    # Column 0 and then column 1 hold one hidden cell each; each needs its own partner.
    assert rules[1][0] == COMPLEMENTARY and rules[1][1] == COMPLEMENTARY
    assert sum(rule is not None for row in rules for rule in row) == 4
    assert result.grand_total == Cell.show(250)  # 249
    assert result.row_totals == (Cell.show(50), Cell.show(80), Cell.show(120))


def test_a_small_cell_in_a_column_takes_a_second_cell_of_its_column():
    # Row 0 hides two cells already; columns 0 and 1 hide one each.
    rows = [[6, 7, 60], [30, 11, 45], [40, 50, 70]]
    rules = rule_grid(protect_table(rows))
    assert rules[0][:2] == [SMALL_COUNT, SMALL_COUNT]
    assert rules[1][0] == COMPLEMENTARY  # 30: the smallest other cell of column 0
    assert rules[1][1] == COMPLEMENTARY  # 11: closes column 1 and row 1 at once
    assert sum(rule is not None for row in rules for rule in row) == 4
    assert rules[2] == [None, None, None, None] and rules[3] == [None, None, None, None]


def test_one_complementary_cell_is_not_enough_in_two_dimensions():
    # Hiding 15 beside the 4 closes row 0, but leaves 15 alone in column 1, where
    # "column total minus the rest" would give it back; and so on until a cycle closes.
    rows = [[4, 15, 30], [20, 25, 35], [30, 40, 50]]
    table = extended(rows)
    partial = [[Cell.show(v) for v in row] for row in table]
    partial[0][0], partial[0][1] = Cell.hide(SMALL_COUNT), Cell.hide(COMPLEMENTARY)
    assert derivable_by_subtraction(table, partial) == {(0, 0), (0, 1)}  # via columns 0, 1
    result = protect_table(rows)
    assert derivable_by_subtraction(table, protected_grid(result)) == set()
    assert derivable_by_algebra(table, protected_grid(result)) == set()


def test_a_cell_recoverable_only_by_combining_rows_and_columns_is_protected():
    # Two blocks of small cells joined by the single small cell (1, 2). Every row and column
    # hides two cells or more, yet rows 0+1 minus columns 0+1 leave exactly that cell.
    rows = [[1, 2, 50, 60],
            [3, 4, 5, 70],
            [80, 90, 6, 7],
            [55, 65, 8, 9]]
    table = extended(rows)
    primary = [[Cell.hide(SMALL_COUNT) if v < 10 else Cell.show(v) for v in row] for row in table]
    assert derivable_by_subtraction(table, primary) == set()
    assert derivable_by_algebra(table, primary) == {(1, 2)}
    result = protect_table(rows)
    grid = protected_grid(result)
    assert derivable_by_algebra(table, grid) == set()
    added = [(i, j) for i, row in enumerate(grid) for j, c in enumerate(row)
             if c.rule == COMPLEMENTARY]
    assert added  # at least one more cell had to go


def test_a_small_total_is_suppressed_and_protected_like_a_cell():
    rows = [[3, 4], [30, 40], [25, 35]]  # row 0 totals 7
    result = protect_table(rows)
    assert result.row_totals[0].rule == SMALL_COUNT
    grid = protected_grid(result)
    table = extended(rows)
    assert derivable_by_subtraction(table, grid) == set()
    assert derivable_by_algebra(table, grid) == set()
    # The column of row totals hides a second total, else grand total minus the rest gives 7.
    assert sum(t.suppressed for t in result.row_totals) >= 2


def test_a_table_without_small_cells_is_shown_rounded():
    result = protect_table([[12, 23], [31, 44]])
    assert [[c.value for c in row] for row in result.cells] == [[10, 25], [30, 45]]
    assert [c.value for c in result.row_totals] == [35, 75]
    assert [c.value for c in result.column_totals] == [45, 65]
    assert result.grand_total == Cell.show(110)


@pytest.mark.parametrize("rows", [[], [[]], [[1, 2], [3]], [[1, -2]], [[1.0, 2]], "ab", None])
def test_a_table_that_is_no_table_is_refused(rows):
    with pytest.raises(DisclosureError):
        protect_table(rows)


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda width: st.lists(
        st.lists(st.one_of(st.integers(0, 12), st.integers(0, 80)),
                 min_size=width, max_size=width),
        min_size=1, max_size=5))


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_suppressed_cell_can_be_recovered_from_a_random_table(rows):
    table = extended(rows)
    grid = protected_grid(protect_table(rows))
    n_rows, n_cols = len(grid), len(grid[0])
    for i in range(n_rows):
        for j in range(n_cols):
            cell, truth = grid[i][j], table[i][j]
            if truth < 10:
                assert cell.rule == SMALL_COUNT
            if cell.shown:
                assert cell.value == count(truth).value  # rounded to 5, within 2 of the truth
    # Subtraction in a row or column, as the rule says; and any combination of them.
    assert derivable_by_subtraction(table, grid) == set()
    assert derivable_by_algebra(table, grid) == set()
    # Rounded figures never pin a line's hidden cells to one value.
    for line in lines_of(n_rows, n_cols):
        total = line[-1]
        hidden = [p for p in line[:-1] if grid[p[0]][p[1]].suppressed]
        if grid[total[0]][total[1]].shown and hidden:
            low, high = rounding_range(table, grid, line)
            assert low < high, (line, low, high)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 12), st.integers(0, 80)), min_size=1, max_size=8))
def test_no_suppressed_part_can_be_recovered_from_random_parts(parts):
    result = protect_parts(parts)
    grid = [list(result.parts) + [result.total]]
    line = [(0, j) for j in range(len(parts) + 1)]
    hidden = [c for c in result.parts if c.suppressed]
    if result.total.shown:
        assert len(hidden) != 1
        if hidden:
            low, high = rounding_range(None, grid, line)
            assert low < high
    for part, cell in zip(parts, result.parts, strict=True):
        if part < 10:
            assert cell.rule == SMALL_COUNT


# -- who sees what --------------------------------------------------------------------------

FIGURES = {
    "referred": Headcount(7),
    "members": Headcount(23),
    "with_earnings": Share(4, 23),
    "earnings": AverageAmount([50000] + [1000] * 9),
    "outflow": CountTable([[4, 15, 30], [20, 25, 35], [30, 40, 50]]),
    "ladder": CountParts([4, 30, 20, 45]),
}


def test_a_municipality_sees_its_own_figures_in_full():
    view = view_for(5, 5, FIGURES)
    assert view["referred"] == Cell.show(7)
    assert view["members"] == Cell.show(23)
    assert view["with_earnings"] == Cell.show(17)  # 17.39
    assert view["earnings"] == Cell.show(5900)
    assert [[c.value for c in row] for row in view["outflow"].cells] == [
        [4, 15, 30], [20, 25, 35], [30, 40, 50]]
    assert view["outflow"].grand_total == Cell.show(249)
    assert [c.value for c in view["ladder"].parts] == [4, 30, 20, 45]
    assert view["ladder"].total == Cell.show(99)


def test_another_tenant_sees_the_figures_only_through_the_rules():
    view = view_for(6, 5, FIGURES)
    assert view["referred"] == Cell.hide(SMALL_COUNT)
    assert view["members"] == Cell.show(25)
    assert view["with_earnings"] == Cell.hide(SMALL_COUNT)
    assert view["earnings"] == Cell.hide(DOMINANCE)
    assert view["outflow"] == protect_table([[4, 15, 30], [20, 25, 35], [30, 40, 50]])
    assert view["outflow"].cells[0][0].rule == SMALL_COUNT
    assert view["ladder"] == protect_parts([4, 30, 20, 45])


def test_federation_wide_figures_are_protected_for_everyone():
    assert view_for(None, None, FIGURES)["referred"] == Cell.hide(SMALL_COUNT)
    assert view_for(5, None, FIGURES)["members"] == Cell.show(25)


def test_an_unowned_viewer_such_as_the_umbrella_sees_protected_figures():
    assert view_for(None, 5, FIGURES)["referred"] == Cell.hide(SMALL_COUNT)


def test_own_figures_that_cannot_be_computed_say_so():
    view = view_for(5, 5, {"share": Share(0, 0), "average": AverageAmount([])})
    assert view == {"share": Cell.hide(EMPTY), "average": Cell.hide(EMPTY)}


@pytest.mark.parametrize("figure", [7, 7.0, "7", [4, 30], Cell.show(7)])
def test_a_bare_figure_cannot_slip_through_unprotected(figure):
    with pytest.raises(DisclosureError, match="wrap it in one of"):
        view_for(6, 5, {"referred": figure})


@pytest.mark.parametrize("viewer, owner", [("5", 5), (5, True), (5.0, 5)])
def test_tenant_ids_must_be_ids(viewer, owner):
    with pytest.raises(DisclosureError):
        view_for(viewer, owner, {"members": Headcount(23)})


def test_a_figure_that_is_no_figure_is_refused_when_made():
    with pytest.raises(DisclosureError):
        AverageAmount([-5] * 10)
    with pytest.raises(DisclosureError):
        CountTable([[1, 2], [3]])
    with pytest.raises(DisclosureError):
        view_for(5, 5, {"bad": Share(12, 10)})
