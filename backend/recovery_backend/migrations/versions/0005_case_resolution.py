"""A documents case records what staff did with it: the e-mail change they approved (issue 20 #2).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("resolution", sa.String(30)))
        table.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("resolved_by", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.drop_column("resolved_by")
        table.drop_column("resolved_at")
        table.drop_column("resolution")
