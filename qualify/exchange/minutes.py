"""Exchange sessions and their minutes.

The sessions themselves are workshop sessions (qualify.workshops: dates, seats, bookings, attendance; marking
someone present calls record_participation with via="exchange"). This module adds what only the exchange
needs: structured minutes, published to the space once a moderator approves them, and each participant's
agreement to be named in them.
"""

import re
from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from qualify.exchange import mails
from qualify.exchange.errors import ExchangeError
from qualify.exchange.models import ExchangeMinutes, ExchangeSpace, MinutesConsent
from qualify.exchange.moderation import log
from qualify.exchange.spaces import moderators_of, require_moderator
from qualify.exchange.text import render_post_body
from qualify.extensions import db
from qualify.workshops.models import Booking, WorkshopSession

SECTIONS = (("topics", "Besprochene Themen"), ("outcomes", "Ergebnisse"), ("open_questions", "Offene Fragen"),
            ("next_steps", "Nächste Schritte"))


def sessions_of(space: ExchangeSpace) -> list[WorkshopSession]:
    """The sessions planned for the space's module, latest first."""
    if space.module_id is None:
        return []
    stmt = (select(WorkshopSession).where(WorkshopSession.module_id == space.module_id)
            .order_by(WorkshopSession.starts_at.desc()))
    return list(db.session.scalars(stmt))


def minutes_of(session: WorkshopSession) -> ExchangeMinutes | None:
    """Return the minutes of a session, or None."""
    return db.session.scalar(select(ExchangeMinutes).where(ExchangeMinutes.session_id == session.id))


def participants(session: WorkshopSession) -> list:
    """The people holding a confirmed seat."""
    stmt = select(Booking).where(Booking.session_id == session.id, Booking.status == "confirmed")
    return [booking.user for booking in db.session.scalars(stmt)]


def consenting_ids(session: WorkshopSession) -> set[int]:
    """Ids of the participants who agreed to be named."""
    return set(
        db.session.scalars(select(MinutesConsent.user_id).where(MinutesConsent.session_id == session.id))
    )


def set_consent(session: WorkshopSession, user, agreed: bool, *, now: datetime) -> None:
    """Agree (or no longer agree) to be named in the minutes; only for participants."""
    if user.id not in {person.id for person in participants(session)}:
        raise ExchangeError(_("Nur Teilnehmende dieses Termins können das festlegen."))
    row = db.session.scalar(select(MinutesConsent).where(MinutesConsent.session_id == session.id,
                                                         MinutesConsent.user_id == user.id))
    if agreed and row is None:
        db.session.add(MinutesConsent(session_id=session.id, user_id=user.id, given_at=now))
    elif not agreed and row is not None:
        db.session.delete(row)
        _forget_name(minutes_of(session), user)
    db.session.flush()


def _forget_name(minutes: ExchangeMinutes | None, person, *, mentioned: bool = False) -> None:
    """After a withdrawn consent: off the list of names, and published minutes whose text names the person go
    back to the moderators as a draft, to be written without the name and approved again."""
    if minutes is None:
        return
    minutes.named_user_ids = [i for i in minutes.named_user_ids or [] if i != person.id]
    if minutes.status == "published" and (
            mentioned or _mentions("\n".join(getattr(minutes, f) for f, _l in SECTIONS), person)):
        minutes.status, minutes.published_at, minutes.published_by_id = "draft", None, None
        mails.notify_minutes_withdrawn(minutes, moderators_of(db.session.get(ExchangeSpace, minutes.space_id)))


REDACTED = "[Name entfernt]"


def forget_erased_person(person) -> int:
    """Before an account is erased: take the person's name out of every minutes text, drafts included (a draft
    would otherwise pass the name check once the name no longer belongs to anyone), and off the lists of names.

    Published minutes that named the person go back to the moderators as drafts. Return how many changed.
    """
    changed = 0
    for minutes in db.session.scalars(select(ExchangeMinutes)):
        texts = {field: getattr(minutes, field) for field, _label in SECTIONS}
        named = person.id in (minutes.named_user_ids or [])
        if not named and not _mentions("\n".join(texts.values()), person):
            continue
        redacted = {field: _redact(text, person) for field, text in texts.items()}
        for field, text in redacted.items():
            setattr(minutes, field, text)
        minutes.body_html = str(render_minutes(redacted))
        _forget_name(minutes, person, mentioned=True)
        changed += 1
    db.session.flush()
    return changed


def _redact(text: str, person) -> str:
    name = " ".join(person.display_name.split())
    if name:
        pattern = r"\s+".join(re.escape(part) for part in name.split(" "))
        text = re.sub(rf"(?<!\w){pattern}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    surname = name.split(" ")[-1] if " " in name else ""
    if len(surname) >= 3 and not surname.isdigit():
        text = re.sub(rf"(?<!\w){re.escape(surname)}(?!\w)", REDACTED, text)
    return re.sub(re.escape(person.email), REDACTED, text, flags=re.IGNORECASE)


def _mentions(text: str, person) -> bool:
    name = " ".join(person.display_name.split())
    if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
        return True
    surname = name.split(" ")[-1] if " " in name else ""
    if len(surname) >= 3 and not surname.isdigit() and re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", text):
        return True
    return person.email.lower() in text.lower()


def unconsented_mentions(session: WorkshopSession, texts: list[str]) -> list:
    """Participants named in the texts who have not agreed to be named."""
    agreed = consenting_ids(session)
    text = "\n".join(texts)
    return [person for person in participants(session) if person.id not in agreed and _mentions(text, person)]


def _check_names(minutes: ExchangeMinutes, session: WorkshopSession) -> None:
    texts = [getattr(minutes, field) for field, _label in SECTIONS]
    named = unconsented_mentions(session, texts)
    if named:
        raise ExchangeError(_("Das Protokoll nennt Teilnehmende, die nicht zugestimmt haben: %(names)s. "
                              "Bitte beschreiben Sie Beiträge ohne Namen.",
                              names=", ".join(person.display_name for person in named)))
    if set(minutes.named_user_ids or []) - consenting_ids(session):
        raise ExchangeError(_("Genannt werden dürfen nur Teilnehmende, die zugestimmt haben."))


def render_minutes(fields: dict[str, str]) -> Markup:
    """Render the four sections once, each under its heading."""
    parts = []
    for field, label in SECTIONS:
        text = (fields.get(field) or "").strip()
        if text:
            parts.append(Markup("<h3>{}</h3>\n").format(_(label)) + render_post_body(text))
    return Markup("\n").join(parts) if parts else escape("")


def save_minutes(session: WorkshopSession, space: ExchangeSpace, fields: dict[str, str], named_ids: list[int],
                 *, by, now: datetime) -> ExchangeMinutes:
    """Write or change the minutes as a draft (changed minutes need approving again)."""
    require_moderator(by, space)
    if session.module_id != space.module_id:
        raise ExchangeError(_("Dieser Termin gehört nicht zu diesem Raum."))
    minutes = minutes_of(session) or ExchangeMinutes(session_id=session.id, space_id=space.id)
    for field, _label in SECTIONS:
        setattr(minutes, field, (fields.get(field) or "").strip())
    minutes.named_user_ids = sorted(set(named_ids))
    _check_names(minutes, session)
    minutes.body_html = str(render_minutes(fields))
    minutes.status, minutes.written_by_id, minutes.updated_at = "draft", by.id, now
    minutes.published_at = minutes.published_by_id = None
    db.session.add(minutes)
    db.session.flush()
    return minutes


def publish_minutes(minutes: ExchangeMinutes, session: WorkshopSession, space: ExchangeSpace, *, by,
                    now: datetime) -> None:
    """Approve the minutes: from now on every member of the space reads them."""
    require_moderator(by, space)
    if minutes.session_id != session.id or minutes.space_id != space.id:
        raise ExchangeError(_("Dieses Protokoll gehört nicht zu diesem Raum."))
    _check_names(minutes, session)
    minutes.status, minutes.published_at, minutes.published_by_id = "published", now, by.id
    db.session.flush()
    log(space, "publish_minutes", by=by, now=now,
        reason=_("Protokoll des Termins am %(date)s", date=format_date(session.starts_at)))


def published_minutes(space: ExchangeSpace) -> list[tuple[WorkshopSession, ExchangeMinutes]]:
    """The approved minutes of the space's sessions, latest first."""
    stmt = (select(WorkshopSession, ExchangeMinutes).join(ExchangeMinutes, ExchangeMinutes.session_id ==
                                                           WorkshopSession.id)
            .where(ExchangeMinutes.space_id == space.id, ExchangeMinutes.status == "published")
            .order_by(WorkshopSession.starts_at.desc()))
    return [tuple(row) for row in db.session.execute(stmt).all()]


def named_people(minutes: ExchangeMinutes) -> list[str]:
    """The names listed in the minutes, of those who (still) agree to be named."""
    ids = list(minutes.named_user_ids or [])
    if not ids:
        return []
    rows = db.session.scalars(select(MinutesConsent).where(MinutesConsent.session_id == minutes.session_id,
                                                           MinutesConsent.user_id.in_(ids)))
    return sorted(row.user.display_name for row in rows)


def my_consents(sessions: list[WorkshopSession], user) -> dict[int, bool]:
    """For the sessions the person holds a confirmed seat in: whether they agreed to be named."""
    ids = [session.id for session in sessions]
    if not ids:
        return {}
    seats = db.session.scalars(
        select(Booking.session_id).where(
            Booking.session_id.in_(ids), Booking.user_id == user.id, Booking.status == "confirmed"
        )
    )
    agreed = set(
        db.session.scalars(
            select(MinutesConsent.session_id).where(
                MinutesConsent.session_id.in_(ids), MinutesConsent.user_id == user.id
            )
        )
    )
    return {session_id: session_id in agreed for session_id in seats}
