"""person of an outbox message

Revision ID: f2a6c8d3e915
Revises: e3b9a7c41d26
Create Date: 2026-11-30 18:10:00

Erasing an account deleted the mail to the person's current address only: mail sent to an address they had
before (an invitation to a mistyped one, say) stayed until the mail retention ran out, with their name in it.
Mail for a person now carries their account, and goes with it. Mail written before stays found by address.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2a6c8d3e915'
down_revision = 'e3b9a7c41d26'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_index("ix_outbox_messages_user_id", ["user_id"], unique=False)
        batch.create_foreign_key("fk_outbox_messages_user_id_users", "users", ["user_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_constraint("fk_outbox_messages_user_id_users", type_="foreignkey")
        batch.drop_index("ix_outbox_messages_user_id")
        batch.drop_column("user_id")
