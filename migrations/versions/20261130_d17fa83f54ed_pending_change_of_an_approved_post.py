"""pending change of an approved post

Revision ID: d17fa83f54ed
Revises: b7d2e5a91c40
Create Date: 2026-11-30 18:00:00

An author who edited their published post in a pre-moderated space sent the post back to the queue: the approved
text vanished for everyone (with an opening post, the whole conversation) until a moderator approved it again,
and the approval then told the followers of a new post. The change now waits beside the approved text, which
stays visible; the index lets the queue find the few posts with a change waiting.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd17fa83f54ed'
down_revision = 'b7d2e5a91c40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exchange_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision_source', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('revision_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('revised_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_exchange_posts_revised_at'), ['revised_at'], unique=False)


def downgrade():
    with op.batch_alter_table('exchange_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_posts_revised_at'))
        batch_op.drop_column('revised_at')
        batch_op.drop_column('revision_html')
        batch_op.drop_column('revision_source')
