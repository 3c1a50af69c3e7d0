"""Charts as server-drawn SVG: no script, readable without colour, with the figures in a
table beside them for screen readers (`_charts.html` draws them).

The functions compute the geometry; the template only places it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 36


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    label: str
    position: float
    row: int = 0  # x labels too wide for their slot alternate between two rows


LABEL_WIDTH = 6.5  # px per character at the labels' 12px

@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    title: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: tuple[Bar, ...] = ()
    path: str = ""
    points: tuple[tuple[float, float, str, float], ...] = ()  # x, y, label, value
    y_ticks: tuple[Tick, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    rows: tuple[tuple[str, str], ...] = field(default=())  # the figures, for the table
    empty: bool = False


def _scale(value: float, low: float, high: float) -> float:
    span = (high - low) or 1
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - low) / span)


def _nice_max(value: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return int(value) + 1


def _y_ticks(low: int, high: int, labels: dict[int, str] | None) -> tuple[Tick, ...]:
    if labels:
        return tuple(Tick(text, _scale(v, low, high)) for v, text in labels.items())
    step = max(1, (high - low) // 4)
    return tuple(Tick(str(v), _scale(v, low, high)) for v in range(low, high + 1, step))


def _x_ticks(labels: list[str], xs: list[float], most: int = 8) -> tuple[Tick, ...]:
    every = max(1, -(-len(labels) // most))
    return tuple(Tick(label, x) for i, (label, x) in enumerate(zip(labels, xs, strict=True)) if i % every == 0)


def bar_chart(items: list[tuple[str, float]], *, title: str) -> Chart:
    """Vertical bars, one per (label, value)."""
    rows = tuple((label, _figure(value)) for label, value in items)
    if not items:
        return Chart("bar", title, rows=rows, empty=True)
    high = _nice_max(max(v for _, v in items) or 1)
    slot = (WIDTH - LEFT - RIGHT) / len(items)
    bars = []
    for index, (label, value) in enumerate(items):
        top = _scale(value, 0, high)
        bars.append(Bar(label, value, LEFT + index * slot + slot * 0.15, top, slot * 0.7, HEIGHT - BOTTOM - top))
    crowded = max(len(b.label) for b in bars) * LABEL_WIDTH > slot
    ticks = tuple(Tick(b.label, b.x + b.width / 2, index % 2 if crowded else 0) for index, b in enumerate(bars))
    return Chart("bar", title, bars=tuple(bars), y_ticks=_y_ticks(0, high, None), x_ticks=ticks, rows=rows)


def line_chart(
    points: list[tuple[str, float]],
    *,
    title: str,
    low: int = 0,
    high: int | None = None,
    y_labels: dict[int, str] | None = None,
    step: bool = False,
) -> Chart:
    """A line through (label, value) in order; `step` draws a staircase (a level held
    until the next measurement), `y_labels` names the levels on the axis."""
    rows = tuple((label, y_labels.get(int(value), _figure(value)) if y_labels else _figure(value))
                 for label, value in points)
    if not points:
        return Chart("line", title, rows=rows, empty=True)
    high = high if high is not None else _nice_max(max(v for _, v in points) or 1)
    span = WIDTH - LEFT - RIGHT
    xs = [LEFT + span / 2] if len(points) == 1 else [LEFT + span * i / (len(points) - 1) for i in range(len(points))]
    ys = [_scale(v, low, high) for _, v in points]
    path = f"M{xs[0]:.1f},{ys[0]:.1f}"
    for i in range(1, len(points)):
        path += f" H{xs[i]:.1f} V{ys[i]:.1f}" if step else f" L{xs[i]:.1f},{ys[i]:.1f}"
    return Chart(
        "line", title, path=path,
        points=tuple((x, y, label, value) for x, y, (label, value) in zip(xs, ys, points, strict=True)),
        y_ticks=_y_ticks(low, high, y_labels), x_ticks=_x_ticks([p[0] for p in points], xs), rows=rows,
    )


def _figure(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
