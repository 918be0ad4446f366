"""The deflection chart: a server-rendered, accessible SVG (no script, no inline style)."""

from __future__ import annotations

import html
import math
import re
from typing import Sequence

from kb.ops.insights.results import DeflectionPoint


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(x: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _pct(rate: float) -> str:
    return f"{math.floor(rate * 100 + 0.5)} %"   # half up: 12.5 % -> 13 %, not banker's 12 %


def deflection_svg(points: Sequence[DeflectionPoint], width: int = 640, height: int = 220,
                   labels: Sequence[str] | None = None, *, title: str = "Deflection rate",
                   description: str | None = None, no_data: str = "no data",
                   id_prefix: str = "deflection-chart") -> str:
    """Server-rendered, accessible SVG bar chart of the deflection rate per bucket.

    Why server-rendered: the portal's CSP allows neither inline scripts nor
    inline styles, and editors should see the chart without JavaScript. So
    the markup uses presentation attributes only (``fill``, ``stroke``,
    ``font-size``), no ``style=``, no script, no external resources.

    Accessibility: ``role="img"`` with ``aria-labelledby`` pointing to the
    ``<title>`` and a ``<desc>`` that lists every bucket's value (or
    ``no_data``), so screen-reader users get the data, not only "a chart".
    Each bar also has its own ``<title>`` as a tooltip.

    ``labels`` (one per point) default to each bucket's ``start`` date; when
    there are more buckets than fit, only every n-th label is printed on the
    axis (all of them stay in ``<desc>``). ``title``, ``description`` and
    ``no_data`` let the caller localise the texts; ``id_prefix`` must be
    unique per page when several charts are shown. Buckets whose rate is None
    are left empty (a gap), never drawn as 0 %. All text is escaped.
    """
    if labels is None:
        labels = [p.start for p in points]
    elif len(labels) != len(points):
        raise ValueError(f"{len(labels)} labels for {len(points)} points")
    width, height = max(int(width), 120), max(int(height), 80)
    prefix = _ID_UNSAFE.sub("-", id_prefix) or "deflection-chart"
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"

    if description is None:
        values = "; ".join(
            f"{label}: {_pct(p.rate)} ({p.helpful_searches}/{p.helpful_searches + p.contact_requests})"
            if p.rate is not None else f"{label}: {no_data}"
            for p, label in zip(points, labels))
        description = (f"{title}, 0–100 %, helpful searches / (helpful searches + contact requests). "
                       + (values + "." if values else f"{no_data}."))

    plot = _Plot(width, height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{plot.width}" height="{plot.height}" '
        f'viewBox="0 0 {plot.width} {plot.height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'class="kb-chart" font-family="sans-serif" font-size="11">',
        f'<title id="{title_id}">{_e(title)}</title>',
        f'<desc id="{desc_id}">{_e(description)}</desc>',
    ]
    out += _grid(plot)
    if points:
        out += _bars(plot, points, labels) + _axis_labels(plot, labels)
    else:
        out.append(f'<text x="{_num(plot.left + plot.plot_w / 2)}" y="{_num(plot.top + plot.plot_h / 2)}" '
                   f'text-anchor="middle" fill="#57606a">{_e(no_data)}</text>')
    out.append('</svg>')
    return "\n".join(out)


class _Plot:
    """The plot area inside the SVG: margins for the axis texts, and rate -> y."""

    left, right, top, bottom = 44, 10, 10, 26
    LABEL_WIDTH = 72   # pixels one axis label needs

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.plot_w, self.plot_h = width - self.left - self.right, height - self.top - self.bottom
        self.base_y = self.top + self.plot_h

    def y_of(self, rate: float) -> float:
        return self.base_y - max(0.0, min(1.0, rate)) * self.plot_h

    def slot(self, n: int) -> float:
        return self.plot_w / n


def _grid(plot: _Plot) -> list[str]:
    out = ['<g class="kb-chart-grid">']
    for step in (0, 25, 50, 75, 100):
        y = _num(plot.y_of(step / 100))
        out.append(f'<line x1="{plot.left}" y1="{y}" x2="{plot.left + plot.plot_w}" y2="{y}" '
                   f'stroke="{"#57606a" if step == 0 else "#d0d7de"}" stroke-width="1"/>')
        out.append(f'<text x="{plot.left - 6}" y="{y}" dy="0.32em" text-anchor="end" fill="#57606a">'
                   f'{step} %</text>')
    out.append('</g>')
    return out


def _bars(plot: _Plot, points: Sequence[DeflectionPoint], labels: Sequence[str]) -> list[str]:
    slot = plot.slot(len(points))
    bar_w = max(1.0, slot * 0.7)
    out = ['<g class="kb-chart-bars" fill="#1f6feb">']
    for i, (p, label) in enumerate(zip(points, labels)):
        if p.rate is None:
            continue
        x = plot.left + i * slot + (slot - bar_w) / 2
        h = max(plot.base_y - plot.y_of(p.rate), 1.5)   # a 0 % bucket stays visible, unlike a gap
        tip = f"{label}: {_pct(p.rate)}"
        out.append(f'<rect x="{_num(x)}" y="{_num(plot.base_y - h)}" width="{_num(bar_w)}" '
                   f'height="{_num(h)}"><title>{_e(tip)}</title></rect>')
    out.append('</g>')
    return out


def _axis_labels(plot: _Plot, labels: Sequence[str]) -> list[str]:
    """Every n-th label, as many as fit under the plot (all of them stay in ``<desc>``)."""
    n = len(labels)
    slot = plot.slot(n)
    every = max(1, -(-n // max(1, plot.plot_w // plot.LABEL_WIDTH)))   # ceil(n / labels that fit)
    out = ['<g class="kb-chart-labels" fill="#57606a" text-anchor="middle">']
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = plot.left + i * slot + slot / 2
        out.append(f'<text x="{_num(x)}" y="{_num(plot.base_y + 16)}">{_e(label)}</text>')
    out.append('</g>')
    return out
