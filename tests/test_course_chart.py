"""The trend chart's geometry (intake/course_chart.py), against coordinates worked out by hand.

The plot box runs from x 60 to 620 (560 wide) and from y 20 to 260 (240 high). On the PHQ-9
axis (0 to 30) one point is 240 / 30 = 8 units, so a total v is at y = 20 + 8 × (30 − v):
22 → 84, 16 → 132, 11 → 172, 9 → 188, 5 → 220, 4 → 228. Four points are 560 / 3 = 186.67
apart: x 60, 246.7, 433.3, 620.
"""

from __future__ import annotations

import pytest

from intake.course_chart import ChartPoint, build, marker_path, num

POINTS = [
    ChartPoint("Baseline", 22, "baseline"),
    ChartPoint("S5", 16, "partial_response"),
    ChartPoint("S10", 9, "response"),
    ChartPoint("S20", 4, "remission"),
]
GUIDES = [("Baseline 22", 22), ("50%: 11", 11), ("Remission <5", 5)]

#: (label, value, shape, x, y) of each marker, by hand.
EXPECTED_MARKERS = [
    ("Baseline", 22, "ring", 60, 84),
    ("S5", 16, "diamond", 246.7, 132),
    ("S10", 9, "triangle_down", 433.3, 188),
    ("S20", 4, "dot", 620, 228),
]


def _chart():  # type: ignore[no-untyped-def]
    return build(POINTS, axis_max=30, tick_step=5, guides=GUIDES)


def test_each_point_is_where_the_hand_worked_it_out() -> None:
    chart = _chart()
    got = [(m.label, m.value, m.shape, float(num(m.x)), float(num(m.y))) for m in chart.markers]
    assert got == EXPECTED_MARKERS
    assert chart.line == "M60,84 L246.7,132 L433.3,188 L620,228"
    assert (chart.left, chart.top, chart.right, chart.bottom) == (60, 20, 620, 260)
    assert all(m.labelled for m in chart.markers)


def test_the_guides_and_ticks() -> None:
    chart = _chart()
    # Each label 4 below its line (centred on it), far enough apart here to stay there.
    assert [(g.label, g.y, g.label_y) for g in chart.guides] == [
        ("Baseline 22", 84, 88),
        ("50%: 11", 172, 176),
        ("Remission <5", 220, 224),
    ]
    assert chart.y_ticks == (
        (0, 260),
        (5, 220),
        (10, 180),
        (15, 140),
        (20, 100),
        (25, 60),
        (30, 20),
    )


def test_close_guide_labels_are_moved_apart() -> None:
    # Baseline 8: y 196; remission 5: y 220; 50% = 4: y 228, only 8 below the remission line.
    chart = build(
        [ChartPoint("Baseline", 8, "baseline")],
        axis_max=30,
        tick_step=5,
        guides=[("Baseline 8", 8), ("50%: 4", 4), ("Remission <5", 5)],
    )
    assert [(g.y, g.label_y) for g in chart.guides] == [(196, 200), (228, 236), (220, 224)]


@pytest.mark.parametrize(
    ("shape", "x", "y", "path"),
    [
        ("ring", 60, 84, "M54,84 a6,6 0 1,0 12,0 a6,6 0 1,0 -12,0 Z"),
        ("square", 100, 100, "M94,94 H106 V106 H94 Z"),
        ("diamond", 246.6667, 132, "M246.7,126 L252.7,132 L246.7,138 L240.7,132 Z"),
        ("triangle_up", 10, 20, "M10,14 L16,26 L4,26 Z"),
        ("triangle_down", 433.3333, 188, "M427.3,182 L439.3,182 L433.3,194 Z"),
        ("cross", 8, 8, "M2,2 L14,14 M14,2 L2,14"),
    ],
)
def test_marker_outlines(shape: str, x: float, y: float, path: str) -> None:
    assert marker_path(shape, x, y) == path


def test_one_point_sits_in_the_middle_with_no_line() -> None:
    chart = build([ChartPoint("Intake", 17, "baseline")], axis_max=30, tick_step=5)
    [marker] = chart.markers
    assert (marker.x, marker.y) == (340, 124)  # 60 + 560 / 2; 20 + 8 × 13
    assert chart.line == "" and chart.guides == ()


def test_a_long_course_labels_every_other_point_and_the_last() -> None:
    points = [ChartPoint(f"S{n}", 10) for n in range(14)]
    chart = build(points, axis_max=30, tick_step=5)
    assert [m.label for m in chart.markers if m.labelled] == [
        "S0", "S2", "S4", "S6", "S8", "S10", "S12", "S13",
    ]  # fmt: skip


def test_a_value_above_the_axis_is_drawn_at_its_top_and_keeps_its_number() -> None:
    [marker] = build([ChartPoint("x", 35)], axis_max=30, tick_step=5).markers
    assert (marker.y, marker.value) == (20, 35)


def test_the_gad7_axis_is_ten_units_a_point() -> None:
    # 0 to 24: 240 / 24 = 10; GAD-7 7 at 20 + 10 × 17 = 190, 21 at 50.
    chart = build([ChartPoint("a", 7), ChartPoint("b", 21)], axis_max=24, tick_step=4)
    assert [(m.x, m.y) for m in chart.markers] == [(60, 190), (620, 50)]
    assert [value for value, _y in chart.y_ticks] == [0, 4, 8, 12, 16, 20, 24]


@pytest.mark.parametrize(("value", "text"), [(84.0, "84"), (192.5, "192.5"), (246.6667, "246.7")])
def test_numbers_are_written_short(value: float, text: str) -> None:
    assert num(value) == text
