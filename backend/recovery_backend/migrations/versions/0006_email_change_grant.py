"""An e-mail change remembers the proof (token hash) that asked for it, so the same conversation can
correct a mistyped address while the link is pending (the old link void, a new one sent); a case
counts how often its conversation wrote it (one case per conversation, brought up to date).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("email_changes") as table:
        table.add_column(sa.Column("grant_hash", sa.String(64)))
        table.create_index("ix_email_changes_grant_hash", ["grant_hash"])
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("writes", sa.Integer))
        table.add_column(sa.Column("writes_since", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.drop_column("writes_since")
        table.drop_column("writes")
    with op.batch_alter_table("email_changes") as table:
        table.drop_index("ix_email_changes_grant_hash")
        table.drop_column("grant_hash")
