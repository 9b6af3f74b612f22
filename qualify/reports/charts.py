"""Charts drawn on the server as SVG: no script, readable by screen readers, with a table beside them.

Withheld values get no bar at all (a bar of any height would hint at the value), only the "< K" label.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
TOP, BOTTOM, LEFT, RIGHT = 28, 48, 16, 16
MAX_LABEL = 14


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: withheld
    text: str  # what is written above the bar, e.g. "12 (40 %)" or "< 5"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def has_bars(bars: list[Bar]) -> bool:
    """Tell whether a chart of these bars would draw any: with every value withheld it would be labels only."""
    return any(bar.value is not None for bar in bars)


def bar_chart(bars: list[Bar], *, title: str, description: str, ident: str, scale: float | None = None) -> Markup:
    """Return an SVG bar chart with a title and a description tied to it for assistive technology.

    The bars are scaled to `scale` (shares: 1, so that a bar's height is its share of the whole height), or to the
    largest value when none is given.
    """
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    highest = scale or max((bar.value for bar in bars if bar.value is not None), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_height}" '
        'stroke="#4a5560" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        x = LEFT + index * slot
        centre = x + slot / 2
        base = TOP + plot_height
        if bar.value is not None:
            height = plot_height * min(bar.value / highest, 1)
            parts.append(
                f'<rect x="{x + slot * 0.15:.1f}" y="{base - height:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{height:.1f}" fill="#0b5394"/>'
            )
            label_y = base - height - 6
        else:
            label_y = base - 6
        parts.append(
            f'<text x="{centre:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="12" '
            f'fill="#1b1f24">{escape(bar.text)}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{base + 18}" text-anchor="middle" font-size="12" '
            f'fill="#1b1f24">{escape(_short(bar.label))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text in it went through escape())
