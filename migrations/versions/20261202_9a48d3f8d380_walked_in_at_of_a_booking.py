"""When a person came to a session without a seat

Revision ID: 9a48d3f8d380
Revises: e5b7c2d49a18
Create Date: 2026-12-02 16:00:00

A trainer enters someone who came without a seat on the attendance list (workshops/attendance.add_walk_in). That was
known only from the audit log, which its retention period empties: the participant list then called the person's
seat confirmed like any other. The booking now keeps the moment itself. Those entered so far get it from their log
entries still there (action workshops.walk_in, about the person, with the session's id in the details): the moment
their seat was confirmed, which the walk-in set in the same step as the booking's date when it made the booking –
so that the list still knows there was no booking before –, or the entry's own time where that is missing. Only
seats still held, as the lists read them before. Where the entry is gone already, nothing is known.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9a48d3f8d380'
down_revision = 'e5b7c2d49a18'
branch_labels = None
depends_on = None

# As the tables stood at this revision (not the models, which move on).
audit_events = sa.table("audit_events", sa.column("action", sa.String), sa.column("target_type", sa.String),
                        sa.column("target_id", sa.Integer), sa.column("details", sa.JSON),
                        sa.column("created_at", sa.DateTime))
bookings = sa.table("workshop_bookings", sa.column("session_id", sa.Integer), sa.column("user_id", sa.Integer),
                    sa.column("status", sa.String), sa.column("confirmed_at", sa.DateTime),
                    sa.column("walked_in_at", sa.DateTime))


def upgrade():
    with op.batch_alter_table('workshop_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walked_in_at', sa.DateTime(), nullable=True))
    connection = op.get_bind()
    entries = connection.execute(
        sa.select(audit_events.c.target_id, audit_events.c.details, audit_events.c.created_at)
        .where(audit_events.c.action == "workshops.walk_in", audit_events.c.target_type == "User",
               audit_events.c.target_id.is_not(None))
        .order_by(audit_events.c.created_at)).all()  # the latest entry last, if someone was entered twice
    for user_id, details, created_at in entries:
        session_id = (details or {}).get("session_id")
        if not isinstance(session_id, int):
            continue
        connection.execute(
            sa.update(bookings)
            .where(bookings.c.session_id == session_id, bookings.c.user_id == user_id,
                   bookings.c.status == "confirmed")
            .values(walked_in_at=sa.func.coalesce(bookings.c.confirmed_at, sa.literal(created_at, sa.DateTime))))


def downgrade():
    # The log entries stay where the retention period left them: what the code before this revision reads.
    with op.batch_alter_table('workshop_bookings', schema=None) as batch_op:
        batch_op.drop_column('walked_in_at')
