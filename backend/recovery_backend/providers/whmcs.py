"""WHMCS as the account source (the Client Panel is a WHMCS client area).

WHMCS's API cannot find a client by phone number, so we keep our own
E.164 → client index in our database. It is kept fresh by a background thread,
never inside a customer's request (issue 11 #3, issue 9 H1): a full rebuild from
GetClients + GetClientsDetails every `full_every` seconds and, in between, every
`incremental_every` seconds the clients newer than the newest one indexed. A lease
row in the database makes one replica at a time do the work. Everything else goes to
WHMCS as it happens: ResetPassword, UpdateClient (+ UpdateUser for WHMCS 8 users), OpenTicket.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Optional

import requests
import sqlalchemy as sa

from contact_rules import mask_email, to_e164

from ..ports import Account, ProviderError
from ..storage import index_state, phone_index
from .http_gateway import TIMEOUT

PAGE = 250
log = logging.getLogger("recovery_backend.whmcs")
# Rows of whmcs_index_state besides "phones" (time of the last full rebuild); the value column
# holds a number whose meaning the name gives.
LEASE, NEWEST_CLIENT, LAST_SYNC = "sync_lease_until", "newest_client_id", "synced_at"


class WhmcsApi:
    def __init__(self, api_url: str, identifier: str, secret: str):
        self.api_url, self.credentials = api_url, {"identifier": identifier, "secret": secret, "responsetype": "json"}
        self.session = requests.Session()

    def call(self, action: str, **params: Any) -> dict[str, Any]:
        try:
            response = self.session.post(self.api_url, data={**self.credentials, "action": action, **params},
                                         timeout=TIMEOUT)
            body = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderError(f"WHMCS {action}: {type(error).__name__}") from None
        if not isinstance(body, dict):
            raise ProviderError(f"WHMCS {action} (HTTP {response.status_code}): not a JSON object")
        if body.get("result") != "success":
            # WHMCS answers {"result":"error","message":…}, with HTTP 403 for authentication failures.
            raise ProviderError(f"WHMCS {action} (HTTP {response.status_code}): {str(body.get('message'))[:120]}")
        return body


class WhmcsAccountSource:
    def __init__(self, api_url: str, identifier: str, secret: str, engine: sa.Engine,
                 email_change_via_ticket: bool = False, index_max_age: float = 3600, department_id: int = 1):
        self.api = WhmcsApi(api_url, identifier, secret)
        self.engine, self.via_ticket = engine, email_change_via_ticket
        self.index_max_age, self.department_id = index_max_age, department_id
        self._stop = threading.Event()

    # --- the phone index ----------------------------------------------------------------------
    def _client_phones(self, clients: list[dict[str, Any]]) -> list[dict[str, Any]]:
        entries = []
        for client in clients:
            phone = self._phone(self._details(int(client["id"])))
            if phone:
                entries.append({"phone": phone, "client_id": int(client["id"])})
        return entries

    def refresh_index(self) -> int:
        """Full rebuild, replacing the index in one transaction; returns how many numbers."""
        entries, start, newest = [], 0, 0
        while True:
            page = self.api.call("GetClients", limitstart=start, limitnum=PAGE)
            clients = (page.get("clients") or {}).get("client") or []
            entries += self._client_phones(clients)
            newest = max([newest] + [int(c["id"]) for c in clients])
            start += len(clients)
            if not clients or start >= int(page.get("totalresults", 0)):
                break
        now = time.time()
        with self.engine.begin() as db:
            db.execute(phone_index.delete())
            if entries:
                db.execute(phone_index.insert(), entries)
            self._set_state(db, "phones", now)
            self._set_state(db, NEWEST_CLIENT, newest)
            self._set_state(db, LAST_SYNC, now)
        return len(entries)

    def refresh_new_clients(self) -> int:
        """Incremental: clients created since the newest one indexed (GetClients newest first)."""
        with self.engine.connect() as db:
            newest = int(self._state(db, NEWEST_CLIENT) or 0)
        page = self.api.call("GetClients", limitstart=0, limitnum=PAGE, orderby="id", order="desc")
        fresh = [c for c in (page.get("clients") or {}).get("client") or [] if int(c["id"]) > newest]
        entries = self._client_phones(fresh)
        with self.engine.begin() as db:
            for entry in entries:
                db.execute(phone_index.delete().where(phone_index.c.phone == entry["phone"],
                                                      phone_index.c.client_id == entry["client_id"]))
            if entries:
                db.execute(phone_index.insert(), entries)
            if fresh:
                self._set_state(db, NEWEST_CLIENT, max(int(c["id"]) for c in fresh))
            self._set_state(db, LAST_SYNC, time.time())
        return len(entries)

    @staticmethod
    def _state(db: sa.Connection, name: str) -> Optional[float]:
        return db.execute(sa.select(index_state.c.refreshed_at).where(index_state.c.name == name)).scalar()

    @staticmethod
    def _set_state(db: sa.Connection, name: str, value: float) -> None:
        if db.execute(index_state.update().where(index_state.c.name == name).values(refreshed_at=value)).rowcount == 0:
            db.execute(index_state.insert().values(name=name, refreshed_at=value))

    def _take_lease(self, seconds: float) -> bool:
        """One replica syncs at a time: a conditional UPDATE of the lease row decides who."""
        now = time.time()
        with self.engine.begin() as db:
            if self._state(db, LEASE) is None:
                try:
                    with db.begin_nested():
                        db.execute(index_state.insert().values(name=LEASE, refreshed_at=0))
                except sa.exc.IntegrityError:
                    pass
            return db.execute(index_state.update().where(index_state.c.name == LEASE,
                                                         index_state.c.refreshed_at < now)
                              .values(refreshed_at=now + seconds)).rowcount == 1

    def _release_lease(self) -> None:
        with self.engine.begin() as db:
            self._set_state(db, LEASE, 0)

    def sync_once(self) -> Optional[str]:
        """One step of the background sync; returns what it did (None: another replica holds the lease)."""
        if not self._take_lease(600):
            return None
        try:
            with self.engine.connect() as db:
                full = self._state(db, "phones")
            if full is None or time.time() - full >= self.index_max_age:
                self.refresh_index()
                return "full"
            self.refresh_new_clients()
            return "incremental"
        finally:
            self._release_lease()

    def start_sync(self, incremental_every: float = 60) -> None:
        def run() -> None:
            while not self._stop.is_set():
                try:
                    self.sync_once()
                except Exception as error:  # WHMCS away: keep the old index, try again later
                    log.warning("phone index sync failed", extra={"error": str(error)[:200]})
                self._stop.wait(incremental_every)
        threading.Thread(target=run, name="whmcs-index-sync", daemon=True).start()

    def stop_sync(self) -> None:
        self._stop.set()

    def index_age(self) -> Optional[float]:
        """Seconds since the index last heard from WHMCS (None: never synced)."""
        with self.engine.connect() as db:
            synced = self._state(db, LAST_SYNC)
        return None if synced is None else max(time.time() - synced, 0.0)

    def _details(self, client_id: int) -> dict[str, Any]:
        body = self.api.call("GetClientsDetails", clientid=client_id, stats="false")
        return body.get("client") or body

    @staticmethod
    def _phone(details: dict[str, Any]) -> Optional[str]:
        raw = details.get("phonenumberformatted") or details.get("phonenumber") or ""
        country = details.get("countrycode") or details.get("country") or "PL"
        return to_e164(str(raw), country) if raw else None

    def _account(self, details: dict[str, Any]) -> Account:
        company = (details.get("companyname") or "").strip()
        phone = self._phone(details)
        return Account(id=int(details["id"]), type="company" if company else "private",
                       name=f"{details.get('firstname', '')} {details.get('lastname', '')}".strip(),
                       email=details["email"], phones=(phone,) if phone else (), company=company or None,
                       nip=details.get("tax_id") or None)

    def account_id_for_phone(self, phone_e164: str) -> Optional[int]:
        with self.engine.connect() as db:
            return db.execute(sa.select(phone_index.c.client_id).where(phone_index.c.phone == phone_e164)
                              .order_by(phone_index.c.client_id).limit(1)).scalar()

    def find_by_phone(self, phone_e164: str) -> Optional[Account]:
        client_id = self.account_id_for_phone(phone_e164)
        return self.get(client_id) if client_id is not None else None

    def get(self, account_id: int) -> Optional[Account]:
        try:
            return self._account(self._details(account_id))
        except ProviderError:
            return None

    def send_password_reset(self, account: Account, language: str = "pl") -> None:
        self.api.call("ResetPassword", email=account.email)

    def change_email(self, account: Account, new_email: str, approved_by_staff: bool = False) -> None:
        if self.via_ticket and not approved_by_staff:
            self.open_staff_ticket(account, "Zmiana adresu e-mail po weryfikacji telefonu",
                                   f"Prośba o zmianę adresu {mask_email(account.email)} -> {mask_email(new_email)}.")
            return
        self.api.call("UpdateClient", clientid=account.id, email=new_email)
        users = self.api.call("GetUsers", search=account.email).get("users") or []
        for user in users:
            if user.get("email", "").lower() == account.email.lower():
                self.api.call("UpdateUser", user_id=user["id"], email=new_email)

    def open_staff_ticket(self, account: Optional[Account], subject: str, message: str) -> str:
        params = {"deptid": self.department_id, "subject": subject, "message": message}
        if account:
            params["clientid"] = account.id
        else:
            params.update(name="Czat pomocy", email="panel@kylos.pl")
        return str(self.api.call("OpenTicket", **params).get("tid"))
