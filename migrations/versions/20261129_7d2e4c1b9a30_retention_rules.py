"""retention rules

Revision ID: 7d2e4c1b9a30
Revises: 58bdff11b80b
Create Date: 2026-11-29 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7d2e4c1b9a30'
down_revision = '58bdff11b80b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('retention_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_rules')),
    sa.UniqueConstraint('category', name=op.f('uq_retention_rules_category'))
    )


def downgrade():
    op.drop_table('retention_rules')
