"""What a works council reads about its own members in its access log (reports.access_log): who was given its
role or lost it, moved into or out of its organisation, deactivated, active again or erased – and by whom.

Each such entry carries the organisation whose works council it concerns, which no entry of the same kinds about
anyone else does, and names whoever did it even after their own account is erased (audit.record, accountable).
"""

from qualify.accounts.models import User
from qualify.accounts.roles import Role
from qualify.core import audit


def record_role_change(user: User, *, added, removed, actor: User | None,
                       move: tuple[int | None, int | None] | None = None, **details) -> None:
    """Log a change of the person's roles, however it was made (person page, import, command line).

    One of the works council's is also for that works council to read (reports.access_log): who was given its
    role, or lost it, and by whom – marked with the person's organisation, which no other change of roles carries,
    and, as every entry of that log, naming whoever did it even after their own account is erased. `move`: the
    organisations (by id) the same change moves the person from and to – the role lost, it is the works council
    of the one they leave that lost a member."""
    added, removed = sorted(str(role) for role in added), sorted(str(role) for role in removed)
    if Role.WORKS_COUNCIL in added or Role.WORKS_COUNCIL in removed:
        before, after = move or (user.organisation_id, user.organisation_id)
        details.update(organisation_id=after if Role.WORKS_COUNCIL in added else before, accountable=True)
    audit.record("user.roles", actor=actor, target=user, added=added, removed=removed, **details)


def council_concerned(user: User) -> dict:
    """For the log entry of a change to a works council member's account (deactivated, active again, erased):
    their organisation, whose works council reads it (reports.access_log), and whoever did it kept named there;
    {} for anyone else, whose entries carry no organisation."""
    if user.organisation_id is not None and user.has_role(Role.WORKS_COUNCIL):
        return {"organisation_id": user.organisation_id, "accountable": True}
    return {}


def record_council_move(user: User, before: int | None, after: int | None, *, actor: User | None) -> None:
    """Log, for the works councils of both organisations, that a member of theirs was moved out of the one and
    into the other – to each only that: not which other organisation (or none) it was, which is the person's
    business (a former employer, a new one), not that works council's."""
    if before is not None:
        audit.record("works_council.moved_out", actor=actor, target=user, organisation_id=before, accountable=True)
    if after is not None:
        audit.record("works_council.moved_in", actor=actor, target=user, organisation_id=after, accountable=True)
