"""The access log the works council reads: who viewed or exported reports, and who looked at personal data."""

from sqlalchemy import or_, select

from qualify.accounts.models import User
from qualify.core import audit
from qualify.core.audit import AuditEvent
from qualify.extensions import db
from qualify.reports.scope import Filters, Scope

# Report views and exports, and every look by an admin at a person's data (listed with the person's organisation).
ACCESS_ACTIONS = ("reports.view", "reports.export", "reports.refresh", "personal_data.view", "exchange.reveal")


def record_access(action: str, *, actor, scope: Scope, filters: Filters, **details) -> None:
    """Log a view or export of a report, for the works council to read; the caller commits."""
    organisation_id = scope.organisation_id or filters.organisation_id
    audit.record(
        action,
        actor=actor,
        report="participation",
        organisation_id=organisation_id,
        filters=filters.as_args(),
        **details,
    )


def access_events(organisation_id: int, *, limit: int = 50, offset: int = 0) -> list[AuditEvent]:
    """Return report views and exports concerning the organisation (its own or network-wide), newest first."""
    about = AuditEvent.details["organisation_id"].as_integer()
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.action.in_(ACCESS_ACTIONS), or_(about == organisation_id, about.is_(None)))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(stmt))


def actor_names(user_ids: set[int]) -> dict[int, str]:
    """Name the people who appear in the access log (works council members, coordinators, admins)."""
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())

