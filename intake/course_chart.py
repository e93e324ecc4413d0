"""The geometry of a course's trend chart: numbers in, SVG coordinates out (docs/clinician.md,
"The trend chart").

The chart is drawn on the server as inline SVG, so it needs no script and prints as it shows.
This module only works out where things go; the template (``clinician/_course_chart.html``)
draws them. Every point is marked by a *shape* for its status, with its value written above
it and a legend naming each shape, so nothing is told by colour alone; the page puts a table
of the same numbers beside the chart for screen readers and print.

The drawing area is fixed (``WIDTH`` × ``HEIGHT`` user units, scaled by the SVG's viewBox to
whatever width the page has): a plot box from ``LEFT`` to ``WIDTH - RIGHT`` across and from
``TOP`` to ``HEIGHT - BOTTOM`` down. A value ``v`` on an axis from 0 to ``axis_max`` is drawn at
``y = TOP + PLOT_HEIGHT × (axis_max − v) / axis_max``; the i-th of n points at
``x = LEFT + PLOT_WIDTH × i / (n − 1)`` (one point alone sits in the middle).

Pure: no Flask, no database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
HEIGHT = 320
LEFT = 60
#: The right margin holds the guide lines' labels, clear of the points.
RIGHT = 100
TOP = 20
BOTTOM = 60
PLOT_WIDTH = WIDTH - LEFT - RIGHT  # 560
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM  # 240
#: Guide labels are written at least this far apart (a baseline of 8 puts 50% at 4, next to 5).
LABEL_GAP = 12
#: At most this many x-axis labels: a long course labels every k-th point (all are in the table).
MAX_X_LABELS = 12
#: Half the size of a marker.
R = 6

#: The marker shape of each status (and of the baseline point, and of a point with no status).
SHAPES: dict[str, str] = {
    "baseline": "ring",
    "remission": "dot",
    "response": "triangle_down",
    "partial_response": "diamond",
    "no_response": "square",
    "worsening": "triangle_up",
    "not_applicable": "cross",
    "": "dot",
}


@dataclass(frozen=True)
class ChartPoint:
    """One value to draw: its x-axis label ("Baseline", "S12"), the value, its status code."""

    label: str
    value: int
    status: str = ""


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    value: int
    label: str
    status: str
    shape: str
    #: The marker's outline as SVG path data (``d``).
    path: str
    #: Whether the x-axis label is written under it (every k-th point on a long course).
    labelled: bool


@dataclass(frozen=True)
class Guide:
    """A horizontal line across the plot (the baseline, 50% of it, the remission line), its
    label in the right margin at ``label_y`` (its line's height, moved apart from another's)."""

    value: float
    y: float
    label: str
    label_y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    markers: tuple[Marker, ...]
    #: The line through the points, as SVG path data ("" with fewer than two points).
    line: str
    guides: tuple[Guide, ...]
    #: (value, y) of each tick of the y axis, 0 first.
    y_ticks: tuple[tuple[int, float], ...]


def num(value: float) -> str:
    """A coordinate as SVG text: at most one decimal, no trailing ``.0`` ("84", "192.5")."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def y_of(value: float, axis_max: int) -> float:
    return TOP + PLOT_HEIGHT * (axis_max - value) / axis_max


def x_of(index: int, count: int) -> float:
    if count <= 1:
        return LEFT + PLOT_WIDTH / 2
    return LEFT + PLOT_WIDTH * index / (count - 1)


def marker_path(shape: str, x: float, y: float) -> str:
    """The outline of a marker of ``shape`` centred on (x, y), as SVG path data."""
    cx, cy = num(x), num(y)  # the centre, as written
    left, right, up, down = num(x - R), num(x + R), num(y - R), num(y + R)
    if shape in ("ring", "dot"):
        return f"M{left},{cy} a{R},{R} 0 1,0 {2 * R},0 a{R},{R} 0 1,0 {-2 * R},0 Z"
    if shape == "square":
        return f"M{left},{up} H{right} V{down} H{left} Z"
    if shape == "diamond":
        return f"M{cx},{up} L{right},{cy} L{cx},{down} L{left},{cy} Z"
    if shape == "triangle_up":
        return f"M{cx},{up} L{right},{down} L{left},{down} Z"
    if shape == "triangle_down":
        return f"M{left},{up} L{right},{up} L{cx},{down} Z"
    if shape == "cross":
        return f"M{left},{up} L{right},{down} M{right},{up} L{left},{down}"
    raise ValueError(f"unknown marker shape {shape!r}")


def build(
    points: Sequence[ChartPoint],
    *,
    axis_max: int,
    tick_step: int,
    guides: Sequence[tuple[str, float]] = (),
) -> Chart:
    """Where each point, the line through them, each guide line and each tick go.

    ``axis_max`` is the top of the y axis (a value above it is drawn at the top; none of a
    questionnaire's totals is); ``guides`` are (label, value) horizontal lines.
    """
    if axis_max < 1 or tick_step < 1:
        raise ValueError("axis_max and tick_step must be positive")
    count = len(points)
    every = max(1, math.ceil(count / MAX_X_LABELS))
    markers = []
    for index, point in enumerate(points):
        x = x_of(index, count)
        y = y_of(min(max(point.value, 0), axis_max), axis_max)
        shape = SHAPES.get(point.status, "dot")
        markers.append(
            Marker(
                x=x,
                y=y,
                value=point.value,
                label=point.label,
                status=point.status,
                shape=shape,
                path=marker_path(shape, x, y),
                labelled=index % every == 0 or index == count - 1,
            )
        )
    line = ""
    if count > 1:
        line = "M" + " L".join(f"{num(m.x)},{num(m.y)}" for m in markers)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        top=TOP,
        right=WIDTH - RIGHT,
        bottom=HEIGHT - BOTTOM,
        markers=tuple(markers),
        line=line,
        guides=_spread(
            [
                Guide(value, y_of(min(value, axis_max), axis_max), label, 0)
                for label, value in guides
            ]
        ),
        y_ticks=tuple(
            (value, y_of(value, axis_max)) for value in range(0, axis_max + 1, tick_step)
        ),
    )


def _spread(guides: list[Guide]) -> tuple[Guide, ...]:
    """The guides with their labels' baselines: 4 below their line (the text's middle on it),
    each at least ``LABEL_GAP`` below the one above; in the order given."""
    placed: dict[int, float] = {}
    previous = -math.inf
    for index in sorted(range(len(guides)), key=lambda i: guides[i].y):
        previous = placed[index] = max(guides[index].y + 4, previous + LABEL_GAP)
    return tuple(Guide(g.value, g.y, g.label, placed[index]) for index, g in enumerate(guides))
