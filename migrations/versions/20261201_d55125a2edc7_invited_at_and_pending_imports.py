"""invited_at and pending_imports

Revision ID: d55125a2edc7
Revises: a4c7e2d91f58
Create Date: 2026-12-01 14:00:00

users.invited_at: when a person's last invitation went out, so that "noch nicht eingeladen" no longer depends
on the audit log's entry of the account's creation, which the retention period deletes. Filled from that log for
the people still without a password: as until now, only someone created without an invitation and not sent one
since is not invited; everyone else counts as invited when the account was created.

pending_imports: an uploaded CSV file between its preview and the confirmation (post/redirect/get), for its
uploader only and for an hour.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd55125a2edc7'
down_revision = 'a4c7e2d91f58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(), nullable=True))
    _fill_invited_at()

    op.create_table('pending_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('deactivate_missing', sa.Boolean(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pending_imports_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_pending_imports_uploaded_by_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_imports')),
    sa.UniqueConstraint('key', name=op.f('uq_pending_imports_key'))
    )
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_imports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_imports_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def _fill_invited_at():
    """As admin/services.never_invited read the log until now (JSON read here, alike on SQLite and PostgreSQL)."""
    connection = op.get_bind()
    events = sa.table('audit_events', sa.column('action', sa.String), sa.column('target_type', sa.String),
                      sa.column('target_id', sa.Integer), sa.column('details', sa.JSON))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('password_hash', sa.String),
                     sa.column('created_at', sa.DateTime), sa.column('invited_at', sa.DateTime))
    created_without, invited = set(), set()
    rows = connection.execute(sa.select(events.c.target_id, events.c.action, events.c.details).where(
        events.c.target_type == 'User', events.c.action.in_(('user.create', 'user.invited', 'user.invitation'))))
    for user_id, action, details in rows:
        if action == 'user.create' and (details or {}).get('invited') is False:
            created_without.add(user_id)
        elif action != 'user.create':
            invited.add(user_id)
    stmt = users.update().where(users.c.password_hash.is_(None)).values(invited_at=users.c.created_at)
    if not_invited := sorted(created_without - invited):
        stmt = stmt.where(users.c.id.not_in(not_invited))
    connection.execute(stmt)


def downgrade():
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_imports_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_pending_imports_created_at'))

    op.drop_table('pending_imports')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('invited_at')
