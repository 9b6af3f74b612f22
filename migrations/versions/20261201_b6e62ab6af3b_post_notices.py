"""post notices

Revision ID: b6e62ab6af3b
Revises: d55125a2edc7
Create Date: 2026-12-01 16:00:00

exchange_post_notices: a post just published whose thread's followers are still to be told, kept until the next
run of the outbox writes their mails (exchange/notices.py): the reply no longer renders a mail per follower. Empty
at first – the posts published before were mailed when they were published.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b6e62ab6af3b'
down_revision = 'd55125a2edc7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exchange_post_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('noted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['exchange_posts.id'], name=op.f('fk_exchange_post_notices_post_id_exchange_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_post_notices'))
    )
    with op.batch_alter_table('exchange_post_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_post_notices_post_id'), ['post_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exchange_post_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_post_notices_post_id'))

    op.drop_table('exchange_post_notices')
