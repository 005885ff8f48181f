"""WHMCS as the account source (the Client Panel is a WHMCS client area).

WHMCS's API cannot find a client by phone number, so we keep our own
E.164 → client index, refreshed from GetClients + GetClientsDetails when it is
older than `index_max_age`. Everything else goes to WHMCS as it happens:
ResetPassword, UpdateClient (+ UpdateUser for WHMCS 8 users), OpenTicket.
"""
from __future__ import annotations

import time
from typing import Any, Optional

import sqlalchemy as sa

from ..masking import mask_email
from ..phone import to_e164
from ..ports import Account, ProviderError
from .http_gateway import TIMEOUT

import requests

index_metadata = sa.MetaData()
phone_index = sa.Table(
    "whmcs_phone_index", index_metadata,
    sa.Column("phone", sa.String(20), primary_key=True),
    sa.Column("client_id", sa.Integer, primary_key=True),
)
index_state = sa.Table(
    "whmcs_index_state", index_metadata,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("refreshed_at", sa.Float, nullable=False),
)
PAGE = 250


class WhmcsApi:
    def __init__(self, api_url: str, identifier: str, secret: str):
        self.api_url, self.credentials = api_url, {"identifier": identifier, "secret": secret, "responsetype": "json"}
        self.session = requests.Session()

    def call(self, action: str, **params: Any) -> dict:
        try:
            response = self.session.post(self.api_url, data={**self.credentials, "action": action, **params},
                                         timeout=TIMEOUT)
            body = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderError(f"WHMCS {action}: {type(error).__name__}") from None
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
        index_metadata.create_all(engine)

    def refresh_index(self) -> int:
        entries, start = [], 0
        while True:
            page = self.api.call("GetClients", limitstart=start, limitnum=PAGE)
            clients = (page.get("clients") or {}).get("client") or []
            for client in clients:
                details = self._details(int(client["id"]))
                phone = self._phone(details)
                if phone:
                    entries.append({"phone": phone, "client_id": int(client["id"])})
            start += len(clients)
            if not clients or start >= int(page.get("totalresults", 0)):
                break
        with self.engine.begin() as db:
            db.execute(phone_index.delete())
            if entries:
                db.execute(phone_index.insert(), entries)
            db.execute(index_state.delete())
            db.execute(index_state.insert().values(name="phones", refreshed_at=time.time()))
        return len(entries)

    def _fresh_index(self) -> None:
        with self.engine.connect() as db:
            refreshed = db.execute(sa.select(index_state.c.refreshed_at)).scalar()
        if refreshed is None or time.time() - refreshed > self.index_max_age:
            self.refresh_index()

    def _details(self, client_id: int) -> dict:
        body = self.api.call("GetClientsDetails", clientid=client_id, stats="false")
        return body.get("client") or body

    @staticmethod
    def _phone(details: dict) -> Optional[str]:
        raw = details.get("phonenumberformatted") or details.get("phonenumber") or ""
        country = details.get("countrycode") or details.get("country") or "PL"
        return to_e164(str(raw), country) if raw else None

    def _account(self, details: dict) -> Account:
        company = (details.get("companyname") or "").strip()
        phone = self._phone(details)
        return Account(id=int(details["id"]), type="company" if company else "private",
                       name=f"{details.get('firstname', '')} {details.get('lastname', '')}".strip(),
                       email=details["email"], phones=(phone,) if phone else (), company=company or None,
                       nip=details.get("tax_id") or None)

    def find_by_phone(self, phone_e164: str) -> Optional[Account]:
        self._fresh_index()
        with self.engine.connect() as db:
            client_id = db.execute(sa.select(phone_index.c.client_id).where(phone_index.c.phone == phone_e164)
                                   .order_by(phone_index.c.client_id)).scalar()
        return self.get(client_id) if client_id is not None else None

    def get(self, account_id: int) -> Optional[Account]:
        try:
            return self._account(self._details(account_id))
        except ProviderError:
            return None

    def send_password_reset(self, account: Account) -> None:
        self.api.call("ResetPassword", email=account.email)

    def change_email(self, account: Account, new_email: str) -> None:
        if self.via_ticket:
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
