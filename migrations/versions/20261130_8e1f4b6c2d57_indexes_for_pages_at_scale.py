"""indexes for pages at scale

Revision ID: 8e1f4b6c2d57
Revises: 5c0e7a9d3b21
Create Date: 2026-11-30 15:30:00

Found by measuring every page on the benchmark's data set (20,000 people, 200,000 audit events): a person's data
export scanned enrolments, posts, the audit log and the outbox for columns without an index; the audit log
filtered by a rare action read the whole log backwards; the people list sorted everyone on every page. The two
foreign keys also spare PostgreSQL a scan of their tables whenever an account is erased (ON DELETE SET NULL).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e1f4b6c2d57'
down_revision = '5c0e7a9d3b21'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_audit_events_target", "audit_events", ["target_type", "target_id"]),
    ("ix_audit_events_action_created_at", "audit_events", ["action", "created_at"]),
    ("ix_outbox_messages_recipient", "outbox_messages", ["recipient"]),
    ("ix_enrolments_enrolled_by_id", "enrolments", ["enrolled_by_id"]),
    ("ix_exchange_posts_moderated_by_id", "exchange_posts", ["moderated_by_id"]),
    ("ix_users_display_name_id", "users", ["display_name", "id"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
