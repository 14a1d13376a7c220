"""Small bar charts as inline SVG: no script, no library, readable without colour.

Every bar carries its number as text, and the chart has a title and a description for
screen readers, so the chart says what it shows even in high-contrast mode or printed
in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_HEIGHT = 34
LABEL_WIDTH = 230
BAR_AREA = 460
VALUE_GAP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    """The number as printed beside the bar ("12", "8 %")."""


def bar_chart(title: str, bars: Sequence[Bar], *, empty_text: str) -> Markup:
    """A horizontal bar chart; `empty_text` is shown when there is nothing to draw."""
    if not bars or all(b.value == 0 for b in bars):
        return Markup('<p class="chart-empty">{}</p>').format(empty_text)
    top = max(b.value for b in bars) or 1
    width = LABEL_WIDTH + BAR_AREA + 90
    height = BAR_HEIGHT * len(bars) + 8
    key = f"chart-{abs(hash(title)) % 10**8}"
    summary = "; ".join(f"{b.label}: {b.shown}" for b in bars)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{key}-t">{escape(title)}</title>',
        f'<desc id="{key}-d">{escape(summary)}</desc>',
    ]
    for n, bar in enumerate(bars):
        y = 4 + n * BAR_HEIGHT
        length = max(2.0, BAR_AREA * bar.value / top) if bar.value else 0
        label_x, value_x, text_y = LABEL_WIDTH - 10, LABEL_WIDTH + length + VALUE_GAP, y + 23
        parts.append(
            f'<text x="{label_x}" y="{text_y}" text-anchor="end" class="chart-label">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{BAR_HEIGHT - 10}" class="chart-bar"/>'
            f'<text x="{value_x:.1f}" y="{text_y}" class="chart-value">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
