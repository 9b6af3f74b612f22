"""The minutes of a session as written: the record, its four sections, rendered once on save and shown in the
reader's language."""

import re

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from qualify.exchange.models import ExchangeMinutes
from qualify.exchange.text import render_post_body
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession

SECTIONS = (("topics", "Besprochene Themen"), ("outcomes", "Ergebnisse"), ("open_questions", "Offene Fragen"),
            ("next_steps", "Nächste Schritte"))
REDACTED = "[Name entfernt]"


def minutes_of(session: WorkshopSession) -> ExchangeMinutes | None:
    """Return the minutes of a session, or None."""
    return db.session.scalar(select(ExchangeMinutes).where(ExchangeMinutes.session_id == session.id))


def texts_of(minutes: ExchangeMinutes) -> dict[str, str]:
    """The four sections of the minutes by field."""
    return {field: getattr(minutes, field) or "" for field, _label in SECTIONS}


def render_minutes(fields: dict[str, str]) -> Markup:
    """Render the four sections once, each under its heading (named for in_readers_language)."""
    parts = []
    for field, label in SECTIONS:
        text = (fields.get(field) or "").strip()
        if text:
            parts.append(Markup('<h3 data-section="{}">{}</h3>\n').format(field, _(label)) + render_post_body(text))
    return Markup("\n").join(parts) if parts else escape("")


_SECTION_HEADING = re.compile(r'<h3 data-section="(\w+)">[^<]*</h3>')
_LABELS = dict(SECTIONS)


def in_readers_language(body_html: str, level: int = 3) -> Markup:
    """The minutes as rendered when saved, their headings in the reader's language rather than the writer's, at
    the `level` the page needs below its own heading of the minutes, and a name the erasure of an account took
    out (REDACTED) said in the reader's language too."""
    level = min(max(level, 2), 6)

    def heading(match: re.Match) -> str:
        field = match.group(1)
        if field not in _LABELS:
            return match.group(0)
        return str(Markup('<h{} data-section="{}">{}</h{}>').format(level, field, _(_LABELS[field]), level))

    # The HTML is ours, rendered safe from the Markdown when the minutes were saved; only headings are replaced,
    # and the placeholder for a name, which the rendering kept as written.
    html = _SECTION_HEADING.sub(heading, body_html).replace(REDACTED, str(escape(_("[Name entfernt]"))))
    return Markup(html)  # noqa: S704
