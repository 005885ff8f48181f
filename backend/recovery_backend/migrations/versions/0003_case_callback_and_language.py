"""A case keeps the call-back number (sealed) and an e-mail change the customer's language, so
the notices sent when it applies are in the language of the conversation that asked for it.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("callback_phone", sa.Text))
    op.add_column("email_changes", sa.Column("language", sa.String(2)))


def downgrade() -> None:
    with op.batch_alter_table("email_changes") as table:
        table.drop_column("language")
    with op.batch_alter_table("cases") as table:
        table.drop_column("callback_phone")
