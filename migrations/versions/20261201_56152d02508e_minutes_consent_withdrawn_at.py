"""exchange_minutes_consents.withdrawn_at

Revision ID: 56152d02508e
Revises: b6e62ab6af3b
Create Date: 2026-12-01 11:00:00

A consent taken back keeps its row, marked withdrawn_at: the moderator of the minutes reads "hat die Zustimmung
zurückgezogen" apart from "hat (noch) nicht geantwortet", which until now were both a missing row. Consents taken
back before this revision were deleted and read as not answered, as they did.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '56152d02508e'
down_revision = 'b6e62ab6af3b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exchange_minutes_consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))


def downgrade():
    # A withdrawn consent is no consent: without the column it must not read as one.
    op.execute(sa.text("DELETE FROM exchange_minutes_consents WHERE withdrawn_at IS NOT NULL"))
    with op.batch_alter_table('exchange_minutes_consents', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
