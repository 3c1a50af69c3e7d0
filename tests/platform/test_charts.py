"""Server-drawn charts: the geometry follows the figures, and the figures stay readable."""

from koepel.platform.http.charts import BOTTOM, HEIGHT, bar_chart, line_chart


def test_bars_are_as_tall_as_their_values_and_start_on_the_axis():
    chart = bar_chart([("a", 2), ("b", 4), ("c", 0)], title="t")
    heights = [bar.height for bar in chart.bars]
    assert heights[0] * 2 == heights[1] and heights[2] == 0
    assert all(round(bar.y + bar.height, 6) == HEIGHT - BOTTOM for bar in chart.bars)
    assert chart.rows == (("a", "2"), ("b", "4"), ("c", "0"))


def test_long_labels_alternate_between_two_rows_and_short_ones_do_not():
    long = bar_chart([(f"a rather long label {i}", i) for i in range(7)], title="t")
    assert [t.row for t in long.x_ticks] == [0, 1, 0, 1, 0, 1, 0]
    short = bar_chart([("a", 1), ("b", 2)], title="t")
    assert {t.row for t in short.x_ticks} == {0}


def test_a_step_line_holds_each_level_until_the_next_point():
    chart = line_chart([("jan", 1), ("feb", 3)], title="t", low=1, high=6, step=True,
                       y_labels={1: "one", 3: "three"})
    (x0, y0, _, _), (x1, y1, _, _) = chart.points
    assert chart.path == f"M{x0:.1f},{y0:.1f} H{x1:.1f} V{y1:.1f}"
    assert y1 < y0  # higher values are drawn higher up
    assert chart.rows == (("jan", "one"), ("feb", "three"))


def test_no_figures_is_an_empty_chart_not_an_error():
    assert bar_chart([], title="t").empty and line_chart([], title="t").empty
