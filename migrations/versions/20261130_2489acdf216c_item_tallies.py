"""item tallies

Revision ID: 2489acdf216c
Revises: acd3e88f63a1
Create Date: 2026-11-30 11:44:39.902993

The trainers' item statistics as tallies that are only ever added to, in groups of five first answers, and who
has been counted: computed from the attempts, the figures shifted when an attempt was deleted and showed the
answer that went. The scheduler's first count after this migration takes in the attempts already there.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '2489acdf216c'
down_revision = 'acd3e88f63a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('item_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=200), nullable=False),
    sa.Column('grading', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('wrong_answers', sa.JSON(), nullable=False),
    sa.Column('waiting', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_item_tallies_module_id_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_tallies')),
    sa.UniqueConstraint('module_id', 'question_key', 'grading', name=op.f('uq_item_tallies_module_id_question_key_grading'))
    )
    op.create_table('item_tally_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_item_tally_people_module_id_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_item_tally_people_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_tally_people')),
    sa.UniqueConstraint('module_id', 'user_id', name=op.f('uq_item_tally_people_module_id_user_id'))
    )
    with op.batch_alter_table('item_tally_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_tally_people_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('item_tally_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_tally_people_user_id'))

    op.drop_table('item_tally_people')
    op.drop_table('item_tallies')
