"""format feedback

Revision ID: a41f9c2d7b63
Revises: 784160312391
Create Date: 2026-11-29 19:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a41f9c2d7b63'
down_revision = '784160312391'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('format_feedback',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('module_kind', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('usefulness', sa.Integer(), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('would_recommend', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_format_feedback_module_id_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_format_feedback'))
    )
    with op.batch_alter_table('format_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_format_feedback_module_id'), ['module_id'], unique=False)

    op.create_table('format_feedback_given',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_format_feedback_given')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_format_feedback_given_key_hash'))
    )


def downgrade():
    op.drop_table('format_feedback_given')
    with op.batch_alter_table('format_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_format_feedback_module_id'))

    op.drop_table('format_feedback')
