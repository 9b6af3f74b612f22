"""The organisation of earlier log entries about mandatory courses

Revision ID: 3f9a1c7b5d20
Revises: 56152d02508e
Create Date: 2026-12-01 12:00:00

Entries about mandatory courses (given, ended, newcomers enrolled) now carry their unit's organisation in the
events' organisation column, so that the organisation's own administration reads those about its units. The
entries written before get it from the unit they name; a unit deleted since leaves its entry without one.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f9a1c7b5d20'
down_revision = '56152d02508e'
branch_labels = None
depends_on = None

ACTIONS = "('enrolments.mandatory', 'enrolments.mandatory_ended', 'enrolments.mandatory_newcomers')"


def upgrade():
    unit_id = ("CAST(audit_events.details ->> 'unit_id' AS INTEGER)" if op.get_bind().dialect.name == "postgresql"
               else "CAST(json_extract(audit_events.details, '$.unit_id') AS INTEGER)")
    op.execute(sa.text(
        "UPDATE audit_events SET organisation_id = (SELECT units.organisation_id FROM units "
        f"WHERE units.id = {unit_id}) WHERE action IN {ACTIONS} AND organisation_id IS NULL"))


def downgrade():
    pass  # the column stays; the entries' organisation is true either way
