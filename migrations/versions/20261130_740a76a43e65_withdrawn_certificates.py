"""withdrawn certificates

Revision ID: 740a76a43e65
Revises: f8c46a412c09
Create Date: 2026-11-30 05:36:27.038104

A certificate an administrator takes back moves here, so that its code still says "withdrawn" when checked
and a new certificate can be issued once the course is completed again.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '740a76a43e65'
down_revision = 'f8c46a412c09'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('withdrawn_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('course_title', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_withdrawn_certificates_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_withdrawn_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_withdrawn_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_withdrawn_certificates_code'))
    )
    with op.batch_alter_table('withdrawn_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_withdrawn_certificates_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_withdrawn_certificates_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('withdrawn_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_withdrawn_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_withdrawn_certificates_course_id'))

    op.drop_table('withdrawn_certificates')
