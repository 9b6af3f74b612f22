"""`qualify reports …`: count the participation rollups by hand."""

import click
from flask.cli import AppGroup

from qualify.core import audit
from qualify.core.time import utcnow
from qualify.extensions import db
from qualify.reports.rollup import refresh_rollups

reports_cli = AppGroup("reports", help="Participation reports for works councils.")


# Units are those of today: a month counted again moves everyone who changed units since into their new unit,
# and the works council, comparing the figures before and after, can see which unit gained whom.
REBUILD_WARNING = ("Recounting published months counts everyone in the unit they belong to today. Where a person "
                   "changed units since, the works council can tell, from the figures before and after, what that "
                   "person did in those months. Recount anyway?")


@reports_cli.command("refresh")
@click.option("--rebuild", is_flag=True, help="Recount every month, also the published (frozen) ones.")
@click.option("--yes", is_flag=True, help="Recount published months without asking (for scripts).")
def refresh_command(rebuild: bool, yes: bool) -> None:
    """Count the rollups now (the scheduler does this every night)."""
    if rebuild and not yes:
        click.confirm(REBUILD_WARNING, abort=True)
    counted = refresh_rollups(utcnow(), rebuild=rebuild)
    # In the works council's access log like the admin's button: a rebuild rewrites published months.
    audit.record("reports.refresh", organisation_id=None, months=counted, rebuild=rebuild, via="cli")
    db.session.commit()
    click.echo(f"{counted} month(s) counted.")
