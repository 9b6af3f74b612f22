"""password reset requests

Revision ID: a4c7e2d91f58
Revises: 68c19ed867c0
Create Date: 2026-12-01 09:00:00

The addresses a reset link was asked for on "Passwort vergessen", each kept until the next run of the outbox
turns it into a mail (to an active account) or forgets it (accounts/reset_requests.py): the request does the same
work for a known and an unknown address. Empty at first.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4c7e2d91f58'
down_revision = '68c19ed867c0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_requests'))
    )


def downgrade():
    op.drop_table('password_reset_requests')
