"""module drafts

Revision ID: 4d8a2c6e1f37
Revises: 9b3e6f1a7c52
Create Date: 2026-12-01 07:00:00

Edits to a module of a published course kept back from learners until a course editor publishes them
(courses/drafts.py). Empty at first.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '4d8a2c6e1f37'
down_revision = '9b3e6f1a7c52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('module_drafts',
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('base', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_module_drafts_module_id_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_module_drafts_saved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('module_id', name=op.f('pk_module_drafts'))
    )


def downgrade():
    op.drop_table('module_drafts')
