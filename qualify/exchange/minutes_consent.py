"""Who agreed to be named in the minutes of a session: the participants, their answers, and the names the
minutes may show."""

from dataclasses import dataclass

from sqlalchemy import select

from qualify.accounts.models import User
from qualify.core.text import german_sort_key
from qualify.exchange.models import ExchangeMinutes, MinutesConsent
from qualify.extensions import db
from qualify.workshops.models import Booking, WorkshopSession


def participants(session: WorkshopSession) -> list[User]:
    """The people holding a confirmed seat: one statement for them (and one for their roles), however many."""
    stmt = (select(User).join(Booking, Booking.user_id == User.id)
            .where(Booking.session_id == session.id, Booking.status == "confirmed")
            .order_by(Booking.id))
    return list(db.session.scalars(stmt))


def consenting_ids(session: WorkshopSession) -> set[int]:
    """Ids of the participants who agree to be named (and have not taken it back)."""
    return set(db.session.scalars(select(MinutesConsent.user_id).where(
        MinutesConsent.session_id == session.id, MinutesConsent.withdrawn_at.is_(None))))


@dataclass(frozen=True)
class Consents:
    """The participants of a session by their answer to being named, each list in German order of names."""

    agreed: list
    withdrawn: list  # agreed once and took it back
    unanswered: list  # never agreed (there is no "no" to give: not agreeing is not answering)

    @property
    def total(self) -> int:
        return len(self.agreed) + len(self.withdrawn) + len(self.unanswered)


def consents(session: WorkshopSession) -> Consents:
    """Sort the participants by their answer, for the moderator who writes the minutes (never for the space)."""
    rows = {row.user_id: row for row in db.session.scalars(
        select(MinutesConsent).where(MinutesConsent.session_id == session.id))}
    people = sorted(participants(session), key=lambda person: german_sort_key(person.display_name))
    return Consents(
        agreed=[p for p in people if p.id in rows and rows[p.id].withdrawn_at is None],
        withdrawn=[p for p in people if p.id in rows and rows[p.id].withdrawn_at is not None],
        unanswered=[p for p in people if p.id not in rows])


def named_people(minutes: ExchangeMinutes, *, published: bool = False) -> list[str]:
    """The names listed in the minutes (`published`: in their approved version), of those who (still) agree to
    be named."""
    return named_people_of([minutes], published=published)[minutes.id]


def named_people_of(records: list[ExchangeMinutes], *, published: bool = False) -> dict[int, list[str]]:
    """named_people of each of the minutes, by their id: one statement for a space's list of them, not one each."""
    listed = {(record.session_id, user_id) for record in records
              for user_id in (record.published_named_ids if published else record.named_user_ids) or []}
    names: dict[int, list[str]] = {record.id: [] for record in records}
    if listed:
        minutes_of_session = {record.session_id: record.id for record in records}
        agreed = db.session.execute(
            select(MinutesConsent.session_id, MinutesConsent.user_id, User.display_name)
            .join(User, User.id == MinutesConsent.user_id)
            .where(MinutesConsent.session_id.in_(minutes_of_session), MinutesConsent.withdrawn_at.is_(None)))
        for session_id, user_id, name in agreed:
            if (session_id, user_id) in listed:
                names[minutes_of_session[session_id]].append(name)
    return {minutes_id: sorted(each, key=german_sort_key) for minutes_id, each in names.items()}


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
                MinutesConsent.session_id.in_(ids), MinutesConsent.user_id == user.id,
                MinutesConsent.withdrawn_at.is_(None)
            )
        )
    )
    return {session_id: session_id in agreed for session_id in seats}
