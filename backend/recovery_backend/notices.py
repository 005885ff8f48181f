"""What the backend writes to customers (the SMS with a code, the e-mails and SMS about an address
change), in Polish and English: one home for each text, chosen by the language of the
conversation that caused it (Polish when it is unknown). Polish addresses one person as
"Pan/Pani", as every message to an account's owner does."""
from __future__ import annotations

from datetime import datetime

from .office_hours import WARSAW

SIGNATURE = {"pl": "Zespół Kylos", "en": "The Kylos team"}
HELP_URL = "https://www.kylos.pl/pomoc/"


def language_of(language: str | None) -> str:
    return "en" if language == "en" else "pl"


def local_time(moment: datetime, language: str = "pl") -> str:
    """Customers read Warsaw time: "25.11.2026, 18:40 (czasu polskiego)"."""
    zone = "czasu polskiego" if language_of(language) == "pl" else "Polish time"
    return f"{moment.astimezone(WARSAW):%d.%m.%Y, %H:%M} ({zone})"


def sms_code(code: str, minutes: int, language: str = "pl") -> str:
    if language_of(language) == "en":
        return (f"Kylos: your Client Panel recovery code is {code}. It is valid for {minutes} min. "
                "Never share it — our staff never ask for it.")
    return (f"Kylos: kod do odzyskania dostępu do Panelu Klienta to {code}. Jest ważny {minutes} min. "
            "Prosimy nikomu go nie podawać — nasi pracownicy nigdy o niego nie proszą.")


def confirm_new_address(link: str, wait_until: datetime | None, language: str = "pl") -> tuple[str, str]:
    """(subject, body) to the new address: the link that makes it the login."""
    if language_of(language) == "en":
        wait = (f"\n\nFor security, the change takes effect no earlier than {local_time(wait_until, 'en')}."
                if wait_until else "")
        return ("Kylos: please confirm the new e-mail address for the Client Panel",
                "Hello,\n\nto make this address the login of the Kylos Client Panel, please open the link "
                f"(valid for 24 hours) and confirm the change with the button:\n{link}{wait}\n\n"
                f"If you did not ask for this change, please ignore this message.\n\n{SIGNATURE['en']}")
    wait = (f"\n\nZe względów bezpieczeństwa zmiana nastąpi najwcześniej {local_time(wait_until)}."
            if wait_until else "")
    return ("Kylos: prosimy potwierdzić nowy adres e-mail do Panelu Klienta",
            "Dzień dobry,\n\naby ten adres stał się adresem logowania do Panelu Klienta Kylos, "
            f"prosimy otworzyć link (ważny 24 godziny) i potwierdzić zmianę przyciskiem:\n{link}{wait}\n\n"
            "Jeśli to nie Pan/Pani prosił(a) o zmianę, prosimy zignorować tę wiadomość.\n\n"
            f"{SIGNATURE['pl']}")


def change_requested(when: datetime, masked_new: str, wait_until: datetime | None, cancel_link: str,
                     language: str = "pl") -> tuple[str, str]:
    """(subject, body) to the current address: a change was asked for, and how to stop it."""
    if language_of(language) == "en":
        wait = (f"\n\nFor security, the change takes effect no earlier than {local_time(wait_until, 'en')}."
                if wait_until else "")
        return ("Kylos: a request to change the account's e-mail address",
                f"Hello,\n\non {local_time(when, 'en')}, after the phone number was confirmed, a change of the "
                f"Client Panel login to {masked_new} was requested.{wait}\n\nIf this wasn't you, please cancel "
                f"the change with this link:\n{cancel_link}\nand contact us urgently: {HELP_URL}\n\n"
                f"{SIGNATURE['en']}")
    wait = (f"\n\nZe względów bezpieczeństwa zmiana nastąpi najwcześniej {local_time(wait_until)}."
            if wait_until else "")
    return ("Kylos: prośba o zmianę adresu e-mail konta",
            f"Dzień dobry,\n\n{local_time(when)} po potwierdzeniu numeru telefonu poproszono o zmianę "
            f"adresu logowania do Panelu Klienta na {masked_new}.{wait}\n\nJeśli to nie Pan/Pani, prosimy "
            f"anulować zmianę tym linkiem:\n{cancel_link}\ni pilnie skontaktować się z nami: {HELP_URL}\n\n"
            f"{SIGNATURE['pl']}")


def change_requested_sms(masked_new: str, wait_until: datetime, cancel_link: str, language: str = "pl") -> str:
    if language_of(language) == "en":
        return (f"Kylos: a change of the account's e-mail to {masked_new} was requested. It takes effect no "
                f"earlier than {local_time(wait_until, 'en')}. If this wasn't you, please cancel it: {cancel_link}")
    return (f"Kylos: poproszono o zmianę adresu e-mail konta na {masked_new}. Nastąpi najwcześniej "
            f"{local_time(wait_until)}. Jeśli to nie Pan/Pani, prosimy ją anulować: {cancel_link}")


def address_changed(when: datetime, masked_new: str, language: str = "pl") -> tuple[str, str]:
    """(subject, body) to the old and the new address once the change applied."""
    if language_of(language) == "en":
        return ("Kylos: the account's e-mail address has been changed",
                f"Hello,\n\non {local_time(when, 'en')} the Kylos Client Panel login was changed to {masked_new}. "
                f"If this wasn't you, please contact us urgently: {HELP_URL}\n\n{SIGNATURE['en']}")
    return ("Kylos: adres e-mail konta został zmieniony",
            f"Dzień dobry,\n\n{local_time(when)} adres logowania do Panelu Klienta Kylos zmieniono na "
            f"{masked_new}. Jeśli to nie Pan/Pani, prosimy o pilny kontakt: {HELP_URL}\n\n{SIGNATURE['pl']}")


# Live hand-over (handovers.py): what the customer reads in the chat while a person has the conversation.
def agent_line(agent_name: str, text: str, language: str = "pl") -> str:
    """An agent's reply, saying who wrote it: a person, not the assistant."""
    role = "Kylos support" if language_of(language) == "en" else "konsultant Kylos"
    return f"{agent_name or ('Support' if language_of(language) == 'en' else 'Konsultant')} ({role}): {text}"


def handover_resolved(language: str = "pl") -> str:
    if language_of(language) == "en":
        return "The support person has closed the conversation. The assistant answers here again — write if you need anything else."
    return "Konsultant zakończył rozmowę. Dalej odpowiada tu asystent — proszę napisać, jeśli mogę jeszcze w czymś pomóc."


def handover_unanswered(language: str = "pl") -> str:
    if language_of(language) == "en":
        return ("Nobody from support has picked up yet, sorry. I can open a case instead and a person will write "
                "back by e-mail — please give me the e-mail address to reply to.")
    return ("Przepraszam, nikt z zespołu jeszcze nie odpisał. Mogę zamiast tego założyć zgłoszenie, na które "
            "konsultant odpowie e-mailem — proszę podać adres e-mail do odpowiedzi.")


UNANSWERED_NOTE = "Klient nie doczekał się odpowiedzi w wyznaczonym czasie; asystent zaproponował zgłoszenie e-mailowe."
