"""`qualify workshops …`: look at upcoming sessions and close bookings by hand."""

import click
from flask.cli import AppGroup

from qualify.core.time import to_local, utcnow
from qualify.extensions import db
from qualify.workshops import jobs, queries, services

workshops_cli = AppGroup("workshops", help="Workshop sessions and bookings.")


@workshops_cli.command("list")
def list_command() -> None:
    """Print the upcoming sessions with their seats and waitlists."""
    sessions = queries.upcoming_sessions(utcnow())
    counts = services.counts_for([s.id for s in sessions])
    for session in sessions:
        c = counts[session.id]
        starts = to_local(session.starts_at)
        click.echo(f"{session.id:>5}  {starts:%d.%m.%Y %H:%M}  {session.title[:50]:<50}  "
                   f"{c.get('confirmed', 0)}/{session.capacity} confirmed, {c.get('waitlisted', 0)} waiting, "
                   f"{c.get('pending', 0)} pending")
    click.echo(f"{len(sessions)} session(s).")


@workshops_cli.command("close-bookings")
def close_bookings_command() -> None:
    """Close the bookings of every session past its booking deadline (the scheduler does this each minute)."""
    closed = jobs.close_due_bookings(utcnow())
    db.session.commit()
    click.echo(f"{closed} session(s) closed.")
