"""The short story of a conversation handed to a person, so the customer never
repeats it. Built from slots only: never a code, never a full phone or e-mail."""
from __future__ import annotations

from typing import Any, Mapping

PATHS = {
    "password": "zapomniane hasło (skrzynka działa)",
    "dead_email": "nie działa skrzynka e-mail z konta",
    "no_login": "nie zna e-maila ani hasła",
    "documents": "weryfikacja dokumentami",
}
ACCOUNT_TYPES = {"private": "osoba prywatna", "company": "firma/organizacja"}
PHONE_STATES = {"mobile": "podał numer komórkowy", "landline": "podał numer stacjonarny (SMS niemożliwy)",
                "failed": "nie udało się podać poprawnego numeru"}


def summarize(slots: Mapping[str, Any], channel: str) -> str:
    parts = [f"Kanał: {channel}."]
    parts.append(f"Sprawa: {PATHS.get(slots.get('recovery_path') or '', 'nie określono')}.")
    if slots.get("account_type") in ACCOUNT_TYPES:
        parts.append(f"Konto: {ACCOUNT_TYPES[slots['account_type']]}.")
    if slots.get("phone_status") in PHONE_STATES:
        parts.append(f"Telefon: {PHONE_STATES[slots['phone_status']]}.")
    if slots.get("phone_verified"):
        parts.append("Telefon potwierdzony (kod SMS lub kontakt z Telegrama).")
    elif slots.get("verification_id"):
        parts.append("Kod wysłany, telefon niepotwierdzony.")
    if slots.get("code_failures"):
        parts.append(f"Błędne kody: {int(slots['code_failures'])}.")
    if slots.get("email_change_status"):
        parts.append(f"Zmiana e-maila: {slots['email_change_status']}.")
    return " ".join(parts)
