"""workshop session cancellation note

Revision ID: 41b4398a4701
Revises: 740a76a43e65
Create Date: 2026-11-30 06:03:48.582302

Why a session was cancelled, as the trainer wrote it: in the mail to those booked and on the session page.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '41b4398a4701'
down_revision = '740a76a43e65'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancellation_note', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('workshop_sessions', schema=None) as batch_op:
        batch_op.drop_column('cancellation_note')

