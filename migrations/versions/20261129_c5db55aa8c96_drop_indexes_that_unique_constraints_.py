"""drop indexes that unique constraints already cover

Revision ID: c5db55aa8c96
Revises: 2d4e33f4c606
Create Date: 2026-11-29 21:27:16.793564

A unique constraint on (a, b) is an index whose first column is a: a second index on a alone only costs
writes and space.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5db55aa8c96'
down_revision = '2d4e33f4c606'
branch_labels = None
depends_on = None

# (table, column) whose single-column index leads a unique constraint of the same table.
COVERED = [
    ("certificates", "user_id"), ("course_files", "course_id"), ("course_owners", "course_id"),
    ("enrolments", "user_id"), ("exchange_flags", "post_id"), ("exchange_follows", "thread_id"),
    ("exchange_minutes_consents", "session_id"), ("exchange_pseudonyms", "space_id"),
    ("exchange_space_moderators", "space_id"), ("module_completions", "user_id"),
    ("module_versions", "module_id"), ("modules", "course_id"), ("quiz_attempts", "user_id"),
    ("reflections", "user_id"), ("units", "organisation_id"), ("user_roles", "user_id"),
    ("users", "organisation_id"), ("workshop_bookings", "session_id"), ("workshop_reminders", "booking_id"),
]


def upgrade():
    for table, column in COVERED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade():
    for table, column in COVERED:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)
