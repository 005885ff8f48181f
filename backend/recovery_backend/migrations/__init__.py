"""The database schema's history (Alembic): `upgrade(engine)` brings any database the backend
made to the newest schema, at every start.

A database made before migrations existed (by `create_all`, up to this release) has tables but no
`alembic_version`: what older releases lacked is added, it is stamped as that release's schema,
and upgraded.
A new schema change is a new file in versions/ (`cd backend && .venv/bin/alembic -x
url=sqlite:///scratch.sqlite3 revision --autogenerate -m "…"` writes one from the difference);
tests/test_migrations.py fails while models and migrations disagree.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from . import release_schema

HERE = Path(__file__).resolve().parent
RELEASE_BEFORE_MIGRATIONS = "0001"
# Any number: PostgreSQL serialises backends that start at once on it while one migrates.
MIGRATION_LOCK = 7_210_019


def config(connection: sa.Connection | None = None) -> Config:
    settings = Config()
    settings.set_main_option("script_location", str(HERE))
    settings.attributes["connection"] = connection
    return settings


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        tables = set(sa.inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:
            _adopt_release_database(connection)
        command.upgrade(config(connection), revision)


def _adopt_release_database(connection: sa.Connection) -> None:
    """Stamps a database made before migrations as the release schema, first adding (with Alembic's
    operations) what older releases lacked: whole tables, indexes, and columns that are nullable or
    have a default. Anything else is refused, naming it."""
    operations = Operations(MigrationContext.configure(connection))
    refused = []
    for difference in compare_metadata(MigrationContext.configure(connection), release_schema.metadata):
        kind = difference[0]
        if kind in ("add_table", "add_index"):
            difference[1].create(connection)
        elif kind == "add_column" and (difference[3].nullable or difference[3].server_default is not None):
            operations.add_column(difference[2], difference[3]._copy())
        elif not _sqlite_key_nullability(connection, difference):
            refused.append(difference)
    if refused:
        raise SystemExit("the database was not made by this backend before migrations, or was changed by hand; "
                         f"it differs from the schema of that release: {refused[:5]}")
    command.stamp(config(connection), RELEASE_BEFORE_MIGRATIONS)


def _sqlite_key_nullability(connection: sa.Connection, difference: object) -> bool:
    """SQLite lets a primary key column hold NULL unless declared NOT NULL; a table written by hand
    (as in some releases' tests) may lack it: harmless, the key is never NULL."""
    if connection.dialect.name != "sqlite" or not isinstance(difference, list):
        return False
    return all(change[0] == "modify_nullable" and change[3] in
               {column.name for column in release_schema.metadata.tables[change[2]].primary_key} for change in difference)


def differences(engine: sa.Engine, metadata: sa.MetaData) -> list[Any]:
    """What the migrated database lacks or has beyond the models' `metadata` (empty when they agree).
    The models are passed in: storage.py imports this module, so this one does not import it back."""
    with engine.connect() as connection:
        found: list[Any] = compare_metadata(MigrationContext.configure(connection), metadata)  # alembic: -> Any
        return found
