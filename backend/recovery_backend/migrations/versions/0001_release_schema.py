"""The schema as the last release before migrations made it.

Revision ID: 0001
Revises:
"""
from alembic import op

from recovery_backend.migrations import release_schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    release_schema.metadata.create_all(op.get_bind())


def downgrade() -> None:
    release_schema.metadata.drop_all(op.get_bind())
