"""calendar sequence of a booking

Revision ID: acd3e88f63a1
Revises: 41b4398a4701
Create Date: 2026-11-30 11:33:10.034715

How far a person's calendar entry for a session is ahead of the session's own sequence: giving up a seat and
booking it again each raise it, so that the cancellation and the new invitation both supersede what the
person's calendar holds.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'acd3e88f63a1'
down_revision = '41b4398a4701'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('workshop_bookings', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
