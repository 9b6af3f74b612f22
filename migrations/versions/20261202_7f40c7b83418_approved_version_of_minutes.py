"""The approved version of exchange minutes, kept beside a change

Revision ID: 7f40c7b83418
Revises: 9a48d3f8d380
Create Date: 2026-12-02 15:00:00

A moderator's change of published minutes went back to draft, and the space showed no minutes of the session until
it was approved again. Now the approved version is kept (its four sections, rendered HTML and people listed) and
the space shows it while a change waits. Minutes published now get their current text as their approved version;
drafts have none, as they were never approved or were taken back after a withdrawn consent.

Down again, minutes with a change waiting are drafts, as before this revision: the space stops showing them until
they are approved (never the approved version with the waiting text, which nobody approved).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7f40c7b83418'
down_revision = '9a48d3f8d380'
branch_labels = None
depends_on = None

SECTIONS = ("topics", "outcomes", "open_questions", "next_steps")


def upgrade():
    with op.batch_alter_table('exchange_minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_texts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('published_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('published_named_ids', sa.JSON(), nullable=True))
    connection = op.get_bind()
    copy = sa.text("UPDATE exchange_minutes SET published_texts = :texts, published_html = body_html, "
                   "published_named_ids = named_user_ids WHERE id = :id").bindparams(
        sa.bindparam("texts", type_=sa.JSON()))
    published = connection.execute(sa.text(
        "SELECT id, topics, outcomes, open_questions, next_steps FROM exchange_minutes "
        "WHERE status = 'published'")).all()
    for row in published:
        connection.execute(copy, {"id": row.id, "texts": {field: getattr(row, field) or "" for field in SECTIONS}})


def downgrade():
    # Only the approved version was shown; without it, a change waiting must not read as approved.
    op.execute(sa.text("UPDATE exchange_minutes SET published_at = NULL, published_by_id = NULL "
                       "WHERE status = 'draft'"))
    with op.batch_alter_table('exchange_minutes', schema=None) as batch_op:
        batch_op.drop_column('published_named_ids')
        batch_op.drop_column('published_html')
        batch_op.drop_column('published_texts')
