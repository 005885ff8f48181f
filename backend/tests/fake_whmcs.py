"""A small in-memory WHMCS answering its API (includes/api.php) as WHMCS documents it."""
from __future__ import annotations

from devstack.fake_http import FakeHttpServer

IDENTIFIER, SECRET = "whmcs-identifier", "whmcs-secret"


class FakeWhmcs:
    def __init__(self):
        self.clients = {
            1: {"id": 1, "firstname": "Marek", "lastname": "Zieliński", "companyname": "", "tax_id": "",
                "email": "marek@zielinski-domena.pl", "phonenumber": "+48.601234567", "countrycode": "PL"},
            2: {"id": 2, "firstname": "Ewa", "lastname": "Kowalczyk", "companyname": "Firma Przykładowa sp. z o.o.",
                "tax_id": "5260250274", "email": "biuro@przykladowa-firma.pl", "phonenumber": "602345678",
                "countrycode": "PL"},
            3: {"id": 3, "firstname": "Anna", "lastname": "Nowak", "companyname": "", "tax_id": "",
                "email": "anna.nowak@example.pl", "phonenumber": "22 111 22 33", "countrycode": "PL"},
        }
        self.users = [{"id": 50, "firstname": "Marek", "lastname": "Zieliński", "email": "marek@zielinski-domena.pl",
                       "clients": [{"id": 1, "isOwner": True}]}]
        self.actions, self.tickets = [], []
        self.latency = 0.0  # seconds added to every answer, like a real WHMCS across the network
        self.gateway = FakeHttpServer(self.respond)
        self.url = f"{self.gateway.url}/includes/api.php"

    def respond(self, seen) -> tuple[int, dict]:
        if self.latency:
            import time
            time.sleep(self.latency)
        form = seen.form()
        if seen.path != "/includes/api.php":
            return 404, {"result": "error", "message": "Not Found"}
        if form.get("identifier") != IDENTIFIER or form.get("secret") != SECRET:
            return 403, {"result": "error", "message": "Authentication Failed"}
        if form.get("responsetype") != "json":
            return 200, {"result": "error", "message": "responsetype json expected by this fake"}
        self.actions.append((form["action"], form))
        return 200, self.handle(form["action"], form)

    def handle(self, action: str, form: dict) -> dict:
        if action == "GetClients":
            start, limit = int(form.get("limitstart", 0)), int(form.get("limitnum", 25))
            ordered = sorted(self.clients.values(), key=lambda c: c["id"], reverse=form.get("order") == "desc")
            page = ordered[start:start + limit]
            return {"result": "success", "totalresults": len(self.clients), "startnumber": start,
                    "numreturned": len(page), "clients": {"client": [
                        {k: c[k] for k in ("id", "firstname", "lastname", "companyname", "email")} for c in page]}}
        if action == "GetClientsDetails":
            client = self.clients.get(int(form.get("clientid", 0)))
            if not client:
                return {"result": "error", "message": "Client Not Found"}
            return {"result": "success", "client": dict(client), **client}
        if action == "ResetPassword":
            if not any(c["email"] == form.get("email") for c in self.clients.values()):
                return {"result": "error", "message": "Client Not Found"}
            return {"result": "success", "email": form["email"]}
        if action == "UpdateClient":
            self.clients[int(form["clientid"])]["email"] = form["email"]
            return {"result": "success", "clientid": form["clientid"]}
        if action == "GetUsers":
            found = [u for u in self.users if form.get("search", "") in u["email"]]
            return {"result": "success", "totalresults": len(found), "users": found}
        if action == "UpdateUser":
            next(u for u in self.users if u["id"] == int(form["user_id"]))["email"] = form["email"]
            return {"result": "success", "user_id": int(form["user_id"])}
        if action == "OpenTicket":
            self.tickets.append(form)
            return {"result": "success", "id": len(self.tickets), "tid": f"{700000 + len(self.tickets)}", "c": "x"}
        return {"result": "error", "message": f"Command Not Found: {action}"}

    def add_client(self, client_id: int, phone: str, email: str) -> None:
        self.clients[client_id] = {"id": client_id, "firstname": "Klient", "lastname": str(client_id),
                                   "companyname": "", "tax_id": "", "email": email, "phonenumber": phone,
                                   "countrycode": "PL"}

    def close(self):
        self.gateway.close()
