"""The `qualify` command: Flask's commands (run, db …) plus one group per feature."""

import click
from flask.cli import FlaskGroup

from qualify import create_app
from qualify.accounts.commands import users_cli
from qualify.courses.commands import courses_cli
from qualify.demo import demo_cli


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """Qualify – Lern- und Qualifizierungsplattform."""


cli.add_command(users_cli)
cli.add_command(demo_cli)
cli.add_command(courses_cli)


def main() -> None:
    cli(prog_name="qualify")
