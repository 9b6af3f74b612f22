"""German collation for names and titles

Revision ID: 0c7e5d2a9b14
Revises: f2a6c8d3e915
Create Date: 2026-11-30 19:40:00

Lists sorted by name or title put Ä, Ö and Ü after Z ("Özdemir" after "Zimmermann"). PostgreSQL sorts them as
German readers expect with an ICU collation, which queries name in their ORDER BY. SQLite gets the same order
from a collation the app registers on every connection, so it needs nothing here.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0c7e5d2a9b14'
down_revision = 'f2a6c8d3e915'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_users_display_name_id", table_name="users")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE COLLATION IF NOT EXISTS german (provider = icu, locale = 'de-DE')")
        op.execute("CREATE INDEX ix_users_display_name_german_id ON users (display_name COLLATE german, id)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_users_display_name_german_id")
        op.execute("DROP COLLATION IF EXISTS german")
    op.create_index("ix_users_display_name_id", "users", ["display_name", "id"], unique=False)
