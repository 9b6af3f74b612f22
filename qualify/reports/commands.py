"""`qualify reports …`: count the participation rollups by hand."""

import click
from flask.cli import AppGroup

from qualify.core import audit
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.reports.rollup import refresh_rollups

reports_cli = AppGroup("reports", help="Participation reports for works councils.")


@reports_cli.command("refresh")
@click.option("--rebuild", is_flag=True, help="Recount every month, also the published (frozen) ones.")
def refresh_command(rebuild: bool) -> None:
    """Count the rollups now (the scheduler does this every night)."""
    counted = refresh_rollups(utcnow(), rebuild=rebuild)
    # In the works council's access log like the admin's button: a rebuild rewrites published months.
    audit.record("reports.refresh", organisation_id=None, months=counted, rebuild=rebuild, via="cli")
    db.session.commit()
    click.echo(f"{counted} month(s) counted.")
