"""the index of open attempts holds only timed ones

Revision ID: 5c0e7a9d3b21
Revises: 2489acdf216c
Create Date: 2026-11-30 14:40:00

The partial index for the scheduler's look for attempts whose time ran out held every open attempt, timed or
not, under `submitted_at IS NULL` – which handing an attempt in (`id = … AND submitted_at IS NULL`) implies. With
statistics from before a busy hour, PostgreSQL took it for that UPDATE and read every open attempt to find one:
2 ms instead of 0.2 at a few hundred open attempts, growing with them. `deadline_at IS NOT NULL` in the
predicate keeps the index to timed attempts and out of any plan that does not ask for a deadline.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c0e7a9d3b21'
down_revision = '2489acdf216c'
branch_labels = None
depends_on = None

OPEN = sa.text("submitted_at IS NULL")
TIMED_AND_OPEN = sa.text("submitted_at IS NULL AND deadline_at IS NOT NULL")


def _replace_index(old, new):
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_quiz_attempts_open_deadline", postgresql_where=old, sqlite_where=old)
        batch_op.create_index("ix_quiz_attempts_open_deadline", ["deadline_at"], unique=False,
                              postgresql_where=new, sqlite_where=new)


def upgrade():
    _replace_index(OPEN, TIMED_AND_OPEN)


def downgrade():
    _replace_index(TIMED_AND_OPEN, OPEN)
