"""The WHMCS phone index's tables belong to the schema (the provider made them itself before,
only where ACCOUNT_SOURCE=whmcs was chosen, so they may already be there).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "whmcs_phone_index" not in present:
        op.create_table("whmcs_phone_index",
                        sa.Column("phone", sa.String(20), primary_key=True),
                        sa.Column("client_id", sa.Integer, primary_key=True))
    if "whmcs_index_state" not in present:
        op.create_table("whmcs_index_state",
                        sa.Column("name", sa.String(20), primary_key=True),
                        sa.Column("refreshed_at", sa.Float, nullable=False))


def downgrade() -> None:
    op.drop_table("whmcs_index_state")
    op.drop_table("whmcs_phone_index")
