"""The `qualify` command: Flask's commands (run, db …) plus one group per feature."""

import click
from flask.cli import FlaskGroup
from flask_migrate.cli import db as db_cli

from qualify import create_app
from qualify.accounts.commands import users_cli
from qualify.core.scheduler import CORE_JOBS, scheduler_command
from qualify.core.serve import serve_command
from qualify.courses.commands import courses_cli
from qualify.demo import demo_cli
from qualify.exchange.commands import exchange_cli
from qualify.exchange.jobs import JOBS as EXCHANGE_JOBS
from qualify.learning.jobs import JOBS as LEARNING_JOBS
from qualify.privacy.jobs import JOBS as PRIVACY_JOBS
from qualify.reports.commands import reports_cli
from qualify.reports.jobs import JOBS as REPORT_JOBS
from qualify.workshops.commands import workshops_cli
from qualify.workshops.jobs import JOBS as WORKSHOP_JOBS

# Every scheduled job of every feature, run by `qualify scheduler` in exactly one process.
JOBS = (*CORE_JOBS, *LEARNING_JOBS, *WORKSHOP_JOBS, *REPORT_JOBS, *EXCHANGE_JOBS, *PRIVACY_JOBS)


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """Qualify – Lern- und Qualifizierungsplattform."""


cli.add_command(db_cli)  # web workers load Flask-Migrate on demand, the command line always
cli.add_command(users_cli)
cli.add_command(demo_cli)
cli.add_command(courses_cli)
cli.add_command(workshops_cli)
cli.add_command(exchange_cli)
cli.add_command(reports_cli)
cli.add_command(scheduler_command(JOBS))
cli.add_command(serve_command(create_app))


def main() -> None:
    cli(prog_name="qualify")
