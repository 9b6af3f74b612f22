"""What a throttle record counts: a failed sign-in or a reset mail asked for

Revision ID: 7d2e4a9c1b63
Revises: 3f9a1c7b5d20
Create Date: 2026-12-02 10:00:00

Reset mails to one address are capped per day as well as per throttle window (accounts/auth.py), so their records
live 24 hours while failed sign-ins go after the window. The keys are hashes: the purge tells the two apart by
this column. The rows already there become failed sign-ins – reset rows among them go after the window, as they
did before, and the day's cap counts from the upgrade on.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d2e4a9c1b63'
down_revision = '3f9a1c7b5d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='login', nullable=False))


def downgrade():
    # The reset records stay, for the old code to purge after the window.
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_column('kind')
