"""Recovery cases: documents sent by e-mail, or a conversation handed to a person."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

import sqlalchemy as sa
from stdnum.pl import nip as polish_nip

from contact_rules import is_masked_phone, is_valid_email, mask_email, mask_phone, redact, to_e164

from .clock import Clock
from .office_hours import WARSAW, OfficeHours
from .sealing import SealBroken, Sealer
from .storage import cases, lock_keys

# Free text comes from the assistant; codes, phone numbers and e-mail addresses must never reach
# staff tools even by mistake: contact_rules' redactor replaces any run of 4+ digits (whatever phone
# punctuation separates them: "123 456", "+48 601-234-567", "604.111.222") and masks any address.
SCRUB_MIN_DIGITS = 4
SUMMARY_LIMIT = 1000
REASONS = ("documents", "human_handoff", "outside_procedure")
SPEAKERS = ("customer", "assistant", "agent")
TRANSCRIPT_LINES = 30          # the excerpt: the conversation's last lines
TRANSCRIPT_LINE_LIMIT = 500


class InvalidCase(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class OpenedCase:
    case_number: str
    open_now: bool
    handled_from: datetime
    updated: bool = False   # the conversation's case existed: it was brought up to date, not duplicated


def scrub_summary(summary: str) -> str:
    text = redact(" ".join((summary or "").split()), email_mark=mask_email, number_mark="[…]",
                  min_digits=SCRUB_MIN_DIGITS)
    return text[:SUMMARY_LIMIT]


def masked_phone_tried(text: str) -> str:
    """A number the customer tried, in the masked form staff see; a full number is masked here,
    so an unmasked one is never stored. Anything else is refused."""
    text = " ".join((text or "").split())
    if is_masked_phone(text):
        return text
    e164 = to_e164(text)
    if e164 is None:
        raise InvalidCase("invalid_phone")
    return mask_phone(e164)


@dataclass(frozen=True)
class CaseDetails:
    """The structured part of a case, all optional, for the person who picks it up."""
    path: Optional[str] = None
    company_name: Optional[str] = None
    phone_proven: Optional[bool] = None
    phones_tried: tuple[str, ...] = ()
    failure: Optional[str] = None
    open_question: Optional[str] = None
    language: Optional[str] = None
    callback_phone: Optional[str] = None   # the number staff call back, in full (sealed at rest)
    transcript: tuple[tuple[str, str], ...] = ()   # (speaker, text), oldest first


def scrub_transcript(lines: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """The excerpt as staff may read it: the last lines, each scrubbed like the summary (the
    assistant redacts before sending; this holds even if it did not)."""
    excerpt = []
    for speaker, text in list(lines)[-TRANSCRIPT_LINES:]:
        if speaker not in SPEAKERS:
            raise InvalidCase("invalid_request")
        text = scrub_summary(text)[:TRANSCRIPT_LINE_LIMIT]
        if text:
            excerpt.append({"speaker": speaker, "text": text})
    return excerpt


SPEAKER_NAMES = {"customer": "Klient", "assistant": "Asystent", "agent": "Konsultant"}


def staff_text(summary: str, conversation_id: str, transcript: list[dict[str, str]]) -> str:
    """What a ticket or an inbox conversation shows staff: the summary, where the conversation is,
    and the redacted excerpt."""
    lines = [scrub_summary(summary), "", f"Rozmowa: {conversation_id}"]
    if transcript:
        lines += ["", "Przebieg rozmowy (bez kodów, pełnych numerów i adresów):"]
        lines += [f"{SPEAKER_NAMES[line['speaker']]}: {line['text']}" for line in transcript]
    return "\n".join(lines)


def checklist(case: sa.RowMapping, documents: dict[str, Any]) -> list[str]:
    """What staff check before approving a documents case, from the same list the customer was given
    (backend/config/documents.yml), then how to apply the change through the backend."""
    if case["reason"] != "documents":
        return []
    kind = case["account_type"] if case["account_type"] in ("private", "company") else None
    kinds = [kind] if kind else ["private", "company"]
    items = [f"Temat e-maila zawiera numer zgłoszenia {case['case_number']}, nadawca: adres kontaktowy zgłoszenia."]
    for each in kinds:
        section = documents[each]
        one = "jeden z dokumentów" if len(section["documents"]) > 1 else "dokument"
        label = {"private": "osoba prywatna", "company": "firma"}[each]
        items.append(f"Załączono {one} ({label}): " + " | ".join(section["documents"]))
        items += [f"Uwaga: {note}" for note in section.get("notes", [])]
    if kind == "company" or case["nip"] or case["company_name"]:
        items.append("Nazwa firmy i NIP na dokumencie zgadzają się z danymi konta w panelu"
                     + (f" (NIP ze zgłoszenia: {case['nip']})." if case["nip"] else "."))
    else:
        items.append("Imię, nazwisko i adres na dokumencie zgadzają się z danymi konta w panelu.")
    items.append("Po akceptacji: POST /api/v1/cases/{numer}/email-change z account_id i nowym adresem "
                 "(domyślnie adres kontaktowy zgłoszenia) — zmiana trafia do konta i dziennika audytu.")
    return items


class TooManyCases(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


def _conversation_hash(conversation_id: str) -> str:
    return hashlib.sha256(conversation_id.encode()).hexdigest()


class CaseService:
    def __init__(self, engine: sa.Engine, clock: Clock, office_hours: OfficeHours, per_conversation_per_day: int = 0,
                 sealer: Optional[Sealer] = None, documents: Optional[dict[str, Any]] = None):
        self._engine, self._clock, self._hours = engine, clock, office_hours
        self._documents = documents  # documents.yml: what staff check on a documents case
        self._per_conversation_per_day = per_conversation_per_day  # 0: no cap (staff tickets)
        self._sealer = sealer

    def open(self, reason: str, account_type: Optional[str], contact_email: Optional[str], nip: Optional[str],
             channel: str, conversation_id: str, summary: str, details: CaseDetails = CaseDetails(),
             from_conversation: bool = True) -> OpenedCase:
        """A conversation's case (`from_conversation`): one per conversation, brought up to date by
        later requests, written at most `per_conversation_per_day` times a day. The backend's own
        staff tickets (False) are each a case of their own, uncapped."""
        if reason not in REASONS:
            raise InvalidCase("invalid_request")
        if account_type not in (None, "private", "company"):
            raise InvalidCase("invalid_request")
        if contact_email and not is_valid_email(contact_email):
            raise InvalidCase("invalid_email")
        if nip:
            if not polish_nip.is_valid(nip):
                raise InvalidCase("invalid_nip")
            nip = polish_nip.compact(nip)
        if details.language not in (None, "pl", "en"):
            raise InvalidCase("invalid_request")
        phones_tried = [masked_phone_tried(phone) for phone in details.phones_tried]
        callback = self._sealed_callback(details.callback_phone)
        transcript = scrub_transcript(details.transcript)
        now = self._clock.now()
        conversation_hash = _conversation_hash(conversation_id)
        values = dict(
            reason=reason, account_type=account_type, contact_email=contact_email, nip=nip,
            channel=channel[:30], summary=scrub_summary(summary),
            path=(details.path or None) and details.path[:60],
            company_name=(details.company_name or None) and details.company_name[:200],
            phone_proven=details.phone_proven,
            failure=(details.failure or None) and scrub_summary(details.failure)[:200],
            open_question=(details.open_question or None) and scrub_summary(details.open_question),
            language=details.language, callback_phone=callback, conversation_id=conversation_id[:200],
            transcript=json.dumps(transcript, ensure_ascii=False) if transcript else None)
        with self._engine.begin() as db:
            lock_keys(db, conversation_hash)
            # One case per conversation: asking again (documents, then a person) brings it up to date.
            existing = None if not from_conversation else db.execute(
                sa.select(cases.c.id, cases.c.case_number, cases.c.phones_tried, cases.c.writes, cases.c.writes_since,
                          cases.c.reason)
                .where(cases.c.conversation_hash == conversation_hash).order_by(cases.c.id.desc()).limit(1)).first()
            if existing is not None:
                writes, since = self._count_write(existing.writes or 0, existing.writes_since, now)
                known = json.loads(existing.phones_tried) if existing.phones_tried else []
                tried = known + [phone for phone in phones_tried if phone not in known]
                # What this request does not know (None) keeps what the case had.
                update = {key: value for key, value in values.items() if value is not None}
                if existing.reason == "documents":
                    # The customer was told to send documents under this number: asking for a person as
                    # well does not make it another kind of case (staff match the documents by it).
                    update["reason"] = "documents"
                db.execute(cases.update().where(cases.c.id == existing.id).values(
                    **update, phones_tried=json.dumps(tried) if tried else None, writes=writes, writes_since=since))
                return OpenedCase(existing.case_number, self._hours.is_open(now), self._hours.next_opening(now),
                                  updated=True)
            inserted = db.execute(cases.insert().values(
                created_at=now, conversation_hash=conversation_hash, writes=1, writes_since=now,
                phones_tried=json.dumps(phones_tried) if phones_tried else None, **values)).inserted_primary_key
            assert inserted is not None
            case_id = inserted[0]
            number = f"ODZ-{now.astimezone(WARSAW):%Y%m%d}-{case_id:04d}"
            db.execute(cases.update().where(cases.c.id == case_id).values(case_number=number))
        return OpenedCase(number, self._hours.is_open(now), self._hours.next_opening(now))

    def _count_write(self, writes: int, since: Optional[datetime], now: datetime) -> tuple[int, datetime]:
        """One more write of a conversation's case within the day that started at `since`."""
        since = since if since is None or since.tzinfo else since.replace(tzinfo=now.tzinfo)
        if since is None or now - since >= timedelta(days=1):
            return 1, now
        if self._per_conversation_per_day and writes >= self._per_conversation_per_day:
            raise TooManyCases(int((since + timedelta(days=1) - now).total_seconds()) + 1)
        return writes + 1, since

    def _sealed_callback(self, phone: Optional[str]) -> Optional[str]:
        """A call-back number in E.164, sealed: a copy of the database alone shows no number."""
        if not phone:
            return None
        e164 = to_e164(" ".join(phone.split()))
        if e164 is None:
            raise InvalidCase("invalid_phone")
        if self._sealer is None:
            raise InvalidCase("invalid_request")   # no key to seal it with: never kept in clear
        return self._sealer.seal(e164)

    def reseal_callbacks(self) -> int:
        """Call-back numbers sealed with an older SEAL_KEYS key sealed again with the newest (at start,
        like the outbox), so an old key can go once every replica ran; cases keep them indefinitely."""
        if self._sealer is None:
            return 0
        moved = 0
        with self._engine.begin() as db:
            rows = db.execute(sa.select(cases.c.id, cases.c.callback_phone).where(
                cases.c.callback_phone.is_not(None))).all()
            for row in rows:
                if self._sealer.is_current(row.callback_phone):
                    continue
                try:
                    phone = self._sealer.unseal(row.callback_phone)
                except SealBroken:
                    continue
                db.execute(cases.update().where(cases.c.id == row.id, cases.c.callback_phone == row.callback_phone)
                           .values(callback_phone=self._sealer.seal(phone)))
                moved += 1
        return moved

    def _opened_callback(self, sealed: Optional[str]) -> Optional[str]:
        if not sealed or self._sealer is None:
            return None
        try:
            return self._sealer.unseal(sealed)
        except SealBroken:
            return None

    def set_contact_email(self, case_number: str, conversation_id: str, contact_email: str) -> bool:
        """Only the conversation that opened the case may change where staff answer."""
        if not is_valid_email(contact_email or ""):
            raise InvalidCase("invalid_email")
        with self._engine.begin() as db:
            changed = db.execute(cases.update().where(
                cases.c.case_number == case_number,
                cases.c.conversation_hash == _conversation_hash(conversation_id)).values(
                contact_email=contact_email.strip())).rowcount
        return changed == 1

    def get(self, case_number: str) -> Optional[dict[str, Any]]:
        with self._engine.connect() as db:
            row = db.execute(sa.select(cases).where(cases.c.case_number == case_number)).mappings().first()
        return dict(row) if row else None

    def set_inbox_reference(self, case_number: str, reference: str) -> None:
        with self._engine.begin() as db:
            db.execute(cases.update().where(cases.c.case_number == case_number).values(inbox_reference=reference[:64]))

    def claim_resolution(self, case_number: str, resolution: str, by: str) -> bool:
        """Marks the case resolved unless it already was (two staff approving at once: one wins)."""
        with self._engine.begin() as db:
            return db.execute(cases.update().where(cases.c.case_number == case_number,
                                                   cases.c.resolution.is_(None)).values(
                resolution=resolution, resolved_at=self._clock.now(), resolved_by=by[:100])).rowcount == 1

    def release_resolution(self, case_number: str) -> None:
        """The resolution did not happen after all (the account source failed): open again."""
        with self._engine.begin() as db:
            db.execute(cases.update().where(cases.c.case_number == case_number).values(
                resolution=None, resolved_at=None, resolved_by=None))

    def all(self) -> list[dict[str, Any]]:
        with self._engine.connect() as db:
            rows = db.execute(sa.select(cases).order_by(cases.c.id)).mappings().all()
        listed = []
        for row in rows:
            case = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()
                    if k not in ("conversation_hash", "writes", "writes_since")}
            case["phones_tried"] = json.loads(row["phones_tried"]) if row["phones_tried"] else []
            case["callback_phone"] = self._opened_callback(row["callback_phone"])  # staff only: in full
            case["transcript"] = json.loads(row["transcript"]) if row["transcript"] else []
            case["checklist"] = checklist(row, self._documents) if self._documents else []
            listed.append(case)
        return listed
