"""Issue 19 #2: the schema is migrated, not created: an empty database and one made by the release
before migrations both end at the models' schema, on SQLite and PostgreSQL, keeping their data."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from recovery_backend.migrations import differences, release_schema
from recovery_backend.storage import accounts, create_engine, metadata, persistent_secret

HEAD = "0007"


def version(engine: sa.Engine) -> str:
    with engine.connect() as db:
        return db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def test_an_empty_database_is_migrated_to_exactly_the_models(database_url):
    engine = create_engine(database_url)
    assert differences(engine, metadata) == []
    assert version(engine) == HEAD
    create_engine(database_url)  # a second start finds nothing to do
    assert version(engine) == HEAD


def test_a_database_made_before_migrations_is_adopted_and_keeps_its_data(database_url):
    release = sa.create_engine(database_url)
    release_schema.metadata.create_all(release)  # what the last release's start did
    with release.begin() as db:
        db.execute(release_schema.accounts.insert().values(id=7, type="private", name="Anna", email="anna@example.pl"))
        db.execute(release_schema.server_secrets.insert().values(name="code_hmac", value="ab" * 32))
    release.dispose()
    engine = create_engine(database_url)
    assert differences(engine, metadata) == []
    assert version(engine) == HEAD
    with engine.connect() as db:
        assert db.execute(sa.select(accounts.c.email).where(accounts.c.id == 7)).scalar() == "anna@example.pl"
    # Codes hashed before the upgrade still verify: the kept secret is the one used.
    assert persistent_secret(engine, "code_hmac") == ("ab" * 32).encode()


def test_a_database_of_an_older_release_gets_what_it_lacked(database_url):
    """Tables, indexes and columns added by releases before migrations (token binding, cases' fields)."""
    release = sa.create_engine(database_url)
    with release.begin() as db:
        db.execute(sa.text("CREATE TABLE tokens (token_hash VARCHAR(64) NOT NULL PRIMARY KEY, account_id INTEGER NOT NULL, "
                           "channel VARCHAR(30) NOT NULL, expires_at TYPE NOT NULL)"
                           .replace("TYPE", "DATETIME" if database_url.startswith("sqlite") else "TIMESTAMP WITH TIME ZONE")))
        db.execute(sa.text("INSERT INTO tokens VALUES ('h', 9001, 'rest', '2030-01-01 00:00:00+00:00')"))
    release.dispose()
    engine = create_engine(database_url)
    assert differences(engine, metadata) == []
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT revoked, email_checks FROM tokens WHERE token_hash = 'h'")).one() == (0, 0)


def test_a_database_that_differs_otherwise_is_refused_naming_the_difference(database_url):
    release = sa.create_engine(database_url)
    release_schema.metadata.create_all(release)
    with release.begin() as db:
        db.execute(sa.text("ALTER TABLE attestation_nonces ADD COLUMN stray INTEGER"))
    release.dispose()
    with pytest.raises(SystemExit) as refused:
        create_engine(database_url)
    assert "stray" in str(refused.value.code)
