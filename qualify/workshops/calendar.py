"""Calendar files (RFC 5545, through icalendar) and the personal, revocable calendar feed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from qualify.accounts.models import User
from qualify.core.mail import attachment_maker
from qualify.core.time import LOCAL_TZ
from qualify.extensions import db
from qualify.workshops.models import CalendarFeed, WorkshopSession

if TYPE_CHECKING:  # icalendar loads when the first calendar file is made, not with every worker
    from icalendar import Calendar, Event

PRODID = "-//Qualify//Workshops//DE"


def _calendar(method: str | None) -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def session_event(session: WorkshopSession, *, include_link: bool, page_url: str = "",
                  withdrawn: bool = False, personal_sequence: int = 0, attendee: str = "") -> Event:
    """Describe a session as a VEVENT; icalendar escapes text values, so titles cannot add properties.

    withdrawn: the person gave up their place, so for them the event is cancelled.
    personal_sequence: how far their booking's calendar entry is ahead of the session (Booking.calendar_sequence).
    attendee: the address a mailed invitation or cancellation is for (RFC 5546 asks for it there).
    """
    from icalendar import Event, vCalAddress

    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence + personal_sequence)
    event.add("dtstamp", session.updated_at)
    event.add("dtstart", session.starts_at.astimezone(LOCAL_TZ))
    event.add("dtend", session.ends_at.astimezone(LOCAL_TZ))
    event.add("summary", session.title)
    event.add("status", "CANCELLED" if session.is_cancelled or withdrawn else "CONFIRMED")
    location = session.place or ("Online" if session.format == "online" else "")
    if location:
        event.add("location", location)
    description = [session.note] if session.note else []
    if include_link and session.online_url:
        description.append(session.online_url)
    if page_url:
        description.append(page_url)
        event.add("url", page_url)
    if description:
        event.add("description", "\n\n".join(description))
    name, address = parseaddr(current_app.config["MAIL_SENDER"])
    organizer = vCalAddress(f"mailto:{address or 'noreply@qualify.invalid'}")
    organizer.params["cn"] = name or "Qualify"
    event.add("organizer", organizer)
    if attendee:
        person = vCalAddress(f"mailto:{attendee}")
        # Booked on the platform: nothing to answer by mail.
        person.params.update({"role": "REQ-PARTICIPANT", "partstat": "ACCEPTED", "rsvp": "FALSE"})
        event.add("attendee", person)
    return event


def _serialise(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()  # VTIMEZONE for Europe/Berlin, taken from zoneinfo
    return calendar.to_ical()


def session_ics(session: WorkshopSession, *, include_link: bool, page_url: str = "", mailed: bool = True,
                withdrawn: bool = False, personal_sequence: int = 0, attendee: str = "") -> bytes:
    """Return one session for a mail as an invitation (METHOD:REQUEST), or METHOD:CANCEL once it was cancelled
    or the person gave up their place (withdrawn).

    A download is published (METHOD:PUBLISH): an invitation would have calendars offer to accept or decline,
    and send the answer to an organiser address nobody reads.
    """
    cancelled = session.is_cancelled or withdrawn
    calendar = _calendar(("CANCEL" if cancelled else "REQUEST") if mailed else "PUBLISH")
    calendar.add_component(session_event(session, include_link=include_link, page_url=page_url, withdrawn=withdrawn,
                                         personal_sequence=personal_sequence, attendee=attendee if mailed else ""))
    return _serialise(calendar)


def feed_ics(sessions: list[tuple[WorkshopSession, int]], *, name: str, page_url=lambda session: "") -> bytes:
    """Return a subscription calendar of the given sessions, each with the person's calendar sequence (no
    METHOD: it is published, not sent)."""
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    # How often calendar apps should look again (RFC 7986, and the older name Outlook reads): a changed room
    # should reach a phone within the hour, not the next day.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for session, personal_sequence in sessions:
        calendar.add_component(session_event(session, include_link=True, page_url=page_url(session),
                                             personal_sequence=personal_sequence))
    return _serialise(calendar)


def ics_attachment(session: WorkshopSession, *, include_link: bool, page_url: str = "",
                   withdrawn: bool = False, personal_sequence: int = 0, attendee: str = "") -> dict:
    """Return the .ics as an outbox attachment, made when the mail is sent (from the session as it is then,
    with the person's calendar sequence as it was when the mail was queued: a later booking again must not
    lift a cancellation to the invitation's sequence)."""
    attachment = {"make": "workshops.session_ics", "session_id": session.id, "include_link": include_link,
                  "page_url": page_url, "personal_sequence": personal_sequence, "attendee": attendee,
                  # Named now, in the recipient's language (the file is made later, by the scheduler); which
                  # of the two is decided then, as the session may be cancelled before the mail goes out.
                  "file_names": {"request": _("termin.ics"), "cancel": _("absage.ics")}}
    if withdrawn:
        attachment["withdrawn"] = True
    return attachment


@attachment_maker("workshops.session_ics")
def _make_ics_attachment(arguments: dict) -> dict | None:
    session = db.session.get(WorkshopSession, arguments["session_id"])
    if session is None:  # deleted before the mail went out: the mail still goes, without a calendar file
        return None
    withdrawn = arguments.get("withdrawn", False)
    # Queued before bookings had their own sequence, a withdrawal was one above the session's.
    personal_sequence = arguments.get("personal_sequence", 1 if withdrawn else 0)
    data = session_ics(session, include_link=arguments["include_link"], page_url=arguments["page_url"],
                       withdrawn=withdrawn, personal_sequence=personal_sequence,
                       attendee=arguments.get("attendee", "")).decode()
    cancelled = session.is_cancelled or withdrawn
    # The method on the part too (iMIP): mail programs then offer it as an invitation or cancellation.
    # Queued before files were named in the recipient's language: the German names.
    names = arguments.get("file_names", {"request": "termin.ics", "cancel": "absage.ics"})
    return {"filename": names["cancel"] if cancelled else names["request"], "data": data,
            "content_type": f"text/calendar; method={'CANCEL' if cancelled else 'REQUEST'}"}


# ---------------------------------------------------------------- the personal feed

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed_token(user: User) -> str:
    """Issue a new secret feed token (revoking any older one) and return it; only its hash is stored."""
    revoke_feed(user)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_hash(token)))
    db.session.flush()
    return token


def revoke_feed(user: User) -> None:
    """Make the user's feed address stop working."""
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))


def has_feed(user: User) -> bool:
    """Tell whether the user has a working feed address."""
    return db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user.id)) is not None


def user_for_feed_token(token: str) -> User | None:
    """Return the active owner of a feed token, or None."""
    if not token or len(token) > 100:
        return None
    stmt = select(User).join(CalendarFeed, CalendarFeed.user_id == User.id).where(
        CalendarFeed.token_hash == _hash(token), User.active.is_(True))
    return db.session.scalar(stmt)
