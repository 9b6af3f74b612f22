"""`qualify exchange …`: the exchange's stored texts."""

import click
from flask.cli import AppGroup

from qualify.exchange.rerender import rerender_exchange
from qualify.extensions import db

exchange_cli = AppGroup("exchange", help="Moderated exchange of experience.")


@exchange_cli.command("rerender")
def rerender_command() -> None:
    """Render the stored HTML of posts, space descriptions and minutes again (after the renderer changed)."""
    changed = rerender_exchange()
    db.session.commit()
    click.echo(f"{changed} text(s) rendered anew.")
