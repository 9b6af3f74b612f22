"""partial index of open quiz attempts by deadline

Revision ID: f8c46a412c09
Revises: c5db55aa8c96
Create Date: 2026-11-30 03:43:57.169869

The scheduler hands in attempts whose time ran out; it looks for them every minute. Only open attempts are in
the index, so it stays small however many attempts were ever handed in.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f8c46a412c09'
down_revision = 'c5db55aa8c96'
branch_labels = None
depends_on = None

OPEN = sa.text("submitted_at IS NULL")


def upgrade():
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_quiz_attempts_open_deadline", ["deadline_at"], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade():
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_quiz_attempts_open_deadline", postgresql_where=OPEN, sqlite_where=OPEN)
