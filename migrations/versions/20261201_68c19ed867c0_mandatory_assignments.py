"""mandatory assignments

Revision ID: 68c19ed867c0
Revises: 4d8a2c6e1f37
Create Date: 2026-12-01 08:00:00

A mandatory course kept for a unit (learning/mandatory.py): whoever joins the unit later is enrolled by the
scheduler. Each person it took in has a row of their own with their deadline and whether they were reminded.
Assignments made before were one-time enrolments and stay so: empty at first.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '68c19ed867c0'
down_revision = '4d8a2c6e1f37'
branch_labels = None
depends_on = None

RUNNING = sa.text("ended_at IS NULL")


def upgrade():
    op.create_table('mandatory_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('days_to_complete', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_mandatory_assignments_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mandatory_assignments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_mandatory_assignments_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandatory_assignments'))
    )
    with op.batch_alter_table('mandatory_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandatory_assignments_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandatory_assignments_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandatory_assignments_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_mandatory_assignments_running', ['course_id', 'unit_id'], unique=True,
                              postgresql_where=RUNNING, sqlite_where=RUNNING)

    op.create_table('mandatory_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['mandatory_assignments.id'], name=op.f('fk_mandatory_enrolments_assignment_id_mandatory_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mandatory_enrolments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandatory_enrolments')),
    sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_mandatory_enrolments_assignment_id_user_id'))
    )
    with op.batch_alter_table('mandatory_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandatory_enrolments_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandatory_enrolments_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('mandatory_enrolments')
    op.drop_table('mandatory_assignments')
