"""Calendar files (RFC 5545, through icalendar) and the personal, revocable calendar feed."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from qualify.accounts.models import User
from qualify.core.mail import attachment_maker
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.extensions import db
from qualify.workshops.models import CalendarFeed, WorkshopSession

if TYPE_CHECKING:  # icalendar loads when the first calendar file is made, not with every worker
    from icalendar import Calendar, Event, Timezone

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


@dataclass(frozen=True)
class EventFacts:
    """What a calendar entry says of a session: taken when a mail is queued, so that the .ics it carries says what
    its text says – also when the session was changed again before the mail went out (the text said 10:00 and
    Halle 3, the file made later 11:00 and Halle 5, both with the later SEQUENCE)."""

    uid: str
    sequence: int
    stamp: datetime  # DTSTAMP: when this version of the entry was written
    starts_at: datetime
    ends_at: datetime
    title: str
    cancelled: bool
    format: str
    place: str
    online_url: str
    note: str

    @classmethod
    def of(cls, session: WorkshopSession, *, stamp: datetime | None = None) -> EventFacts:
        """Read the session as it is now (stamp: the session's last change, unless given)."""
        return cls(uid=session.uid, sequence=session.sequence, stamp=stamp or session.updated_at,
                   starts_at=session.starts_at, ends_at=session.ends_at, title=session.title,
                   cancelled=session.is_cancelled, format=session.format, place=session.place,
                   online_url=session.online_url, note=session.note)

    def to_json(self) -> dict:
        """Return the facts for the outbox's JSON column (times as ISO 8601 with their offset)."""
        # Field by field: asdict() deep-copies every value, a tenth of the booking mail's composition, which is
        # done under the session lock. The values are strings, numbers and datetimes: nothing to copy.
        facts = {field.name: getattr(self, field.name) for field in fields(self)}
        for name in ("stamp", "starts_at", "ends_at"):
            facts[name] = facts[name].isoformat()
        return facts

    @classmethod
    def from_json(cls, facts: dict) -> EventFacts:
        """Read the facts back from the outbox."""
        times = {name: datetime.fromisoformat(facts[name]) for name in ("stamp", "starts_at", "ends_at")}
        return cls(**{**facts, **times})


def session_event(session: WorkshopSession | EventFacts, *, include_link: bool, page_url: str = "",
                  withdrawn: bool = False, personal_sequence: int = 0, attendee: str = "") -> Event:
    """Describe a session (as it is, or as a mail described it) as a VEVENT; icalendar escapes text values, so
    titles cannot add properties.

    withdrawn: the person gave up their place, so for them the event is cancelled.
    personal_sequence: how far their booking's calendar entry is ahead of the session (Booking.calendar_sequence).
    attendee: the address a mailed invitation or cancellation is for (RFC 5546 asks for it there).
    """
    from icalendar import Event, vCalAddress

    facts = session if isinstance(session, EventFacts) else EventFacts.of(session)
    event = Event()
    event.add("uid", facts.uid)
    event.add("sequence", facts.sequence + personal_sequence)
    event.add("dtstamp", facts.stamp)
    event.add("dtstart", facts.starts_at.astimezone(LOCAL_TZ))
    event.add("dtend", facts.ends_at.astimezone(LOCAL_TZ))
    event.add("summary", facts.title)
    event.add("status", "CANCELLED" if facts.cancelled or withdrawn else "CONFIRMED")
    location = facts.place or ("Online" if facts.format == "online" else "")
    if location:
        event.add("location", location)
    description = [facts.note] if facts.note else []
    if include_link and facts.online_url:
        description.append(facts.online_url)
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
    if calendar.subcomponents:  # events in Europe/Berlin: its VTIMEZONE goes before them, where readers look first
        calendar.subcomponents.insert(0, _berlin())
    return calendar.to_ical()


def _berlin() -> Timezone:
    """Describe Europe/Berlin as calendar programs write it themselves: one summer and one winter part, each a
    yearly rule (the EU's since 1996: from the last Sunday of March 02:00 to the last Sunday of October 03:00).

    Not icalendar's add_missing_timezones: it lists every change from 1970 to 2037 as RDATEs, which Outlook
    misreads – a summer date then lands an hour off – and which ends in 2038.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", "Europe/Berlin")
    zone.add("x-lic-location", "Europe/Berlin")
    for part, name, day, offsets, month in ((TimezoneDaylight(), "CEST", datetime(1970, 3, 29, 2), (1, 2), 3),
                                            (TimezoneStandard(), "CET", datetime(1970, 10, 25, 3), (2, 1), 10)):
        part.add("tzname", name)
        part.add("dtstart", day)
        part.add("tzoffsetfrom", timedelta(hours=offsets[0]))
        part.add("tzoffsetto", timedelta(hours=offsets[1]))
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone


def session_ics(session: WorkshopSession | EventFacts, *, include_link: bool, page_url: str = "",
                mailed: bool = True, withdrawn: bool = False, personal_sequence: int = 0, attendee: str = "") -> bytes:
    """Return one session for a mail as an invitation (METHOD:REQUEST), or METHOD:CANCEL once it was cancelled
    or the person gave up their place (withdrawn).

    A download is published (METHOD:PUBLISH): an invitation would have calendars offer to accept or decline,
    and send the answer to an organiser address nobody reads.
    """
    cancelled = (session.cancelled if isinstance(session, EventFacts) else session.is_cancelled) or withdrawn
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


def _facts_for_mail(session: WorkshopSession, *, include_link: bool) -> EventFacts:
    """The session as the mail describes it now; without the online link for someone not given it (the outbox
    row is theirs, and their data export shows it)."""
    facts = EventFacts.of(session, stamp=utcnow())
    return facts if include_link else replace(facts, online_url="")


def ics_attachment(session: WorkshopSession, *, include_link: bool, page_url: str = "",
                   withdrawn: bool = False, personal_sequence: int = 0, attendee: str = "") -> dict:
    """Return the .ics as an outbox attachment, made when the mail is sent (a calendar file costs more than the
    rest of a booking) but from the session as the mail's text describes it (EventFacts, taken now), with the
    person's calendar sequence as it is now: a later change comes with a mail and a SEQUENCE of its own, and a
    later booking again must not lift a cancellation to the invitation's sequence."""
    attachment = {"make": "workshops.session_ics", "session_id": session.id, "include_link": include_link,
                  "page_url": page_url, "personal_sequence": personal_sequence, "attendee": attendee,
                  "event": _facts_for_mail(session, include_link=include_link).to_json(),
                  # In the recipient's language: the file is made later, by the scheduler.
                  "file_names": {"request": _("termin.ics"), "cancel": _("absage.ics")}}
    if withdrawn:
        attachment["withdrawn"] = True
    return attachment


@attachment_maker("workshops.session_ics")
def _make_ics_attachment(arguments: dict) -> dict | None:
    session = db.session.get(WorkshopSession, arguments["session_id"])
    if session is None:  # deleted before the mail went out: the mail still goes, without a calendar file
        return None
    # Queued before the mail kept what it said of the session: the session as it is now.
    facts = EventFacts.from_json(arguments["event"]) if "event" in arguments else EventFacts.of(session)
    withdrawn = arguments.get("withdrawn", False)
    # Queued before bookings had their own sequence, a withdrawal was one above the session's.
    personal_sequence = arguments.get("personal_sequence", 1 if withdrawn else 0)
    data = session_ics(facts, include_link=arguments["include_link"], page_url=arguments["page_url"],
                       withdrawn=withdrawn, personal_sequence=personal_sequence,
                       attendee=arguments.get("attendee", "")).decode()
    cancelled = facts.cancelled or withdrawn
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
