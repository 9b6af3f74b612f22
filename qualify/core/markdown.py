"""The one Markdown renderer of Qualify: CommonMark plus a few extensions, safe on hostile input."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from qualify.core.text import spelt_out

if TYPE_CHECKING:  # the parser loads on the first render: pages show stored HTML, only saving renders
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MAX_LENGTH = 100_000  # about 15,000 words; far beyond any module, and renders in about a second at worst
# Each list level costs two nesting levels, so 24 allows about ten levels of lists in a quote,
# while keeping the recursive block parser far from Python's recursion limit.
MAX_NESTING = 24

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
EXTERNAL_SCHEMES = frozenset({"http", "https"})
# The box names an author may write, German or English, and the box each stands for (its CSS class).
CALLOUTS = {"hinweis": "hinweis", "note": "hinweis", "warnung": "warnung", "warning": "warnung"}
# Labels written into the HTML in the language of the course, not of the reader: the HTML is rendered once, stored.
LABELS = {
    "de": {"hinweis": "Hinweis", "warnung": "Warnung", "table": "Tabelle {number}, seitlich verschiebbar",
           "titled_table": "Tabelle „{title}“, seitlich verschiebbar",
           "footnote_back": "Zurück zum Text (Fußnote {number})", "task_done": "abgehakt",
           "task_open": "nicht abgehakt"},
    "en": {"hinweis": "Note", "warnung": "Warning", "table": "Table {number}, scrolls sideways",
           "titled_table": "Table “{title}”, scrolls sideways",
           "footnote_back": "Back to the text (footnote {number})", "task_done": "ticked",
           "task_open": "not ticked"},
}
# Ids the pages that show rendered text use themselves: a heading never takes one of them (nor a numbered one of
# the editor's lines, a quiz's questions, a thread's posts or the footnotes), or a link to it would lead elsewhere.
_EDITOR_FIELDS = ("text", "note", "base", "number", "slug", "title", "kind", "file", "name", "email")
RESERVED_IDS = frozenset({
    "inhalt", "hauptnavigation",  # base.html: the skip link's target, the menu button's places
    "ansage",  # the status region static/js/app.js adds to say a message present at load
    "module-heading", "activity-heading", "course-progress", "sessions-heading",  # course and module pages
    # the editor, whose preview shows the text among its sections and form fields (with their hints and errors)
    "module", "medien", "medien-heading", "fragen", "fragen-heading", "verantwortliche", "verantwortliche-heading",
    "kursdatei-heading", "neuer-kurs", "neuer-kurs-heading", "probleme", "quelltext-heading", "vorschau",
    "vorschau-heading", "vorschau-status", "entwurf-heading", "fragen-umbenennen", *_EDITOR_FIELDS,
    *(f"{name}-hint" for name in _EDITOR_FIELDS), *(f"{name}-error" for name in _EDITOR_FIELDS),
    "antworten", "nicht-gesendet",  # an exchange thread
    "gespraeche", "termine", "protokolle",  # an exchange space, which shows its module's text
    "kurse-caption", "versionen-caption",  # the trainers' list of courses and a module's versions (authoring/)
})
_NUMBERED_ID_RE = re.compile(r"(zeile|frage|beitrag|progress)-[0-9]+(-text|-von)?|fn(ref)?[0-9]+")

_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_SAFE_DATA_IMAGE_RE = re.compile(r"^data:image/(png|gif|jpeg|webp)[;,]")
# Browsers ignore ASCII control characters and whitespace inside a scheme ("java\tscript:").
_IGNORED_IN_SCHEME_RE = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")

_render_count = 0


class MarkdownTooLarge(ValueError):
    """The document is longer than the renderer accepts."""


def too_long(length: int, limit: int) -> str:
    """Say that a text is too long, its numbers written as the reader's language writes them (200.211; 200,211)."""
    return _("Der Text ist zu lang (%(length)s Zeichen). Erlaubt sind höchstens %(limit)s Zeichen.",
             length=format_decimal(length), limit=format_decimal(limit))


def render_markdown(text: str, *, resolve_link: Callable[[str], str] | None = None, language: str = "de") -> Markup:
    """Render Markdown to safe HTML; `resolve_link` rewrites path-relative link and image URLs; the labels of
    callouts and tables are in `language` (de or en; German for any other)."""
    if len(text) > MAX_LENGTH:
        raise MarkdownTooLarge(too_long(len(text), MAX_LENGTH))
    env = {"resolve_link": resolve_link, "labels": LABELS.get(language, LABELS["de"])}
    tokens = _parse(text, env)
    md = _markdown()
    # Safe to mark: html=False escapes raw HTML and is_safe_url vets every href and src.
    return Markup(md.renderer.render(tokens, md.options, env))  # noqa: S704


def render_plain(text: str) -> Markup:
    """Escape plain text and keep its line breaks as <br>."""
    lines = re.split(r"\r\n|\r|\n", text)
    return Markup("<br>\n").join(escape(line) for line in lines)


def render_count() -> int:
    """Return how often the Markdown parser has run in this process (for tests and metrics)."""
    return _render_count


def _parse(text: str, env: dict) -> list[Token]:
    """Run the parser: the single place every rendering goes through."""
    global _render_count
    _render_count += 1
    return _markdown().parse(text, env)


@cache
def _markdown() -> MarkdownIt:
    """Build the configured parser once; building it is expensive."""
    md = _syntax()
    md.core.ruler.push("qualify_anchors", _anchor_headings)
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    md.core.ruler.push("qualify_links", _rewrite_links)
    md.core.ruler.push("qualify_alignment", _align_cells)
    md.core.ruler.push("qualify_table_names", _name_tables)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    md.add_render_rule("footnote_anchor", _render_footnote_back)
    return md


@cache
def _link_finder() -> MarkdownIt:
    """The same syntax, but every link kept as written: so that checking a text can name the links that
    rendering it drops (`javascript:` …), with their lines. Never used to render."""
    md = _syntax()
    md.validateLink = lambda _url: True  # type: ignore[method-assign]
    return md


def _syntax() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.core.ruler.after("inline", "qualify_task_lists", _mark_tasks)
    md.use(footnote_plugin)
    for name in CALLOUTS:
        md.use(container_plugin, name, validate=_callout_validator(name), render=_render_callout)
    return md


# A task list ("- [ ] Helm aufsetzen", "- [x] Schuhe an") shows each item's state as a sign, ☐ or ☑, and says it
# in words the sign stands for (for screen readers, which skip the sign). Not as checkboxes: one on a page that
# nobody can tick looked tappable and did nothing, was announced "nicht verfügbar" and drawn dimmed, its tick hard
# to see; and it made a label of the item, links and all. GFM's syntax: "[ ]", "[x]" or "[X]", then white space.
_TASK_RE = re.compile(r"\[([ xX])\][ \t\n\v\f\r]+")
_TASK_MARK = '<span class="task-mark" aria-hidden="true">{sign}</span> <span class="visually-hidden">{state}: </span>'
_TASK_SIGNS = {True: "\u2611\ufe0e", False: "\u2610"}  # ☑ as text, never the emoji


def _mark_tasks(state) -> None:
    """Turn each list item whose first paragraph starts with "[ ] " or "[x] " into a task (see _TASK_RE)."""
    from markdown_it.token import Token

    labels = state.env.get("labels") or LABELS["de"]
    tokens = state.tokens
    for index in range(2, len(tokens)):
        inline, item = tokens[index], tokens[index - 2]
        first = inline.children[0] if inline.type == "inline" and inline.children else None
        if (item.type != "list_item_open" or tokens[index - 1].type != "paragraph_open" or first is None
                or first.type != "text" or not (match := _TASK_RE.match(first.content))):
            continue
        done = match.group(1) != " "
        first.content = first.content[match.end():]
        mark = Token("html_inline", "", 0)
        mark.content = _TASK_MARK.format(sign=_TASK_SIGNS[done],
                                         state=html.escape(labels["task_done" if done else "task_open"]))
        inline.children.insert(0, mark)
        item.attrSet("class", "task-list-item task-done" if done else "task-list-item task-open")
        _enclosing_list(tokens, index - 2).attrSet("class", "contains-task-list")


def _enclosing_list(tokens: Sequence[Token], item: int) -> Token:
    level = tokens[item].level - 1
    return next(tokens[i] for i in range(item - 1, -1, -1) if tokens[i].level == level)


# The alignment of a table column (":-:", "--:") as a class of the stylesheet: markdown-it writes it as a style
# attribute, which the content security policy (style-src 'self') blocks.
ALIGN_CLASSES = {"text-align:left": "align-left", "text-align:center": "align-center",
                 "text-align:right": "align-right"}


def _align_cells(state) -> None:
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs:
            style = token.attrs.pop("style", None)
            if style in ALIGN_CLASSES:
                token.attrSet("class", ALIGN_CLASSES[style])


# A wide table scrolls sideways inside its own box instead of widening the page on a phone; the box can take
# the keyboard focus, so that it can be scrolled without a mouse (WCAG 2.1.1; axe: scrollable-region-focusable).
# Regions of one page need names of their own (axe: landmark-unique): a box is named after the heading its table
# stands under, else numbered in its text.
TABLE_BOX = '<div class="table-scroll" tabindex="0" role="region" aria-label="{label}">\n'


def _name_tables(state) -> None:
    """Name each table's box after the heading it stands under ("Tabelle „Aufbau“, seitlich verschiebbar"), when
    it is the first table there and no box of the text has that name yet; else by its number ("Tabelle 2, …").
    Markdown tables have no caption of their own: the heading is what a sighted reader takes as their title."""
    labels = state.env.get("labels") or LABELS["de"]
    heading, number, taken = "", 0, set()
    for index, token in enumerate(state.tokens):
        if token.type == "heading_open":
            heading = _plain_heading(state.tokens[index + 1])
        elif token.type == "table_open":
            number += 1
            label = labels["titled_table"].format(title=heading) if heading else ""
            if not label or label in taken:
                label = labels["table"].format(number=number)
            taken.add(label)
            token.meta["label"] = label
            heading = ""  # a second table under the same heading is only numbered


def _plain_heading(inline: Token) -> str:
    """The words of a heading, without its Markdown (emphasis, code marks) and with its lines joined."""
    words = "".join(child.content if child.type in ("text", "code_inline") else " "
                    for child in _walk(inline.children or []) if child.type in ("text", "code_inline", "softbreak"))
    return " ".join(words.split())


def _render_table_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    label = tokens[idx].meta.get("label") or env["labels"]["table"].format(number=1)
    return TABLE_BOX.format(label=html.escape(label)) + self.renderToken(tokens, idx, options, env)


def _render_table_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _render_footnote_back(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    """The link from a footnote back to where it is cited, named in words: a screen reader read out only "↩"."""
    number = tokens[idx].meta["id"] + 1
    ident = str(number) + (f":{tokens[idx].meta['subId']}" if tokens[idx].meta["subId"] > 0 else "")
    label = html.escape(env["labels"]["footnote_back"].format(number=number))
    return f' <a href="#fnref{ident}" class="footnote-backref" aria-label="{label}">\u21a9\ufe0e</a>'


def is_safe_url(url: str) -> bool:
    """Allow http(s), mailto, tel, relative and fragment URLs, and data: only for images."""
    scheme = url_scheme(url)
    if scheme is None:
        return True
    return scheme in SAFE_SCHEMES or (scheme == "data" and _is_safe_data_image(url))


def url_scheme(url: str) -> str | None:
    """Return the scheme a browser would see, after undoing entity, percent and whitespace tricks."""
    decoded = url
    for _round in range(3):
        decoded = html.unescape(unquote(decoded))
    match = _SCHEME_RE.match(_IGNORED_IN_SCHEME_RE.sub("", decoded).lower())
    return match.group(1) if match else None


def slugify(title: str) -> str:
    """Turn a heading into an id: lowercase ASCII, umlauts spelt out (Übersicht → uebersicht)."""
    text = spelt_out(title.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "abschnitt"


def _anchor_headings(state) -> None:
    """Give headings of levels 1 to 4 an id from their text; an id taken already, or reserved by the page
    layout, gets a number: "## Inhalt" becomes inhalt-1, a second "## Ziele" ziele-1."""
    taken: set[str] = set()
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open" or int(token.tag[1]) > 4:
            continue
        title = "".join(child.content for child in state.tokens[index + 1].children or []
                        if child.type in ("text", "code_inline"))
        token.attrSet("id", _unique_id(slugify(title), taken))


def _unique_id(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 0
    while candidate in taken or candidate in RESERVED_IDS or _NUMBERED_ID_RE.fullmatch(candidate):
        number += 1
        candidate = f"{slug}-{number}"
    taken.add(candidate)
    return candidate


def _is_safe_data_image(url: str) -> bool:
    return bool(_SAFE_DATA_IMAGE_RE.match(_IGNORED_IN_SCHEME_RE.sub("", unquote(url)).lower()))


def _rewrite_links(state) -> None:
    """Resolve relative URLs, drop data: on links and mark external links."""
    resolve_link = state.env.get("resolve_link")
    for token in _walk(state.tokens):
        if token.type == "link_open":
            _fix_link(token, resolve_link)
        elif token.type == "image":
            _fix_image(token, resolve_link)


def _walk(tokens: Sequence[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _fix_link(token: Token, resolve_link: Callable[[str], str] | None) -> None:
    href = str(token.attrGet("href") or "")
    scheme = url_scheme(href)
    if scheme == "data":
        del token.attrs["href"]
    elif scheme in EXTERNAL_SCHEMES or href.startswith("//"):
        token.attrSet("rel", "noopener noreferrer")
    elif scheme is None and resolve_link and _is_path_relative(href):
        token.attrSet("href", resolve_link(href))


def _fix_image(token: Token, resolve_link: Callable[[str], str] | None) -> None:
    src = str(token.attrGet("src") or "")
    if url_scheme(src) is None and resolve_link and _is_path_relative(src):
        token.attrSet("src", resolve_link(src))


def _is_path_relative(url: str) -> bool:
    # "/static/x", "//host/x", "#anchor" and "?q" already point where the author meant.
    return bool(url) and url[0] not in "/#?"


def _callout_validator(name: str) -> Callable[..., bool]:
    """Match `::: hinweis` and `::: Hinweis` alike (and `::: note`, `::: Note`)."""
    return lambda params, *_args: params.strip().split(" ", 1)[0].lower() == name


def _render_callout(self, tokens: Sequence[Token], idx: int, _options, env) -> str:
    """Render `::: hinweis [Titel]` / `::: warnung [Titel]` (or `note` / `warning`) as a labelled note box."""
    from markdown_it.common.utils import escapeHtml

    token = tokens[idx]
    if token.nesting != 1:
        return "</div>\n"
    name, _space, custom_title = token.info.strip().partition(" ")
    box = CALLOUTS[name.lower()]
    title = custom_title.strip() or env["labels"][box]
    return (f'<div class="callout callout-{box}" role="note">\n'
            f'<p class="callout-title"><strong>{escapeHtml(title)}</strong></p>\n')


@dataclass(frozen=True)
class Link:
    """A link or an image of a text, as written (before the renderer vets and resolves it)."""

    line: int  # 0-based, in the text
    url: str
    image: bool

    @property
    def relative(self) -> bool:
        """Points to a file of the course (`medien/bild.png`, `02-akku.md`): its target must exist."""
        return url_scheme(self.url) is None and _is_path_relative(self.url)

    @property
    def dropped(self) -> bool:
        """Rendering leaves it out: a scheme other than http(s), mailto and tel (`javascript:`), or data: on a
        link (images may be data:image/png and the like)."""
        return not is_safe_url(self.url) or (not self.image and url_scheme(self.url) == "data")


def links(text: str) -> list[Link]:
    """List every link and image of a text with its line, those the renderer drops included."""
    found = []
    for block in _link_finder().parse(text[:MAX_LENGTH], {}):
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] if block.map else 0
        for token in _walk(block.children):
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            elif token.type in ("link_open", "image"):
                url = str(token.attrGet("href") or token.attrGet("src") or "")
                found.append(Link(line, url, image=token.type == "image"))
    return found


def relative_links(text: str) -> list[tuple[int, str]]:
    """List (0-based line, url) of every path-relative link and image, for checking that targets exist."""
    return [(link.line, link.url) for link in links(text) if link.relative]
