"""`qualify reports …`: count the participation rollups by hand."""

import click
from flask.cli import AppGroup

from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.reports.rollup import refresh_rollups

reports_cli = AppGroup("reports", help="Participation reports for works councils.")


@reports_cli.command("refresh")
@click.option("--rebuild", is_flag=True, help="Recount every month, also the frozen ones.")
def refresh_command(rebuild: bool) -> None:
    """Count the rollups now (the scheduler does this every night)."""
    counted = refresh_rollups(utcnow(), rebuild=rebuild)
    db.session.commit()
    click.echo(f"{counted} month(s) counted.")
