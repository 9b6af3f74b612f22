"""Exchange sessions and their minutes.

The sessions themselves are workshop sessions (qualify.workshops: dates, seats, bookings, attendance; marking
someone present calls record_participation with via="exchange"). This module adds what only the exchange
needs: structured minutes, published to the space once a moderator approves them (here), their sections as text
(minutes_text), and each participant's agreement to be named in them (minutes_consent), which minutes_names
checks the text against.

Approved minutes keep their approved version (ExchangeMinutes.published_*) apart from the sections a moderator
writes in: a change saved since waits for approval while the space goes on showing the approved version; approved,
the change takes its place; rejected, the sections go back to it. A withdrawn consent reaches the approved version
at once (minutes_names).
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from qualify.exchange.errors import ExchangeError
from qualify.exchange.minutes_consent import consenting_ids
from qualify.exchange.minutes_names import check_names
from qualify.exchange.minutes_text import SECTIONS, minutes_of, render_minutes, texts_of
from qualify.exchange.models import ExchangeMinutes, ExchangeSpace
from qualify.exchange.moderation_log import log
from qualify.exchange.spaces import require_moderator
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession


def sessions_of(space: ExchangeSpace) -> list[WorkshopSession]:
    """The sessions planned for the space's module, latest first."""
    if space.module_id is None:
        return []
    stmt = (select(WorkshopSession).where(WorkshopSession.module_id == space.module_id)
            .order_by(WorkshopSession.starts_at.desc()))
    return list(db.session.scalars(stmt))


def save_minutes(session: WorkshopSession, space: ExchangeSpace, fields: dict[str, str], named_ids: list[int],
                 *, by, now: datetime, confirmed: str | None = None) -> ExchangeMinutes:
    """Write or change the minutes as a draft. A change of approved minutes needs approving too, and meanwhile
    the space shows the approved version. Saved as approved – the same sections, the same people named – they
    stay published (a change waiting is dropped): the caller tells by the status it returns with.

    Refused if the text names in full a participant who has not agreed to be named; NamesToConfirm (nothing
    saved) if a word of it is part of such a name, unless `confirmed` is that check's confirmation.
    """
    require_moderator(by, space)
    if session.module_id != space.module_id:
        raise ExchangeError(_("Dieser Termin gehört nicht zu diesem Raum."))
    texts = {field: (fields.get(field) or "").strip() for field, _label in SECTIONS}
    named_ids = sorted(set(named_ids))
    check_names(session, texts, named_ids, confirmed)
    minutes = minutes_of(session) or ExchangeMinutes(session_id=session.id, space_id=space.id)
    # Those who withdrew stay listed (the form does not offer them, nor are they shown): named if they agree again.
    agreed = consenting_ids(session)
    withdrawn = [i for i in minutes.named_user_ids or [] if i not in agreed]
    named = sorted({*named_ids, *withdrawn})
    if minutes.status == "published" and _same_text(texts_of(minutes), texts) and named == sorted(
            minutes.named_user_ids or []):
        return minutes  # saved again as approved (the form sent back as it was): nothing to approve again
    if minutes.has_waiting_change and _same_text(minutes.published_texts, texts) and named == sorted(
            minutes.published_named_ids or []):
        _back_to_approved(minutes)  # the change written back to what was approved: nothing left to decide
        db.session.flush()
        return minutes
    for field, text in texts.items():
        setattr(minutes, field, text)
    minutes.named_user_ids = named
    minutes.body_html = str(render_minutes(texts))
    # The approved version (published_*) stays: the space goes on showing it. Saved again, a draft or change keeps
    # waiting since it first came to wait.
    minutes.wait_for_approval(now=now)
    minutes.written_by_id, minutes.updated_at = by.id, now
    db.session.add(minutes)
    db.session.flush()
    return minutes


def _back_to_approved(minutes: ExchangeMinutes) -> None:
    """The sections and names as approved, the change dropped."""
    for field, _label in SECTIONS:
        setattr(minutes, field, (minutes.published_texts or {}).get(field) or "")
    minutes.body_html, minutes.named_user_ids = minutes.published_html, list(minutes.published_named_ids or [])
    minutes.status, minutes.waiting_since = "published", None


def _same_text(before: dict[str, str], after: dict[str, str]) -> bool:
    """Whether the sections say the same: a browser sends line breaks as CR LF, whatever they were saved as."""
    def lines(text: str) -> str:
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return all(lines(before.get(field)) == lines(after.get(field)) for field, _label in SECTIONS)


def publish_minutes(minutes: ExchangeMinutes, session: WorkshopSession, space: ExchangeSpace, *, by,
                    now: datetime, confirmed: str | None = None) -> None:
    """Approve the minutes (a change of approved ones: in place of the version shown so far): from now on every
    member of the space reads them. The names are checked as when saving (the consents may have changed since):
    refused, or NamesToConfirm unless `confirmed` – and the space goes on showing what it showed."""
    _expect_own(minutes, session, space, by=by)
    if minutes.status == "published":  # sent twice (a double click, a retry): approved, and logged, once
        return
    # The list of names is not checked: it may keep someone who withdrew, and is shown only as far as people agree.
    check_names(session, texts_of(minutes), [], confirmed)
    minutes.publish(texts_of(minutes), by_id=by.id, now=now)
    db.session.flush()
    # Said in the reader's language when the log is read (moderation_log.shown_reason).
    log(space, "publish_minutes", by=by, now=now, facts={"session_starts_at": session.starts_at.isoformat()})


def reject_change(minutes: ExchangeMinutes, session: WorkshopSession, space: ExchangeSpace, *, by,
                  now: datetime) -> bool:
    """Drop the change waiting beside approved minutes: the sections go back to the approved version, which the
    space has shown all along. False if no change waited (sent twice, or decided on meanwhile)."""
    _expect_own(minutes, session, space, by=by)
    if not minutes.has_waiting_change:
        return False
    _back_to_approved(minutes)
    db.session.flush()
    log(space, "reject_minutes_change", by=by, now=now, facts={"session_starts_at": session.starts_at.isoformat()})
    return True


def _expect_own(minutes: ExchangeMinutes, session: WorkshopSession, space: ExchangeSpace, *, by) -> None:
    require_moderator(by, space)
    if minutes.session_id != session.id or minutes.space_id != space.id:
        raise ExchangeError(_("Dieses Protokoll gehört nicht zu diesem Raum."))


def published_minutes(space: ExchangeSpace) -> list[tuple[WorkshopSession, ExchangeMinutes]]:
    """The minutes the space shows (their approved version, whatever change waits), latest session first."""
    stmt = (select(WorkshopSession, ExchangeMinutes).join(ExchangeMinutes, ExchangeMinutes.session_id ==
                                                           WorkshopSession.id)
            .where(ExchangeMinutes.space_id == space.id, ExchangeMinutes.published_html.is_not(None))
            .order_by(WorkshopSession.starts_at.desc()))
    return [tuple(row) for row in db.session.execute(stmt).all()]
