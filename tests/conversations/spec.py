"""One conversation file (tests/conversations/**/*.yml) read and checked against the format
(tests/conversations/README.md), and the accounts of all of them as one backend fixture.

A file that breaks the format fails collection with its name and what is wrong; so do two files
that give the same phone number to different accounts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from contact_rules import to_e164

HERE = Path(__file__).resolve().parent
WRITERS = ("blind", "ported", "designer")
LANGUAGES = ("pl", "en")
GOALS = ("password", "dead_email", "no_login", "documents", "handoff")
# The backend's clock per office state (RECOVERY_NOW): a Tuesday morning and a Saturday.
OFFICE_CLOCKS = {"open": "2026-11-24T10:30:00+01:00", "closed": "2026-11-28T11:00:00+01:00"}
EXPECT_KEYS = {
    "path", "code_sent_to", "codes_sent", "no_code_sent", "email_change_requested", "no_email_change_to",
    "no_email_to", "no_email_sent", "reset_sent", "reset_steps_shown", "login_hint_shown", "documents_listed", "case",
    "no_case", "answered", "not_fallback", "turn_outcome", "english", "shown", "not_shown", "shown_matching",
    "not_shown_matching", "masked_phone", "buttons_offered", "differs_from_turn", "sms_language", "emails_language",
}
TURN_KEYS = {"customer", "repeat", "expect", "backend_down", "clock_minutes"}
TOP_KEYS = {"name", "written", "language", "office", "clock", "goal", "account", "turns", "known_defect", "notes"}
ACCOUNT_KEYS = {"type", "email", "phones", "company", "nip", "name"}
FIRST_ACCOUNT_ID = 100_000


class FormatError(Exception):
    """A conversation file that does not follow the format; the message names the file."""


@dataclass
class Turn:
    customer: str
    repeat: int = 1
    expect: dict[str, Any] = field(default_factory=dict)
    backend_down: bool = False
    clock_minutes: Optional[int] = None


@dataclass
class Spec:
    file: Path
    name: str
    written: str
    language: str
    office: str
    clock: str
    goal: Optional[str]
    account: Optional[dict]
    turns: list[Turn]
    known_defect: Optional[str]
    root: Path = HERE

    @property
    def group(self) -> str:
        """The folder under tests/conversations/ (the path the conversation is filed under)."""
        relative = self.file.relative_to(self.root)
        return relative.parts[0] if len(relative.parts) > 1 else "-"

    @property
    def relative(self) -> str:
        return str(self.file.relative_to(self.root))


def _fail(path: Path, message: str, root: Path = HERE) -> FormatError:
    return FormatError(f"{path.relative_to(root) if path.is_relative_to(root) else path.name}: {message}")


def _account(path: Path, raw: Any) -> Optional[dict]:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _fail(path, "account: must be a mapping")
    unknown = set(raw) - ACCOUNT_KEYS
    if unknown:
        raise _fail(path, f"account: unknown keys {sorted(unknown)}")
    if raw.get("type") not in ("private", "company"):
        raise _fail(path, "account.type must be private or company")
    email = raw.get("email")
    if not isinstance(email, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", email, re.I):
        raise _fail(path, f"account.email {email!r} is not an e-mail address")
    phones = raw.get("phones") or []
    if not isinstance(phones, list):
        raise _fail(path, "account.phones must be a list")
    e164s = []
    for phone in phones:
        e164 = to_e164(str(phone))
        if e164 is None:
            raise _fail(path, f"account.phones: {phone!r} is not a phone number")
        e164s.append(e164)
    if raw["type"] == "company" and not raw.get("company"):
        raise _fail(path, "a company account needs company:")
    if raw["type"] == "private" and (raw.get("company") or raw.get("nip")):
        raise _fail(path, "company: and nip: are for company accounts only")
    if raw.get("nip") and not re.fullmatch(r"\d{10}", str(raw["nip"])):
        raise _fail(path, f"account.nip {raw['nip']!r} is not ten digits")
    return {**raw, "phones": e164s}


def _turn(path: Path, number: int, raw: Any) -> Turn:
    if not isinstance(raw, dict) or "customer" not in raw:
        raise _fail(path, f"turn {number}: needs customer:")
    unknown = set(raw) - TURN_KEYS
    if unknown:
        raise _fail(path, f"turn {number}: unknown keys {sorted(unknown)}")
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        raise _fail(path, f"turn {number}: expect: must be a mapping")
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise _fail(path, f"turn {number}: unknown expect keys {sorted(unknown)}")
    if "path" in expect and expect["path"] not in GOALS:
        raise _fail(path, f"turn {number}: path {expect['path']!r} is not one of {GOALS}")
    for key in ("sms_language", "emails_language"):
        if key in expect and expect[key] not in LANGUAGES:
            raise _fail(path, f"turn {number}: {key} must be one of {LANGUAGES}")
    if "documents_listed" in expect and expect["documents_listed"] not in ("private", "company"):
        raise _fail(path, f"turn {number}: documents_listed must be private or company")
    for key in ("code_sent_to", "masked_phone"):
        if key in expect and to_e164(str(expect[key])) != str(expect[key]):
            raise _fail(path, f"turn {number}: {key} must be an E.164 number like +48512300401")
    if "differs_from_turn" in expect and not 1 <= int(expect["differs_from_turn"]) < number:
        raise _fail(path, f"turn {number}: differs_from_turn must name an earlier turn")
    repeat = raw.get("repeat", 1)
    if not isinstance(repeat, int) or repeat < 1:
        raise _fail(path, f"turn {number}: repeat must be a positive number")
    minutes = raw.get("clock_minutes")
    if minutes is not None and (not isinstance(minutes, int) or minutes < 0):
        raise _fail(path, f"turn {number}: clock_minutes must be a whole number of minutes")
    return Turn(str(raw["customer"]), repeat, expect, bool(raw.get("backend_down")), minutes)


def load(path: Path, root: Path = HERE) -> Spec:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise _fail(path, f"not YAML: {error}") from None
    if not isinstance(raw, dict):
        raise _fail(path, "must be a mapping with name:, written: and turns:")
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise _fail(path, f"unknown keys {sorted(unknown)}")
    for key, allowed in (("written", WRITERS), ("language", LANGUAGES), ("office", tuple(OFFICE_CLOCKS))):
        value = raw.get(key, {"language": "pl", "office": "open"}.get(key))
        if value not in allowed:
            raise _fail(path, f"{key}: {value!r} is not one of {allowed}")
    if raw.get("goal") is not None and raw["goal"] not in GOALS:
        raise _fail(path, f"goal: {raw['goal']!r} is not one of {GOALS}")
    if not raw.get("name"):
        raise _fail(path, "needs name:")
    turns = raw.get("turns")
    if not isinstance(turns, list) or not turns:
        raise _fail(path, "needs at least one turn")
    defect = raw.get("known_defect")
    if defect is not None and (not isinstance(defect, str) or not defect.strip() or "\n" in defect.strip()):
        raise _fail(path, "known_defect: one line saying what went wrong")
    office = raw.get("office", "open")
    return Spec(file=path, name=str(raw["name"]), written=raw["written"], language=raw.get("language", "pl"),
                office=office, clock=str(raw.get("clock") or OFFICE_CLOCKS[office]), goal=raw.get("goal"),
                account=_account(path, raw.get("account")),
                turns=[_turn(path, number, turn) for number, turn in enumerate(turns, 1)],
                known_defect=defect.strip() if defect else None, root=root)


def conversation_files(root: Path = HERE) -> list[Path]:
    return sorted(root.rglob("*.yml"))


def accounts_fixture(base: Path, out: Path, root: Path = HERE) -> Path:
    """The backend's ACCOUNTS_FIXTURE: `base` (the other tests' accounts) plus every conversation
    file's account. A phone number given twice (two files, or a file and `base`) fails with the
    files' names: the per-number limits of one conversation must never touch another's."""
    rows = yaml.safe_load(base.read_text(encoding="utf-8")) or []
    owner = {to_e164(str(phone)): f"{base.name} (id {row['id']})" for row in rows for phone in row.get("phones", [])}
    next_id = max([FIRST_ACCOUNT_ID - 1, *(int(row["id"]) for row in rows)]) + 1
    problems = []
    for path in conversation_files(root):
        try:
            spec = load(path, root)
        except FormatError as error:
            problems.append(str(error))
            continue
        if spec.account is None:
            continue
        for phone in spec.account["phones"]:
            if phone in owner:
                problems.append(f"{spec.relative}: phone {phone} is also in {owner[phone]}")
            owner[phone] = spec.relative
        account = spec.account
        rows.append({"id": next_id, "type": account["type"], "name": account.get("name") or f"Klient {path.stem}",
                     "email": account["email"], "phones": account["phones"],
                     **({"company": account["company"]} if account.get("company") else {}),
                     **({"nip": str(account["nip"])} if account.get("nip") else {})})
        next_id += 1
    if problems:
        raise FormatError("conversation files:\n  " + "\n  ".join(problems))
    out.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out
