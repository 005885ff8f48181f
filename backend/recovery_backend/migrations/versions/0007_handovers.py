"""Live hand-overs to the human inbox, and a case's conversation there (issue 20 #1, #2).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("inbox_reference", sa.String(64)))
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("inbox", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("agent_name", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("picked_up_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_handovers_conversation_hash", "handovers", ["conversation_hash"])
    op.create_index("ix_handovers_reference", "handovers", ["reference"])


def downgrade() -> None:
    op.drop_index("ix_handovers_reference", "handovers")
    op.drop_index("ix_handovers_conversation_hash", "handovers")
    op.drop_table("handovers")
    with op.batch_alter_table("cases") as table:
        table.drop_column("inbox_reference")
