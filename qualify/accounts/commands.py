"""`qualify users …`: create accounts from the command line."""

import secrets
from functools import partial

import click
from flask import current_app
from flask.cli import AppGroup

from qualify.accounts import csv_import, organisations, services
from qualify.accounts.csv_file import MAX_BYTES
from qualify.accounts.models import DEFAULT_SMALL_GROUP_THRESHOLD
from qualify.accounts.roles import Role, parse_role
from qualify.accounts.strength import check_password_strength
from qualify.core.time import utcnow
from qualify.extensions import db

# The command line is an entry point like the administration's pages, so it may reach a feature above the
# accounts: a person the import deactivates gives up their seats, as on the person's page.
from qualify.workshops.services import release_seats_of


@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """Manage accounts."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", "roles", multiple=True, default=["learner"], show_default=True,
              help="Role (learner, trainer, moderator, works_council, coordinator, org_admin, admin); "
                   "repeatable. org_admin needs --organisation.")
@click.option("--organisation", "organisation_slug", help="Slug of the organisation.")
@click.option("--password", help="Password; generated and printed when omitted.")
def create_user_command(email, display_name, roles, organisation_slug, password) -> None:
    """Create an account and print its password."""
    parsed = {parse_role(role) for role in roles}
    if None in parsed:
        raise click.BadParameter(f"unknown role in {', '.join(roles)}; use {', '.join(r.value for r in Role)}")
    organisation = services.get_organisation(organisation_slug) if organisation_slug else None
    if organisation_slug and organisation is None:
        raise click.BadParameter(f"no organisation {organisation_slug!r}")
    password = password or secrets.token_urlsafe(12)
    problem = check_password_strength(password, email=email, name=display_name,
                                      workplace=[organisation.name] if organisation else ())
    if problem:
        raise click.BadParameter(problem)
    try:
        user = services.create_user(email, display_name, password=password, roles=parsed, organisation=organisation)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(r.value for r in user.roles))}) password: {password}")


@users_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--organisation", "organisation_slug", required=True, help="Slug of the organisation.")
@click.option("--dry-run", is_flag=True, help="Only check the file and show what would change.")
@click.option("--deactivate-missing", is_flag=True,
              help="The file is a full export: deactivate the organisation's active people it lacks (never admins; "
                   "refused when more than half are missing).")
def import_users_command(file, organisation_slug, dry_run, deactivate_missing) -> None:
    """Create or update the people of an organisation from a CSV file and invite the new ones."""
    organisation = services.get_organisation(organisation_slug)
    if organisation is None:
        raise click.BadParameter(f"no organisation {organisation_slug!r}", param_hint="--organisation")
    plan = csv_import.plan_import(file.read(MAX_BYTES + 1), organisation,
                                  deactivate_missing=deactivate_missing)
    for problem in plan.problems:
        where = f"Zeile {problem.line}" if problem.line else "Datei"
        click.echo(f"{where}: {problem.column + ': ' if problem.column else ''}{problem.message}", err=True)
    for hint in plan.hints:  # what would be possible, once for all the problems
        click.echo(hint, err=True)
    if plan.ignored_columns:
        click.echo(f"Nicht übernommen: {', '.join(plan.ignored_columns)}", err=True)
    if plan.admin_grants:
        click.echo(f"Achtung: {plan.admin_grants} Person(en) erhalten Administrationsrechte.", err=True)
    summary = (f"{plan.count('new')} neu, {plan.count('changed')} geändert, "
               f"{plan.count('unchanged')} unverändert")
    if not plan.ok:
        raise click.ClickException(f"{len(plan.problems)} Problem(e); nichts importiert.")
    if plan.missing:
        _echo_missing(plan.missing)
    if dry_run:
        leaving = f", {len(plan.leavers)} zu deaktivieren" if plan.deactivate_missing else ""
        click.echo(f"Probelauf: {summary}{leaving}; nichts importiert.")
        return
    # Invitations carry absolute links; outside a request they point at the configured base URL.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        counts = csv_import.apply_import(plan, release_seats=partial(release_seats_of, now=utcnow()))
        db.session.commit()
    if plan.deactivate_missing:
        summary += f", {counts['deactivated']} deaktiviert ({counts['released']} gebuchte Plätze freigegeben)"
    click.echo(f"Importiert: {summary}.")


def _echo_missing(missing) -> None:
    """List the active people the file lacks: those to be deactivated, and those who stay, with the roles that
    keep them."""
    for user in missing.leavers:
        click.echo(f"Wird deaktiviert (fehlt in der Datei): {user.display_name} <{user.email}>"
                   f"{' · ' + user.unit.name if user.unit else ''}", err=True)
    for kept in missing.kept:
        click.echo(f"Bleibt aktiv ({kept.role_labels}): {kept.user.display_name} <{kept.user.email}>", err=True)


@users_cli.command("add-organisation")
@click.argument("name")
@click.option("--slug", help="Short name for --organisation of other commands; made from NAME when omitted.")
@click.option("--unit", "units", multiple=True, help="A unit (department or site); repeatable.")
@click.option("--threshold", "small_group_threshold", type=int, default=DEFAULT_SMALL_GROUP_THRESHOLD,
              show_default=True, help="Smallest group reports show, as agreed with the works council (at least 3).")
def add_organisation_command(name, slug, units, small_group_threshold) -> None:
    """Create an organisation with its units, e.g. before importing its people."""
    try:
        organisation = organisations.add_organisation(name, slug=slug, small_group_threshold=small_group_threshold,
                                                 units=units)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created organisation {organisation.name} ({organisation.slug}) with {len(units)} unit(s); "
               f"small-group threshold {organisation.small_group_threshold}.")


@users_cli.command("add-units")
@click.argument("organisation_slug")
@click.argument("units", nargs=-1, required=True)
def add_units_command(organisation_slug, units) -> None:
    """Add units to an organisation: qualify users add-units muster-gmbh Montage Logistik."""
    organisation = services.get_organisation(organisation_slug)
    if organisation is None:
        raise click.BadParameter(f"no organisation {organisation_slug!r}", param_hint="ORGANISATION_SLUG")
    try:
        added = organisations.add_units(organisation, units)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Added {len(added)} unit(s) to {organisation.name}: {', '.join(unit.name for unit in added)}.")
