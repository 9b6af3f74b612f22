"""Charts drawn on the server as SVG: no script, readable by screen readers, with a table beside them.

Withheld values get no bar at all (a bar of any height would hint at the value), only the "< K" label. A bar's name
is written in full under it, on as many lines as its slot needs (SVG text does not wrap by itself): cut to a few
letters, "Qualitätssic…" and "Qualitätssic…" could not be told apart, nor found in the table beside.

Read as text – copied, in a text browser, by a tool that reads the page's words – each name comes before its
figure and every text stands on a line of its own ("Werk A", "12 (40 %)", "Werk B", …), never run together as
"Werk A12 (40 %)Werk B"; a name broken between words keeps the space between them (see name_spans).

More groups than MOST_COLUMNS do not stand side by side (thirty columns left each name two letters a line): they
are drawn as rows (row_chart), each name on the left, its figure beside it and its bar to the right – on a phone
the names and figures are in sight before the box is scrolled to the bars.
"""

import math
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
TOP, BOTTOM, LEFT, RIGHT = 28, 48, 16, 16
# A name's lines: at most this wide a letter on average (0.6 em of the 14 units the phone's stylesheet sets, the
# larger of the two sizes), this far apart, the first this far under the axis.
LETTER_WIDTH = 8.4
LINE_HEIGHT = 16
FIRST_LINE = 18
# Up to this many bars stand side by side, each name under its bar on lines of at least eleven letters.
MOST_COLUMNS = 6
# A row chart: the names' column (from LEFT), the figures' column (written to end at FIGURE_END), then the bars.
NAME_WIDTH = 190
FIGURE_END = LEFT + NAME_WIDTH + 84  # "geschützt" at the phone's 14 units, and room to the name: in sight at 320 px
BAR_START = FIGURE_END + 12
ROW_HEIGHT = 26  # one line of a name; a name of more lines makes its row taller by LINE_HEIGHT each
ROW_TOP = 12
BAR_THICKNESS = 14
# A word broken inside itself: label_lines ends the line in a soft hyphen, and name_spans draws a hyphen after the
# line's letters that is no part of the text – hidden from assistive technology and left out when the name is
# selected and copied (reports.css) – so that a copied name reads "Qualitätssicherung", never "Qualitätssic-herung".
# Not the soft hyphen itself in the SVG: SVG text never wraps, so a browser never shows it, and it would be copied
# into the text as an invisible character that a search for the word then misses. Nor CSS hyphens/overflow-wrap,
# which SVG text ignores.
SOFT_HYPHEN = "\u00ad"
BROKEN_WORD = '<tspan class="chart-hyphen" aria-hidden="true">-</tspan>'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: withheld
    text: str  # what is written above the bar, e.g. "12 (40 %)" or "< 5"


def label_lines(label: str, width: float) -> list[str]:
    """The name of a bar in lines that fit `width` user units: broken between words, after a hyphen, and – a word
    longer than a line – inside the word, where the line ends in a soft hyphen (drawn as a hyphen by name_spans)."""
    letters = max(int(width // LETTER_WIDTH), 2)
    lines: list[str] = []
    line = ""
    for word in label.split():
        pieces = []
        for part in re.split(r"(?<=-)", word):  # "Hochvolt-Labor" may break after its hyphen
            if len(part) > letters:  # in pieces of about the same length, each but the last with a hyphen
                size = math.ceil(len(part) / math.ceil(len(part) / (letters - 1)))
                chunks = [part[start:start + size] for start in range(0, len(part), size)]
                pieces.extend([chunk + SOFT_HYPHEN for chunk in chunks[:-1]] + chunks[-1:])
            elif part:
                pieces.append(part)
        for number, piece in enumerate(pieces):
            joined = line + ("" if number or not line else " ") + piece
            if line and len(joined) > letters:
                lines.append(line)
                line = piece
            else:
                line = joined
    return [*lines, line] if line else lines


def name_spans(label: str, lines: list[str], x: float) -> str:
    """The lines of a name as tspans starting at x, one under the other; where a line ends between two words, a
    space follows it, so that the name read as text is "Digitale Fabrik", not "DigitaleFabrik"; where it ends inside
    a word, a hyphen is drawn (BROKEN_WORD), so that the word read as text is whole: "Qualitätssicherung"."""
    name, position, spans = " ".join(label.split()), 0, []
    for number, line in enumerate(lines):
        letters = line.removesuffix(SOFT_HYPHEN)  # the name's next letters
        position += len(letters)
        between_words = position < len(name) and name[position] == " "
        position += between_words
        spans.append(f'<tspan x="{x:.1f}" dy="{0 if number == 0 else LINE_HEIGHT}">{escape(letters)}</tspan>'
                     + (BROKEN_WORD if letters != line else "")
                     + (" " if between_words and number < len(lines) - 1 else ""))
    return "".join(spans)


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
    names = [label_lines(bar.label, slot * 0.92) for bar in bars]
    # Taller than HEIGHT where a name needs more than the two lines BOTTOM holds; the plot keeps its height.
    lines = max((len(name) for name in names), default=1)
    height = max(HEIGHT, math.ceil(TOP + plot_height + FIRST_LINE + (lines - 1) * LINE_HEIGHT + 10))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_height}" '
        'stroke="#4a5560" stroke-width="1"/>',
    ]
    for index, (bar, name) in enumerate(zip(bars, names, strict=True)):
        x = LEFT + index * slot
        centre = x + slot / 2
        base = TOP + plot_height
        bar_height = None if bar.value is None else plot_height * min(bar.value / highest, 1)
        # The name first, then its figure: read as text, "Werk A" then "12", wherever they stand in the picture.
        parts.append(
            f'<text class="chart-name" x="{centre:.1f}" y="{base + FIRST_LINE}" text-anchor="middle" font-size="12" '
            f'fill="#1b1f24">{name_spans(bar.label, name, centre)}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{base - (bar_height or 0) - 6:.1f}" text-anchor="middle" font-size="12" '
            f'fill="#1b1f24">{escape(bar.text)}</text>'
        )
        if bar_height is not None:
            parts.append(
                f'<rect x="{x + slot * 0.15:.1f}" y="{base - bar_height:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{bar_height:.1f}" fill="#0b5394"/>'
            )
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704  (every text in it went through escape())


def row_chart(bars: list[Bar], *, title: str, description: str, ident: str, scale: float | None = None) -> Markup:
    """Return an SVG chart of one row per bar, named on the left, with a title and a description tied to it for
    assistive technology; the bars scaled as in bar_chart. For many bars, whose names need their width."""
    length = WIDTH - RIGHT - BAR_START
    highest = scale or max((bar.value for bar in bars if bar.value is not None), default=0) or 1
    names = [label_lines(bar.label, NAME_WIDTH) for bar in bars]
    heights = [ROW_HEIGHT + (max(len(name), 1) - 1) * LINE_HEIGHT for name in names]
    height = ROW_TOP * 2 + sum(heights)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<line x1="{BAR_START}" y1="{ROW_TOP}" x2="{BAR_START}" y2="{height - ROW_TOP}" '
        'stroke="#4a5560" stroke-width="1"/>',
    ]
    top = ROW_TOP
    for bar, name, row in zip(bars, names, heights, strict=True):
        middle = top + row / 2
        first = middle - (len(name) - 1) * LINE_HEIGHT / 2 + 4  # the baseline of the name's first line
        parts.append(
            f'<text class="chart-name" x="{LEFT}" y="{first:.1f}" font-size="12" '
            f'fill="#1b1f24">{name_spans(bar.label, name, LEFT)}</text>'
        )
        parts.append(
            f'<text x="{FIGURE_END}" y="{middle + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1b1f24">{escape(bar.text)}</text>'
        )
        if bar.value is not None:
            parts.append(
                f'<rect x="{BAR_START}" y="{middle - BAR_THICKNESS / 2:.1f}" '
                f'width="{length * min(bar.value / highest, 1):.1f}" height="{BAR_THICKNESS}" fill="#0b5394"/>'
            )
        top += row
    parts.append("</svg>")
    return Markup("\n".join(parts))  # noqa: S704  (every text in it went through escape())
