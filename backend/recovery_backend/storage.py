"""Tables of the backend (SQLAlchemy Core): SQLite by default, PostgreSQL by DSN."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(10), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("company", sa.String(200)),
    sa.Column("nip", sa.String(20)),
    sa.Column("email", sa.String(320), nullable=False),
)
account_phones = sa.Table(
    "account_phones", metadata,
    sa.Column("phone", sa.String(20), primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
)
verifications = sa.Table(
    "verifications", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("phone_hash", sa.String(64), nullable=False, index=True),
    sa.Column("account_id", sa.Integer),  # None when the number has no account: such a verification never succeeds
    sa.Column("conversation_hash", sa.String(64), nullable=False, index=True),
    # Who started it (HMAC of the channel's client key, else of the conversation): wrong codes and
    # per-number sends count against the client first (issue 17 #2). Null in rows from before.
    sa.Column("client_hash", sa.String(64), index=True),
    sa.Column("channel", sa.String(30), nullable=False),
    sa.Column("code_hash", sa.String(64)),
    sa.Column("external", sa.Boolean, nullable=False, default=False),
    # Only for a provider that checks codes itself (Twilio Verify) and needs the number back.
    sa.Column("provider_phone", sa.String(20)),
    sa.Column("attested", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("wrong_tries", sa.Integer, nullable=False, default=0),
    sa.Column("used", sa.Boolean, nullable=False, default=False),
    sa.Column("delivery", sa.String(10), nullable=False, server_default="sms"),  # sms | call
)
# One row per call start, placed or not (a number without an account gets none, and must not be
# told apart): what the provider said became of the call.
voice_calls = sa.Table(
    "voice_calls", metadata,
    sa.Column("verification_id", sa.String(64), primary_key=True),
    sa.Column("placed", sa.Boolean, nullable=False),
    sa.Column("provider_ref", sa.String(64), index=True),  # set once the provider took the call
    sa.Column("status", sa.String(12), nullable=False),  # calling | answered | busy | no_answer | failed
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
tokens = sa.Table(
    "tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.Integer, nullable=False),
    sa.Column("channel", sa.String(30), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    # The conversation the proof was made in (HMAC of its id): the token works only there.
    sa.Column("conversation_hash", sa.String(64)),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    # Uses counted per token (caps in settings), each raised by one conditional UPDATE.
    sa.Column("email_checks", sa.Integer, nullable=False, server_default="0"),
    sa.Column("password_resets", sa.Integer, nullable=False, server_default="0"),
    sa.Column("email_changes", sa.Integer, nullable=False, server_default="0"),
)
email_changes = sa.Table(
    "email_changes", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.Integer, nullable=False),
    sa.Column("new_email", sa.String(320), nullable=False),
    sa.Column("channel", sa.String(30), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    # pending (awaits the link) → confirmed (awaits applies_after) → applying → applied;
    # or superseded (a newer request), cancelled (the cancel link), queued_for_staff.
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("cancel_hash", sa.String(64), index=True),
    sa.Column("applies_after", sa.DateTime(timezone=True)),
    sa.Column("language", sa.String(2)),  # of the conversation that asked: the notices' language
    # The proof (its token's hash) that asked: that conversation may correct the address while pending.
    sa.Column("grant_hash", sa.String(64), index=True),
)
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("channel", sa.String(30), nullable=False),
    sa.Column("account_id", sa.Integer),
    sa.Column("details", sa.String(500), nullable=False),  # masked values only
)
cases = sa.Table(
    "cases", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_number", sa.String(30), unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),
    sa.Column("account_type", sa.String(10)),
    sa.Column("contact_email", sa.String(320)),
    sa.Column("nip", sa.String(20)),
    sa.Column("channel", sa.String(30), nullable=False),
    sa.Column("conversation_hash", sa.String(64), nullable=False),
    sa.Column("summary", sa.String(1000), nullable=False),
    sa.Column("path", sa.String(60)),
    sa.Column("company_name", sa.String(200)),
    sa.Column("phone_proven", sa.Boolean),
    sa.Column("phones_tried", sa.Text),  # JSON list of masked numbers only
    sa.Column("failure", sa.String(200)),
    sa.Column("open_question", sa.String(1000)),
    sa.Column("language", sa.String(2)),
    # The number staff call back, in full: sealed (sealing.py), opened only for the staff API.
    sa.Column("callback_phone", sa.Text),
    # A conversation's one case is written (opened, then brought up to date) at most
    # CASES_PER_CONVERSATION_PER_DAY times in the day that started at writes_since.
    sa.Column("writes", sa.Integer),
    sa.Column("writes_since", sa.DateTime(timezone=True)),
    # Where staff find the conversation (the channel's id, e.g. `sio:…`, `tg:…`) and what was said in
    # it, redacted (JSON list of {speaker, text}; no codes, full numbers or addresses).
    sa.Column("conversation_id", sa.String(200)),
    sa.Column("transcript", sa.Text),
    # What staff did with it: `email_changed` once an approved documents case changed the login.
    sa.Column("resolution", sa.String(30)),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("resolved_by", sa.String(100)),
    # The case's conversation in the human inbox (HUMAN_INBOX), where an update is added as a note.
    sa.Column("inbox_reference", sa.String(64)),
)

# Live hand-overs to a person in the human inbox (handovers.py): while one is waiting or talking the
# assistant stays silent and relays the customer's messages; the inbox's webhook ends it.
handovers = sa.Table(
    "handovers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_hash", sa.String(64), nullable=False, index=True),
    sa.Column("conversation_id", sa.String(200), nullable=False),   # where agents' replies are pushed
    sa.Column("inbox", sa.String(20), nullable=False),
    sa.Column("reference", sa.String(64), nullable=False, index=True),   # the inbox's conversation id
    sa.Column("status", sa.String(12), nullable=False),   # waiting | talking | resolved | unanswered
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("agent_name", sa.String(100)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("picked_up_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
)

# SMS and e-mails waiting to leave: written in the same transaction as what caused them, sent by
# workers (outbox.py), kept after sending with the payload wiped, for the audit trail.
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # sms | call | email | verify_start | verify_call | none (a number that gets no SMS or call)
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("masked_to", sa.String(100), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # sealed JSON (sealing.py); "" once finished
    sa.Column("status", sa.String(10), nullable=False, index=True),  # pending | sending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    sa.Column("give_up_at", sa.DateTime(timezone=True), nullable=False),  # e.g. when the code expires
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("last_error", sa.String(200)),
)

# Nonces of accepted connector attestations (hashed): each proof is accepted once.
attestation_nonces = sa.Table(
    "attestation_nonces", metadata,
    sa.Column("nonce_hash", sa.String(64), primary_key=True),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

server_secrets = sa.Table(
    "server_secrets", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

# The WHMCS account source's phone index (providers/whmcs.py), kept here with every other table.
phone_index = sa.Table(
    "whmcs_phone_index", metadata,
    sa.Column("phone", sa.String(20), primary_key=True),
    sa.Column("client_id", sa.Integer, primary_key=True),
)
index_state = sa.Table(
    "whmcs_index_state", metadata,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("refreshed_at", sa.Float, nullable=False),
)


def persistent_secret(engine: sa.Engine, name: str) -> bytes:
    """A random secret made once per database, so hashes stay valid across restarts."""
    import secrets
    with engine.begin() as db:
        value = db.execute(sa.select(server_secrets.c.value).where(server_secrets.c.name == name)).scalar()
        if value is None:
            value = secrets.token_hex(32)
            db.execute(server_secrets.insert().values(name=name, value=value))
    return value.encode()


def lock_keys(db: sa.Connection, *keys: str) -> None:
    """Serialise transactions that touch the same keys (e.g. one phone number) until commit.
    PostgreSQL: transaction-scoped advisory locks, taken in a fixed order. SQLite: every
    transaction already holds the database's write lock (BEGIN IMMEDIATE)."""
    if db.dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        db.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(key[:15], 16)})


def create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                                  hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
            # WAL lets readers and a writer work at once; foreign keys are off by default in SQLite.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives a crash of the process (not of the machine's power) and spares
            # an fsync per commit; production runs on PostgreSQL.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            # We issue BEGIN ourselves (below); pysqlite's own deferred BEGIN would let two
            # transactions read the same counts before either writes.
            connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: sa.Connection) -> None:
            # IMMEDIATE takes SQLite's one write lock at the start: transactions that count and then
            # insert (rate limits) run one after another instead of both seeing the old count.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        # hide_parameters: an error message never carries a bound value (a phone, an address).
        engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
    from .migrations import upgrade
    upgrade(engine)
    return engine

