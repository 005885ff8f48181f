"""Alembic's entry: migrations run on the connection `upgrade()` hands over, or, from the
command line, on `-x url=…`."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from recovery_backend.storage import metadata


def run(connection: sa.Connection) -> None:
    # Batch mode: SQLite changes a column by copying its table, which plain ALTER cannot.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("give the database: alembic -x url=sqlite:///scratch.sqlite3 …")
    with sa.create_engine(url).begin() as connection:
        run(connection)
