"""`qualify demo load`: demo organisations and one account per role, for trying the platform out."""

from datetime import time, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from qualify.accounts import services
from qualify.accounts.models import Unit
from qualify.accounts.roles import Role
from qualify.core.time import LOCAL_TZ, utcnow
from qualify.courses.models import Course, CourseOwner
from qualify.exchange.models import ExchangeSpace, SpaceModerator
from qualify.exchange.spaces import ensure_module_spaces
from qualify.extensions import db
from qualify.workshops.models import WorkshopSession
from qualify.workshops.schedule import SessionPlan, create_sessions

DEMO_ORGANISATIONS = [
    ("muster-antriebe", "Muster Antriebstechnik GmbH",
     ["Montage Werk Nord", "Elektronikfertigung", "Logistik", "Instandhaltung"]),
    ("beispiel-zulieferer", "Beispiel Zulieferer AG", ["Gießerei", "Kunststofftechnik", "Qualitätssicherung"]),
    ("netzwerk", "Transformationsnetzwerk (Geschäftsstelle)", ["Geschäftsstelle"]),
]

# (e-mail, name, roles, organisation, unit, password). Demo only: documented in the README.
DEMO_ACCOUNTS = [
    ("lernende@demo.qualify.test", "Lena Lernende", {Role.LEARNER}, "muster-antriebe", "Montage Werk Nord",
     "lernen-demo-2026"),
    ("trainer@demo.qualify.test", "Tom Trainer", {Role.TRAINER, Role.LEARNER}, "netzwerk", "Geschäftsstelle",
     "trainer-demo-2026"),
    ("moderation@demo.qualify.test", "Mira Moderatorin", {Role.MODERATOR, Role.LEARNER}, "netzwerk",
     "Geschäftsstelle", "moderation-demo-2026"),
    ("betriebsrat@demo.qualify.test", "Bernd Betriebsrat", {Role.WORKS_COUNCIL, Role.LEARNER}, "muster-antriebe",
     "Elektronikfertigung", "betriebsrat-demo-2026"),
    ("koordination@demo.qualify.test", "Kim Koordination", {Role.COORDINATOR}, "netzwerk", "Geschäftsstelle",
     "koordination-demo-2026"),
    ("admin@demo.qualify.test", "Ada Admin", {Role.ADMIN}, "netzwerk", "Geschäftsstelle", "admin-demo-2026"),
]


def load_demo_accounts() -> list[str]:
    """Create the demo organisations and accounts that are missing; return the new e-mail addresses."""
    for slug, name, units in DEMO_ORGANISATIONS:
        if services.get_organisation(slug) is None:
            services.create_organisation(slug, name, units)
    created = []
    for email, name, roles, org_slug, unit_name, password in DEMO_ACCOUNTS:
        if services.find_user_by_email(email):
            continue
        organisation = services.get_organisation(org_slug)
        unit = db.session.scalar(select(Unit).where(Unit.organisation_id == organisation.id, Unit.name == unit_name))
        services.create_user(email, name, password=password, roles=roles, organisation=organisation, unit=unit)
        created.append(email)
    return created


def give_demo_roles_their_work() -> None:
    """Let the demo trainer own the imported courses, plan sessions, and the moderator run the spaces."""
    trainer = services.find_user_by_email("trainer@demo.qualify.test")
    moderator = services.find_user_by_email("moderation@demo.qualify.test")
    if trainer is None or moderator is None:
        return
    now = utcnow()
    for course in db.session.scalars(select(Course)):
        if not any(owner.user_id == trainer.id for owner in course.owners):
            db.session.add(CourseOwner(course_id=course.id, user_id=trainer.id))
        for module in course.active_modules:
            if module.current_version.kind != "workshop" or db.session.scalar(
                    select(WorkshopSession.id).where(WorkshopSession.module_id == module.id).limit(1)):
                continue
            in_two_weeks = (now.astimezone(LOCAL_TZ) + timedelta(days=14)).date()
            plan = SessionPlan(start_time=time(9), end_time=time(12), capacity=module.current_version.settings.get(
                "capacity", 10), format=module.current_version.settings.get("format", "in-person"),
                place="Schulungszentrum, Halle 3", trainers=[trainer])
            create_sessions(module, plan, [in_two_weeks, in_two_weeks + timedelta(days=7)], by=trainer, now=now)
    ensure_module_spaces()
    moderated = set(db.session.scalars(select(SpaceModerator.space_id).where(SpaceModerator.user_id == moderator.id)))
    for space_id in db.session.scalars(select(ExchangeSpace.id)):
        if space_id not in moderated:
            db.session.add(SpaceModerator(space_id=space_id, user_id=moderator.id, assigned_at=now))


@click.group("demo", cls=AppGroup)
def demo_cli() -> None:
    """Demo data for trying Qualify out."""


@demo_cli.command("load")
def load_command() -> None:
    """Load demo organisations and one account per role (idempotent)."""
    created = load_demo_accounts()
    give_demo_roles_their_work()
    db.session.commit()
    click.echo(f"Demo accounts ({len(created)} new):")
    for email, _name, roles, _org, _unit, password in DEMO_ACCOUNTS:
        click.echo(f"  {email:32} {', '.join(sorted(r.value for r in roles)):26} password: {password}")
