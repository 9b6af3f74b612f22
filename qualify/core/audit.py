"""The audit log: who did what to which object, when and why."""

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Index, Select, String, and_, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from qualify.core.time import UTCDateTime, utcnow
from qualify.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        # A person's page, their data export and the log filtered by person look for events about them; the log
        # filtered by a (rare) action read the whole log backwards without this.
        Index("ix_audit_events_target", "target_type", "target_id"),
        Index("ix_audit_events_action_created_at", "action", "created_at"),
        # The works council's access log: the events about its organisation (and the network-wide ones, NULL).
        Index("ix_audit_events_organisation_created_at", "organisation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The organisation the event concerns, None for the whole network; a column of its own (also kept in the
    # details) so that the access log need not read the JSON of every event. No foreign key: an organisation's
    # deletion must not turn its events into network-wide ones that every works council reads.
    organisation_id: Mapped[int | None]


# What the works council reads in its access log: looks at reports and at people's data, counts, and changes of
# what reports and the log keep (and changes of its own role, each recorded as accountable). Whoever did it stays
# named there, with the address the administration gave them (a name they can change themselves), even once their
# own account is erased – an admin could otherwise look at someone's data and wipe the trace with a throw-away
# account.
ACCOUNTABLE = ("reports.view", "reports.export", "reports.refresh", "personal_data.view", "exchange.reveal",
               "privacy.retention", "organisation.threshold")


def record(action: str, *, actor=None, target=None, accountable: bool = False, **details: Any) -> AuditEvent:
    """Add an audit event to the session; the caller commits it with the change it describes. accountable: the
    event is for the works council to read though its kind is not (a change of its own role): as for those,
    whoever did it stays named."""
    if (accountable or action in ACCOUNTABLE) and actor is not None:
        details = {"by": actor.display_name, "by_address": actor.email, **details}
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        details=details,
        organisation_id=details.get("organisation_id"),
    )
    db.session.add(event)
    return event


def recorded_since(action: str, *, actor, target, since: datetime) -> bool:
    """Whether this person already did this to this object since then (one statement, on the target index)."""
    stmt = select(AuditEvent.id).where(AuditEvent.target_type == type(target).__name__,
                                       AuditEvent.target_id == target.id, AuditEvent.action == action,
                                       AuditEvent.actor_id == actor.id, AuditEvent.created_at >= since).limit(1)
    return db.session.scalar(stmt) is not None


def recent_events(*, limit: int = 100, offset: int = 0, action: str | None = None,
                  about_people: Select | list[int] | None = None, part: str | None = None,
                  since: datetime | None = None, before: datetime | None = None,
                  within=None) -> list[AuditEvent]:
    """Return the newest audit events first: those of this action, from `since` up to `before`, and that these
    people (ids, or a select of them) did or that concern them (None: everybody; `part` "did" or "concerned":
    only the one); `within`: a further condition on the events (those an organisation's administration reads).
    An action by equality, which the index on (action, created_at) serves in order."""
    stmt = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if within is not None:
        stmt = stmt.where(within)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.created_at >= since)
    if before is not None:
        stmt = stmt.where(AuditEvent.created_at < before)
    if about_people is not None:
        did = AuditEvent.actor_id.in_(about_people)
        concerned = and_(AuditEvent.target_type == "User", AuditEvent.target_id.in_(about_people))
        stmt = stmt.where({"did": did, "concerned": concerned}.get(part, or_(did, concerned)))
    return list(db.session.scalars(stmt.limit(limit).offset(offset)))


def who_did(event: AuditEvent, names: dict[int, str]) -> str:
    """Name whoever did it as they are called now (`names`: by id, without erased accounts); the name they went
    by then too, if it differs (anyone can change their own name), and their address once their account is
    erased."""
    then = event.details.get("by")
    if event.actor_id in names:
        now = names[event.actor_id]
        return now if not then or then == now else _("%(now)s (damals „%(then)s“)", now=now, then=then)
    if then:
        address = event.details.get("by_address")
        return f"{then} <{address}>" if address else then
    return _("ehemaliges Mitglied") if event.actor_id else _("System")
