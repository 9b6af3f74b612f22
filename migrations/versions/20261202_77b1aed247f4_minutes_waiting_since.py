"""Since when exchange minutes have waited for approval

Revision ID: 77b1aed247f4
Revises: 7f40c7b83418
Create Date: 2026-12-02 17:00:00

Minutes waiting for approval (a draft never approved, or a change of approved minutes) were counted as waiting since
they were last saved, so a draft saved again and again looked fresh in the moderators' queue and reminder however
long it had waited. Now the moment they came to wait is kept, and saving again leaves it. Minutes waiting now wait
since they were last saved, the only moment known of them; approved minutes wait for nothing (None).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '77b1aed247f4'
down_revision = '7f40c7b83418'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exchange_minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(), nullable=True))
    op.execute(sa.text("UPDATE exchange_minutes SET waiting_since = updated_at WHERE status = 'draft'"))


def downgrade():
    with op.batch_alter_table('exchange_minutes', schema=None) as batch_op:
        batch_op.drop_column('waiting_since')
