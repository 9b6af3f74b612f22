"""Moving several people of an organisation to another of its units at once (after a reorganisation, say), as
each one's page moves them."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from qualify.accounts import services as accounts
from qualify.accounts.models import ERASED_DOMAIN, Organisation, Unit, User
from qualify.core.database import in_german_order
from qualify.extensions import db


def people_by_ids(user_ids: set[int]) -> list[User]:
    """These people (never the stand-ins of erased accounts), with their organisation, unit and roles, in German
    order of names: two statements, however many."""
    if not user_ids:
        return []
    stmt = (select(User).where(User.id.in_(user_ids), ~User.email.endswith(ERASED_DOMAIN))
            .options(joinedload(User.organisation), joinedload(User.unit), selectinload(User.role_rows))
            .order_by(in_german_order(User.display_name), User.id))
    return list(db.session.scalars(stmt).unique())


def move_people(people: list[User], organisation: Organisation, unit: Unit | None, *, actor: User,
                now: datetime) -> int:
    """Place these people of the organisation in the unit (None: in none of its units) as their page does it –
    refused as it refuses (AccountError), one entry in the log for each, saying from which unit to which. Return
    how many moved: who is there already stays, unlogged."""
    moved = 0
    for person in people:
        if person.organisation_id != organisation.id:  # the page offers no such move: it would change employers
            raise ValueError(f"person {person.id} is not of organisation {organisation.id}")
        if person.unit_id == (unit.id if unit else None):
            continue
        accounts.update_user(person, email=person.email, display_name=person.display_name,
                             personnel_number=person.personnel_number, language=person.language,
                             organisation=organisation, unit=unit, roles=set(person.roles), actor=actor, now=now)
        moved += 1
    db.session.flush()
    return moved
