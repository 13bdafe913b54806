"""Charts as SVG made on the server: no JavaScript, they print, and the same data gives the same bytes.

One small module for every chart govcore draws (the year report now, goal pages later): a line
chart with an optional dashed projection and its uncertainty band, and a horizontal bar chart for
rankings. No charting library fits: matplotlib is a large dependency whose SVG carries generated
ids and font metrics, and pygal gives each chart a random id, which breaks byte-for-byte
determinism. Hand-written SVG with fixed rounding is a few dozen lines and stays deterministic.
Numbers on axes are written the Danish way (the report's one number formatter).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

from govcore.forecast import GoalForecast
from govcore.formatting import danish_date, danish_number
from govcore.i18n import N_, _
from govcore.labels import Words
from govcore.model import Observation, Period

__all__ = ["Bar", "ChartTable", "Line", "bar_chart", "chart_table", "goal_chart", "line_chart", "wheel_chart"]

Style = Literal["solid", "dashed", "dotted"]
COLORS = ("#1f4e79", "#c0504d", "#4f8f3a", "#7f6084", "#d08a1f")
FONT = "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\""


@dataclass(frozen=True)
class Line:
    """A series of (x, y) points; `band` is (x, low, high) triples drawn as a shaded area."""

    label: str
    points: Sequence[tuple[float, float]]
    style: Style = "solid"
    color: str = COLORS[0]
    markers: bool = True
    band: Sequence[tuple[float, float, float]] = field(default_factory=tuple)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""
    highlight: bool = False


def _f(x: float) -> str:
    """Coordinates with one decimal: small files and identical bytes on every platform."""
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


def _fit(text: str, pixels: int) -> str:
    """Shorten a title to what fits (about 7 pixels a character in bold 11 px); the full title
    stays in the SVG's <title>."""
    most = max(4, pixels // 7)
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks (steps of 1, 2 or 5 times a power of ten) covering low..high."""
    if high < low:
        low, high = high, low
    if math.isclose(low, high):
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    t = start
    while t < high + step * 0.999:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _legend_rows(labels: Sequence[str], left: int, width: int) -> list[list[tuple[int, int]]]:
    """Legend entries (index, x) in rows that fit the width, so no label runs off the chart."""
    rows: list[list[tuple[int, int]]] = [[]]
    x = left
    for i, label in enumerate(labels):
        w = 30 + 7 * len(label)
        if rows[-1] and x + w > width - 4:
            rows.append([])
            x = left
        rows[-1].append((i, x))
        x += w
    return rows


def _head(title: str, desc: str, width: int, height: int, role: str = "img") -> list[str]:
    """The SVG element with its accessible name (<title>) and description (<desc>)."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="{role}" aria-label="{escape(title)}" {FONT}>',
           f"<title>{escape(title)}</title>"]
    if desc:
        out.append(f"<desc>{escape(desc)}</desc>")
    out.append(f'<text x="4" y="14" font-weight="bold">{escape(_fit(title, width - 8))}</text>')
    return out


def line_chart(lines: Sequence[Line], *, title: str, x_labels: Mapping[float, str], unit: str = "",
               width: int = 560, height: int = 240, desc: str = "", invert: bool = False) -> str:
    """A line chart; `x_labels` names positions on the x axis (those too close to the previous one
    are left out). `invert` puts the lowest value on top (a ranking: nr. 1 is best). `desc` is the
    chart's description for screen readers (shown nowhere else)."""
    left, right, top, bottom = 56, 40, 36, 44
    legend = _legend_rows([ln.label for ln in lines], left, width)
    height += 14 * (len(legend) - 1)
    xs = [x for ln in lines for x, _ in ln.points] + [x for ln in lines for x, _, _ in ln.band]
    ys = [y for ln in lines for _, y in ln.points] + [v for ln in lines for _, lo, hi in ln.band for v in (lo, hi)]
    out = _head(title, desc, width, height)
    if not xs:
        none = escape(_("No data"))
        out.append(f'<text x="{left}" y="{height // 2}">{none}</text></svg>')
        return "\n".join(out)
    ticks = nice_ticks(min(ys), max(ys))
    x0, x1 = min(xs), max(xs)
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1
    y0, y1 = ticks[0], ticks[-1]
    pw, ph = width - left - right, height - top - bottom - 14 * (len(legend) - 1)

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        share = (y - y0) / (y1 - y0)
        return top + (share if invert else 1 - share) * ph

    for t in ticks:
        out.append(f'<line x1="{left}" y1="{_f(py(t))}" x2="{width - right}" y2="{_f(py(t))}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{_f(py(t) + 4)}" text-anchor="end">{danish_number(t)}</text>')
    if unit:
        out.append(f'<text x="4" y="{top - 10}">{escape(unit)}</text>')
    shown = sorted(k for k in x_labels if x0 <= k <= x1)
    last = -1e9
    for k in shown:
        room = 8 + 7 * len(x_labels[k])
        if px(k) - last >= room:
            out.append(f'<text x="{_f(px(k))}" y="{top + ph + 16}" text-anchor="middle">'
                       f"{escape(x_labels[k])}</text>")
            last = px(k)
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{width - right}" y2="{top + ph}" stroke="#888"/>')
    dash = {"solid": "", "dashed": ' stroke-dasharray="6 4"', "dotted": ' stroke-dasharray="2 3"'}
    for ln in lines:
        if ln.band:
            upper = [f"{_f(px(x))},{_f(py(hi))}" for x, _, hi in ln.band]
            lower = [f"{_f(px(x))},{_f(py(lo))}" for x, lo, _ in reversed(ln.band)]
            out.append(f'<polygon points="{" ".join(upper + lower)}" fill="{ln.color}" fill-opacity="0.15" '
                       'stroke="none"/>')
        if len(ln.points) > 1:
            pts = " ".join(f"{_f(px(x))},{_f(py(y))}" for x, y in ln.points)
            out.append(f'<polyline points="{pts}" fill="none" stroke="{ln.color}" stroke-width="2"'
                       f"{dash[ln.style]}/>")
        if ln.markers or len(ln.points) == 1:
            out.extend(f'<circle cx="{_f(px(x))}" cy="{_f(py(y))}" r="2.5" fill="{ln.color}"/>'
                       for x, y in ln.points)
    for r, row in enumerate(legend):
        ly = height - 10 - 14 * (len(legend) - 1 - r)
        for i, lx in row:
            ln = lines[i]
            out.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 18}" y2="{ly - 4}" stroke="{ln.color}" '
                       f'stroke-width="2"{dash[ln.style]}/>')
            out.append(f'<text x="{lx + 22}" y="{ly}">{escape(ln.label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "", width: int = 560, desc: str = "") -> str:
    """Horizontal bars in the order given (a ranking: best first), each with its value."""
    label_w, row, top = 190, 22, 28
    height = top + row * max(1, len(bars)) + 12
    out = _head(title, desc, width, height)
    if not bars:
        none = escape(_("No data"))
        out.append(f'<text x="4" y="{top + 14}">{none}</text></svg>')
        return "\n".join(out)
    high = max(0.0, *(b.value for b in bars))
    low = min(0.0, *(b.value for b in bars))
    span = (high - low) or 1.0
    plot = width - label_w - 90
    zero = label_w + (-low) / span * plot
    for i, b in enumerate(bars):
        y = top + i * row
        x_start = zero if b.value >= 0 else zero - (-b.value) / span * plot
        w = abs(b.value) / span * plot
        color = COLORS[1] if b.highlight else COLORS[0]
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(_fit(b.label, label_w - 8))}'
                   "</text>")
        out.append(f'<rect x="{_f(x_start)}" y="{y + 3}" width="{_f(w)}" height="{row - 6}" fill="{color}"/>')
        value = f"{danish_number(b.value, 2)}{' ' + unit if unit else ''}{' ' + b.note if b.note else ''}"
        out.append(f'<text x="{_f(max(zero, x_start + w) + 4)}" y="{y + 14}">{escape(value)}</text>')
    out.append(f'<line x1="{_f(zero)}" y1="{top}" x2="{_f(zero)}" y2="{top + row * len(bars)}" stroke="#888"/>')
    out.append("</svg>")
    return "\n".join(out)


def period_x(period: str | Period) -> float:
    """A period's place on a goal chart's time axis: the day it ends (periods of different grains,
    a monthly figure and a yearly milestone, share one axis)."""
    p = period if isinstance(period, Period) else Period.parse(period)
    return float(p.end.toordinal())


def goal_chart(title: str, history: Sequence[Observation], forecast: GoalForecast | None = None,
               unit: str = "", *, refs: Sequence[Line] = (), desc: str = "", invert: bool = False) -> str:
    """A goal's KPI over time, with the forecast drawn as a dashed projection to the end of the
    target period, its 80 % interval as a widening band, and what the target requires then.

    `refs` are the target's own lines (thresholds, a trajectory's milestones, a benchmark series),
    on the same time axis (`period_x`); their points are labelled by `Line.label` only."""
    return line_chart(goal_lines(history, forecast, refs), title=title, x_labels=goal_x_labels(history, forecast),
                      unit=unit, desc=desc, invert=invert)


def goal_x_labels(history: Sequence[Observation], forecast: GoalForecast | None = None) -> dict[float, str]:
    labels = {period_x(o.period_obj): o.period for o in _same_grain(history)}
    fc = forecast.forecast if forecast else None
    if fc and fc.period and fc.value is not None:
        labels.setdefault(period_x(fc.period), fc.period)
    return labels


def _same_grain(history: Sequence[Observation]) -> list[Observation]:
    if not history:
        return []
    grain = history[-1].period_obj.grain
    return [o for o in history if o.period_obj.grain == grain]


def goal_lines(history: Sequence[Observation], forecast: GoalForecast | None = None,
               refs: Sequence[Line] = ()) -> list[Line]:
    """The lines of a goal chart: the values ('Faktisk'), the target's lines, the forecast and
    (when there are no target lines to say it) what the target requires at its end."""
    obs = _same_grain(history)
    if not obs:
        return list(refs)
    points = [(period_x(o.period_obj), o.value) for o in obs]
    lines = [Line(_("Actual"), points), *refs]
    fc = forecast.forecast if forecast else None
    if forecast and fc and fc.value is not None and fc.period and fc.method != "observed":
        at = period_x(fc.period)
        last_x, last_y = points[-1]
        low = fc.low if fc.low is not None else fc.value
        high = fc.high if fc.high is not None else fc.value
        lines.append(Line(_("Forecast {period}").format(period=fc.period), [(last_x, last_y), (at, fc.value)],
                          "dashed", COLORS[1], markers=False, band=[(last_x, last_y, last_y), (at, low, high)]))
    if forecast and forecast.required is not None and fc and fc.period and not refs:
        at = period_x(fc.period)
        start = min(points[-1][0], at - 31)
        label = _("Requirement {value}").format(value=danish_number(forecast.required))
        lines.append(Line(label, [(start, forecast.required), (at, forecast.required)],
                          "dotted", COLORS[2], markers=False))
    return lines


@dataclass(frozen=True)
class ChartTable:
    """A chart's figures as a table: its text alternative (WCAG 1.1.1), read where the SVG is not."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def chart_table(lines: Sequence[Line], x_labels: Mapping[float, str], fmt: Callable[[float], str],
                first: str = "") -> ChartTable:
    """One row per labelled x position, one column per line; '–' where a line has no point."""
    values = [{x: y for x, y in ln.points} for ln in lines]
    xs = sorted({x for v in values for x in v if x in x_labels})
    rows = tuple((x_labels[x], *(fmt(v[x]) if x in v else "–" for v in values)) for x in xs)
    return ChartTable(headers=(first or _("Period"), *(ln.label for ln in lines)), rows=rows)


# ------------------------------------------------------------------------------------ the årshjul

RING_COLORS = ("#1f4e79", "#c0504d", "#4f8f3a", "#7f6084", "#b36b00", "#2f7f8f", "#8a5a2b", "#5a5a5a")
# Translated when read (the web pages read them too).
MONTH_SHORT = Words((N_("jan"), N_("feb"), N_("mar"), N_("apr"), N_("may"), N_("jun"), N_("jul"), N_("aug"),
                     N_("sep"), N_("oct"), N_("nov"), N_("dec")))


@dataclass(frozen=True)
class WheelMark:
    """One item of the årshjul: a milestone (drawn as a diamond) or a follow-up (a dot), on the
    ring of the role responsible, linking to where the item is told in full."""

    day: dt.date
    label: str
    ring: int
    milestone: bool = False
    href: str = ""


def wheel_chart(marks: Sequence[WheelMark], *, year: int, rings: Sequence[str], title: str,
                today: dt.date | None = None, desc: str = "", role: str = "img") -> str:
    """The årshjul as a circle: twelve months clockwise from January at the top, one ring per
    role (inside out in the order of `rings`), each item at its day, and a 'today' mark when given.

    `role` is the SVG's ARIA role: "img" (one picture) where its links are a convenience, as in
    the year report; "group" on a page where each mark is a link to be reached with the keyboard
    (links inside an image are hidden from assistive technology and nested controls to axe)."""
    width, cx, cy = 540, 270, 270
    r_in, r_out, r_month = 48.0, 202.0, 236.0
    height = 2 * cy + 18 * (len(rings) + 3)
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1

    def angle(day: float) -> float:
        return 2 * math.pi * day / days - math.pi / 2

    def at(r: float, a: float) -> tuple[str, str]:
        return _f(cx + r * math.cos(a)), _f(cy + r * math.sin(a))

    out = _head(title, desc, width, height, role)
    n = max(1, len(rings))
    band = (r_out - r_in) / n
    for m in range(12):
        start = (dt.date(year, m + 1, 1) - dt.date(year, 1, 1)).days
        end = (dt.date(year + (m == 11), m % 12 + 2 if m < 11 else 1, 1) - dt.date(year, 1, 1)).days
        a0, a1 = angle(start), angle(end)
        ox0, oy0 = at(r_month, a0)
        ox1, oy1 = at(r_month, a1)
        ix0, iy0 = at(r_in, a0)
        ix1, iy1 = at(r_in, a1)
        fill = "#eef3f8" if m % 2 == 0 else "#ffffff"
        out.append(f'<path d="M{ix0},{iy0} L{ox0},{oy0} A{_f(r_month)},{_f(r_month)} 0 0 1 {ox1},{oy1} '
                   f'L{ix1},{iy1} A{_f(r_in)},{_f(r_in)} 0 0 0 {ix0},{iy0} Z" fill="{fill}" stroke="#bbb"/>')
        tx, ty = at((r_out + r_month) / 2, (a0 + a1) / 2)
        out.append(f'<text x="{tx}" y="{_f(float(ty) + 4)}" text-anchor="middle">{escape(MONTH_SHORT[m])}</text>')
    for i in range(n + 1):
        out.append(f'<circle cx="{cx}" cy="{cy}" r="{_f(r_in + i * band)}" fill="none" stroke="#ccc"/>')
    out.append(f'<text x="{cx}" y="{cy + 5}" text-anchor="middle" font-size="15" font-weight="bold">{year}</text>')
    for mark in sorted(marks, key=lambda k: (k.day, k.ring, k.label)):
        a = angle((mark.day - dt.date(year, 1, 1)).days + 0.5)
        r = r_in + (min(mark.ring, n - 1) + 0.5) * band
        x, y = cx + r * math.cos(a), cy + r * math.sin(a)
        color = RING_COLORS[mark.ring % len(RING_COLORS)]
        if mark.milestone:
            shape = (f'<polygon points="{_f(x)},{_f(y - 6)} {_f(x + 6)},{_f(y)} {_f(x)},{_f(y + 6)} '
                     f'{_f(x - 6)},{_f(y)}" fill="{color}" stroke="#fff"/>')
        else:
            shape = f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4" fill="{color}" stroke="#fff"/>'
        tip = f"<title>{escape(mark.label)}</title>"
        out.append(f'<a href="{escape(mark.href)}">{tip}{shape}</a>' if mark.href else f"<g>{tip}{shape}</g>")
    if today is not None and today.year == year:
        a = angle((today - dt.date(year, 1, 1)).days + 0.5)
        x0, y0 = at(r_in, a)
        x1, y1 = at(r_month + 6, a)
        tx, ty = at(r_month + 16, a)
        out.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#b00020" stroke-width="2.5"/>')
        label = escape(_("Today {day}").format(day=danish_date(today)))
        out.append(f'<text x="{tx}" y="{ty}" text-anchor="middle" fill="#b00020" font-weight="bold">{label}</text>')
    lx, ly = 8, 2 * cy
    legend = escape(_("Rings from the inside out"))
    out.append(f'<text x="{lx}" y="{ly}" font-weight="bold">{legend}</text>')
    for i, role in enumerate(rings):
        y = ly + 18 * (i + 1)
        out.append(f'<circle cx="{lx + 6}" cy="{y - 4}" r="5" fill="{RING_COLORS[i % len(RING_COLORS)]}"/>')
        out.append(f'<text x="{lx + 16}" y="{y}">{i + 1}. {escape(_fit(role, width - lx - 30))}</text>')
    y = ly + 18 * (len(rings) + 2)
    out.append(f'<polygon points="{lx + 6},{y - 10} {lx + 12},{y - 4} {lx + 6},{y + 2} {lx},{y - 4}" fill="#555"/>')
    milestone, followup = escape(_("milestone")), escape(_("follow-up"))
    out.append(f'<text x="{lx + 16}" y="{y}">{milestone}</text>')
    out.append(f'<circle cx="{lx + 86}" cy="{y - 4}" r="4" fill="#555"/>')
    out.append(f'<text x="{lx + 96}" y="{y}">{followup}</text>')
    out.append("</svg>")
    return "\n".join(out)
