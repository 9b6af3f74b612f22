"""The access log the works council reads: who viewed or exported reports, and who looked at personal data."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from qualify.accounts.models import Organisation, Unit
from qualify.accounts.services import names_of
from qualify.core import audit
from qualify.core.audit import AuditEvent
from qualify.courses.models import Course
from qualify.courses.views import KIND_LABELS
from qualify.extensions import db
from qualify.reports.scope import Filters, Scope
from qualify.reports.services import METRIC_LABELS, month_label

# Report views, exports and counts, looks at people's data and changes of what reports and the log keep.
ACCESS_ACTIONS = audit.ACCOUNTABLE
# And the changes of the works council's members: its role given or taken, a member moved into or out of the
# organisation, deactivated, active again, erased. Of these kinds of entry only those about a member of a works
# council carry an organisation (accounts.council_log).
MEMBER_CHANGES = ("user.roles", "works_council.moved_in", "works_council.moved_out", "user.deactivate",
                  "user.reactivate", "account.erase")


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
    """Return report views and exports concerning the organisation (its own or network-wide), and the changes of
    its works council's members, newest first."""
    about = AuditEvent.organisation_id
    # Without an organisation an event concerns the whole network – unless it is about one person (or their
    # post) who belongs to none: that is no works council's business, and every one of them read it.
    network_wide = and_(about.is_(None), or_(AuditEvent.target_type.is_(None),
                                             AuditEvent.target_type.not_in(("User", "ExchangePost"))))
    stmt = (
        select(AuditEvent)
        .where(or_(and_(AuditEvent.action.in_(ACCESS_ACTIONS), or_(about == organisation_id, network_wide)),
                   and_(AuditEvent.action.in_(MEMBER_CHANGES), about == organisation_id)))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(stmt))


def people_named(events: list[AuditEvent]) -> dict[int, str]:
    """The names of whoever did something and of the works council's members whose membership changed, by id (one
    statement for the page); erased accounts are missing."""
    return names_of({event.actor_id for event in events if event.actor_id}
                    | {event.target_id for event in events if event.action in MEMBER_CHANGES and event.target_id})


def describe_filters(events: list[AuditEvent]) -> dict[int, str]:
    """Write each event's report filters as a reader would say them: "Mai 2026 – Okt. 2026 · Kennzahl: Aktiv".

    Courses, units and organisations are named by what they are called now (one statement each, for the page).
    """
    wanted = [e.details.get("filters") or {} for e in events]
    names = {
        "kurs": _names(Course, {f["kurs"] for f in wanted if "kurs" in f}, Course.title),
        "bereich": _names(Unit, {f["bereich"] for f in wanted if "bereich" in f}, Unit.name),
        "organisation": _names(Organisation, {f["organisation"] for f in wanted if "organisation" in f},
                               Organisation.name),
    }
    return {event.id: _describe(filters, names) for event, filters in zip(events, wanted, strict=True)}


def _names(model, ids: set[str], column) -> dict[str, str]:
    numbers = {int(i) for i in ids if str(i).isdigit()}
    if not numbers:
        return {}
    return {str(key): name for key, name in db.session.execute(select(model.id, column).where(model.id.in_(numbers)))}


def _month(text: str) -> str:
    try:
        return month_label(date(int(text[:4]), int(text[5:7]), 1))
    except ValueError:
        return text


def _describe(filters: dict, names: dict[str, dict[str, str]]) -> str:
    parts = []
    if filters.get("von") or filters.get("bis"):
        parts.append(" – ".join(_month(filters[key]) for key in ("von", "bis") if filters.get(key)))
    labels = (("organisation", _("Organisation")), ("bereich", _("Einheit")), ("kurs", _("Kurs")))
    deleted = _("gelöscht")  # outside the f-string, where the extractor finds it
    for key, label in labels:
        if key in filters:
            parts.append(f"{label}: {names[key].get(filters[key], deleted)}")
    if "art" in filters:
        parts.append(_("Modulart: %(kind)s", kind=KIND_LABELS.get(filters["art"], filters["art"])))
    if "kennzahl" in filters:
        parts.append(_("Kennzahl: %(metric)s", metric=METRIC_LABELS.get(filters["kennzahl"], filters["kennzahl"])))
    return " · ".join(parts)
