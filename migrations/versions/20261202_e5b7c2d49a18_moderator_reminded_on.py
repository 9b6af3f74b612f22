"""The day a moderator was last reminded of what waits

Revision ID: e5b7c2d49a18
Revises: c81f5e3a9d04
Create Date: 2026-12-02 14:00:00

Each working-day morning the scheduler mails every moderator a summary of what waits in their spaces
(exchange/jobs.py). The day it was sent is kept on each of the moderator's assignments, so that a restarted
scheduler or a second run the same day sends nothing again. Empty for everybody at first: the first morning after
the upgrade reminds whoever has something waiting.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b7c2d49a18'
down_revision = 'c81f5e3a9d04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exchange_space_moderators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('exchange_space_moderators', schema=None) as batch_op:
        batch_op.drop_column('reminded_on')
