"""Charts as SVG made on the server: no JavaScript, they print, and the same data gives the same bytes.

One small module for every chart govcore draws (the year report now, goal pages later): a line
chart with an optional dashed projection and its uncertainty band, and a horizontal bar chart for
rankings. No charting library fits: matplotlib is a large dependency whose SVG carries generated
ids and font metrics, and pygal gives each chart a random id, which breaks byte-for-byte
determinism. Hand-written SVG with fixed rounding is a few dozen lines and stays deterministic.
Numbers on axes are written the Danish way (the report's one number formatter).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

from govcore.forecast import GoalForecast, period_index
from govcore.model import Observation, Period
from govcore.text import danish_number

__all__ = ["Bar", "Line", "bar_chart", "goal_chart", "line_chart"]

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


def line_chart(lines: Sequence[Line], *, title: str, x_labels: Mapping[float, str], unit: str = "",
               width: int = 560, height: int = 240) -> str:
    """A line chart; `x_labels` names positions on the x axis (at most about 8 are shown)."""
    left, right, top, bottom = 56, 40, 36, 44
    xs = [x for ln in lines for x, _ in ln.points] + [x for ln in lines for x, _, _ in ln.band]
    ys = [y for ln in lines for _, y in ln.points] + [v for ln in lines for _, lo, hi in ln.band for v in (lo, hi)]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
           f"<title>{escape(title)}</title>",
           f'<text x="4" y="14" font-weight="bold">{escape(_fit(title, width - 8))}</text>']
    if not xs:
        out.append(f'<text x="{left}" y="{height // 2}">Ingen data</text></svg>')
        return "\n".join(out)
    ticks = nice_ticks(min(ys), max(ys))
    x0, x1 = min(xs), max(xs)
    if x0 == x1:
        x0, x1 = x0 - 1, x1 + 1
    y0, y1 = ticks[0], ticks[-1]
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + ph - (y - y0) / (y1 - y0) * ph

    for t in ticks:
        out.append(f'<line x1="{left}" y1="{_f(py(t))}" x2="{width - right}" y2="{_f(py(t))}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{_f(py(t) + 4)}" text-anchor="end">{danish_number(t)}</text>')
    if unit:
        out.append(f'<text x="4" y="{top - 10}">{escape(unit)}</text>')
    shown = sorted(k for k in x_labels if x0 <= k <= x1)
    every = max(1, math.ceil(len(shown) / 8))
    for i, k in enumerate(shown):
        if i % every == 0 or i == len(shown) - 1:
            out.append(f'<text x="{_f(px(k))}" y="{height - bottom + 16}" text-anchor="middle">'
                       f"{escape(x_labels[k])}</text>")
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{width - right}" y2="{top + ph}" stroke="#888"/>')
    dash = {"solid": "", "dashed": ' stroke-dasharray="6 4"', "dotted": ' stroke-dasharray="2 3"'}
    legend_x = left
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
        ly = height - 10
        out.append(f'<line x1="{legend_x}" y1="{ly - 4}" x2="{legend_x + 18}" y2="{ly - 4}" stroke="{ln.color}" '
                   f'stroke-width="2"{dash[ln.style]}/>')
        out.append(f'<text x="{legend_x + 22}" y="{ly}">{escape(ln.label)}</text>')
        legend_x += 30 + 7 * len(ln.label)
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "", width: int = 560) -> str:
    """Horizontal bars in the order given (a ranking: best first), each with its value."""
    label_w, row, top = 190, 22, 28
    height = top + row * max(1, len(bars)) + 12
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
           f"<title>{escape(title)}</title>",
           f'<text x="4" y="16" font-weight="bold">{escape(_fit(title, width - 8))}</text>']
    if not bars:
        out.append(f'<text x="4" y="{top + 14}">Ingen data</text></svg>')
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


def goal_chart(title: str, history: Sequence[Observation], forecast: GoalForecast | None = None,
               unit: str = "") -> str:
    """A goal's KPI over time, with the forecast drawn as a dashed projection to the end of the
    target period, its 80 % interval as a widening band, and what the target requires then."""
    if not history:
        return line_chart([], title=title, x_labels={}, unit=unit)
    grain = history[-1].period_obj.grain
    obs = [o for o in history if o.period_obj.grain == grain]
    points = [(float(period_index(o.period_obj)), o.value) for o in obs]
    labels = {float(period_index(o.period_obj)): o.period for o in obs}
    lines = [Line("Faktisk", points)]
    fc = forecast.forecast if forecast else None
    if forecast and fc and fc.value is not None and fc.period and fc.method != "observed":
        at = float(period_index(Period.parse(fc.period)))
        last_x, last_y = points[-1]
        low = fc.low if fc.low is not None else fc.value
        high = fc.high if fc.high is not None else fc.value
        lines.append(Line(f"Prognose {fc.period}", [(last_x, last_y), (at, fc.value)], "dashed", COLORS[1],
                          markers=False, band=[(last_x, last_y, last_y), (at, low, high)]))
        labels[at] = fc.period
    if forecast and forecast.required is not None and fc and fc.period:
        at = float(period_index(Period.parse(fc.period)))
        start = min(points[-1][0], at - 1)
        lines.append(Line(f"Krav {danish_number(forecast.required)}", [(start, forecast.required),
                                                                         (at, forecast.required)],
                          "dotted", COLORS[2], markers=False))
        labels.setdefault(at, fc.period)
    return line_chart(lines, title=title, x_labels=labels, unit=unit)
