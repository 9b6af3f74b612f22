"""withheld report cells

Revision ID: 9b3e6f1a7c52
Revises: 0c7e5d2a9b14
Create Date: 2026-12-01 10:00:00

The figures a protected report table withheld, per scope and family of tables, month and cell, so that a
figure once withheld stays withheld after later counts (reports/withheld.py). Empty at first: the first view
after this migration writes down what the tables withhold now.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b3e6f1a7c52'
down_revision = '0c7e5d2a9b14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_withheld_cells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_key', sa.String(length=40), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('cell', sa.String(length=100), nullable=False),
    sa.Column('counted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_withheld_cells')),
    sa.UniqueConstraint('table_key', 'month', 'cell', name=op.f('uq_report_withheld_cells_table_key_month_cell'))
    )


def downgrade():
    op.drop_table('report_withheld_cells')
