"""`qualify users …`: create accounts from the command line."""

import secrets

import click
from flask.cli import AppGroup

from qualify.accounts import services
from qualify.accounts.roles import Role, parse_role
from qualify.extensions import db


@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """Manage accounts."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", "roles", multiple=True, default=["learner"], show_default=True,
              help="Role (learner, trainer, moderator, works_council, coordinator, admin); repeatable.")
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
    problem = services.check_password_strength(password)
    if problem:
        raise click.BadParameter(problem)
    try:
        user = services.create_user(email, display_name, password=password, roles=parsed, organisation=organisation)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(r.value for r in user.roles))}) password: {password}")
