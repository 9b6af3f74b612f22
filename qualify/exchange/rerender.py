"""Render the stored HTML of the exchange again from what people wrote, after an upgrade changed the renderer.

Posts, waiting changes, space descriptions and minutes are rendered once when saved (exchange.text); the words
stay as written, only the HTML derived from them is made anew. Read in batches of ids, written back by primary key.
"""

from sqlalchemy import select, update

from qualify.exchange.minutes_text import SECTIONS, render_minutes
from qualify.exchange.models import ExchangeMinutes, ExchangePost, ExchangeSpace
from qualify.exchange.text import render_post_body
from qualify.extensions import db

BATCH = 500


def rerender_exchange() -> int:
    """Render every stored exchange text again; return how many HTML columns changed."""
    return _posts() + _space_descriptions() + _minutes()


def _posts() -> int:
    changed = 0
    columns = (ExchangePost.id, ExchangePost.body_source, ExchangePost.body_html, ExchangePost.revision_source,
               ExchangePost.revision_html)
    for rows in _batches(select(*columns).order_by(ExchangePost.id)):
        updates = []
        for post_id, body, body_html, revision, revision_html in rows:
            new = {}
            if (html := _render(body, body_html)) != body_html:
                new["body_html"] = html
            if revision is not None and (html := _render(revision, revision_html)) != revision_html:
                new["revision_html"] = html
            if new:
                updates.append({"id": post_id, **new})
                changed += len(new)
        _write(ExchangePost, updates)
    return changed


def _space_descriptions() -> int:
    updates = [{"id": space_id, "description_html": html}
               for space_id, source, stored in db.session.execute(
                   select(ExchangeSpace.id, ExchangeSpace.description_source, ExchangeSpace.description_html))
               if (html := _render(source, stored)) != stored]
    _write(ExchangeSpace, updates)
    return len(updates)


def _minutes() -> int:
    changed = 0
    for minutes in db.session.scalars(select(ExchangeMinutes).order_by(ExchangeMinutes.id)):
        body = str(render_minutes({field: getattr(minutes, field) or "" for field, _label in SECTIONS}))
        if body != minutes.body_html:
            minutes.body_html, changed = body, changed + 1
        if minutes.published_texts is not None:
            published = str(render_minutes(minutes.published_texts))
            if published != minutes.published_html:
                minutes.published_html, changed = published, changed + 1
    db.session.flush()
    return changed


def _render(text: str, stored: str) -> str:
    """The text rendered anew; an empty one (a deleted post's, a space without description) as it is stored."""
    return str(render_post_body(text)) if text.strip() else stored


def _batches(statement):
    """The rows of `statement` BATCH at a time (keyset on the first column, the id)."""
    last_id = 0
    while rows := db.session.execute(statement.where(statement.selected_columns[0] > last_id).limit(BATCH)).all():
        yield rows
        last_id = rows[-1][0]


def _write(model, updates: list[dict]) -> None:
    if updates:
        db.session.execute(update(model), updates)  # ORM bulk UPDATE by primary key
