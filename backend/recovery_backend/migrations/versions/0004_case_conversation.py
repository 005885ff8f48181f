"""Cases carry the conversation's id and a redacted transcript excerpt (issue 20 #2).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("conversation_id", sa.String(200)))
        table.add_column(sa.Column("transcript", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.drop_column("transcript")
        table.drop_column("conversation_id")
