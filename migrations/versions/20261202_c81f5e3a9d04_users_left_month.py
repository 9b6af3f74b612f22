"""The month a person left

Revision ID: c81f5e3a9d04
Revises: 7d2e4a9c1b63
Create Date: 2026-12-02 12:00:00

The participation reports count someone who left in the size of their group up to the month they left, as they
count what that person did (reports/rollup.py): a share then counts its people and its base over the same people.
Accounts deactivated before get the month of their last deactivation in the log; erased accounts' stand-ins the
month they were made in, the month of the erasure. Where neither is known (the log entry gone with its retention
period), the month stays empty and the person counts in no month counted from now on.
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c81f5e3a9d04'
down_revision = '7d2e4a9c1b63'
branch_labels = None
depends_on = None

BERLIN = ZoneInfo("Europe/Berlin")
ERASED_DOMAIN = "@geloescht.invalid"


def _month(moment) -> object:
    if isinstance(moment, str):  # SQLite returns MAX() of a timestamp as text
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC).astimezone(BERLIN).date().replace(day=1)  # stored as naive UTC


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_month', sa.Date(), nullable=True))
    connection = op.get_bind()
    deactivated = dict(connection.execute(sa.text(
        "SELECT target_id, MAX(created_at) FROM audit_events WHERE action = 'user.deactivate' "
        "AND target_type = 'User' AND target_id IS NOT NULL GROUP BY target_id")).all())
    gone = connection.execute(sa.text("SELECT id, email, created_at FROM users WHERE active = :no"),
                              {"no": False}).all()
    for user_id, email, created_at in gone:
        moment = created_at if email.endswith(ERASED_DOMAIN) else deactivated.get(user_id)
        if moment is not None:
            connection.execute(sa.text("UPDATE users SET left_month = :month WHERE id = :id"),
                               {"month": _month(moment), "id": user_id})


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('left_month')
