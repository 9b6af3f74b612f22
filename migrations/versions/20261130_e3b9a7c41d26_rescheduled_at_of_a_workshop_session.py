"""rescheduled at of a workshop session

Revision ID: e3b9a7c41d26
Revises: d17fa83f54ed
Create Date: 2026-11-30 19:00:00

When a session's date or time was last changed. Whoever booked before did not agree to the new time: they may give
up their seat until the session begins, whatever its cancellation deadline. Empty for sessions never moved.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3b9a7c41d26'
down_revision = 'd17fa83f54ed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rescheduled_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('workshop_sessions', schema=None) as batch_op:
        batch_op.drop_column('rescheduled_at')
