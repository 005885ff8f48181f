"""What the backend writes to customers (the SMS with a code, the e-mails and SMS about an address
change, the pages its links open), in Polish and English: one home for each text, chosen by the
language of the conversation that caused it (Polish when it is unknown). Polish addresses the
account's owner in one register: "Pan/Pani" (singular verbs) for a private account, "Państwo"
(plural verbs) for a company's — `[[one|many]]`, the assistant's own marking (actions/dialogue/texts.py)."""
from __future__ import annotations

import re
from datetime import datetime

from .office_hours import WARSAW

_REGISTER = re.compile(r"\[\[([^|\]]*)\|([^\]]*)\]\]")


def in_register(text: str, plural: bool) -> str:
    """`[[one|many]]` resolved: "Pan/Pani" or "Państwo"."""
    return _REGISTER.sub(lambda match: match.group(2 if plural else 1), text)

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


def confirm_new_address(link: str, wait_until: datetime | None, language: str = "pl",
                        plural: bool = False) -> tuple[str, str]:
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
            + in_register("Jeśli to nie [[Pan/Pani prosił(a)|Państwo prosili]] o zmianę, prosimy zignorować tę "
                          "wiadomość.", plural) + f"\n\n{SIGNATURE['pl']}")


def change_requested(when: datetime, masked_new: str, wait_until: datetime | None, cancel_link: str,
                     language: str = "pl", plural: bool = False) -> tuple[str, str]:
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
            f"adresu logowania do Panelu Klienta na {masked_new}.{wait}\n\n"
            + in_register("Jeśli to nie [[Pan/Pani|Państwo]], prosimy ", plural)
            + f"anulować zmianę tym linkiem:\n{cancel_link}\ni pilnie skontaktować się z nami: {HELP_URL}\n\n"
            f"{SIGNATURE['pl']}")


def change_requested_sms(masked_new: str, wait_until: datetime, cancel_link: str, language: str = "pl",
                         plural: bool = False) -> str:
    if language_of(language) == "en":
        return (f"Kylos: a change of the account's e-mail to {masked_new} was requested. It takes effect no "
                f"earlier than {local_time(wait_until, 'en')}. If this wasn't you, please cancel it: {cancel_link}")
    return (f"Kylos: poproszono o zmianę adresu e-mail konta na {masked_new}. Nastąpi najwcześniej "
            f"{local_time(wait_until)}. " + in_register("Jeśli to nie [[Pan/Pani|Państwo]]", plural)
            + f", prosimy ją anulować: {cancel_link}")


def password_reset(reset_url: str, language: str = "pl", plural: bool = False) -> tuple[str, str]:
    """(subject, body) the local account source sends (WHMCS sends its own)."""
    if language_of(language) == "en":
        return ("Kylos: set a new Client Panel password",
                f"Hello,\n\nas requested in the help chat, here is the link to set a new password:\n{reset_url}\n\n"
                "On that page, please enter this e-mail address. If you did not ask for this, please ignore "
                f"this message.\n\n{SIGNATURE['en']}")
    return ("Kylos: ustawienie nowego hasła do Panelu Klienta",
            "Dzień dobry,\n\nna prośbę złożoną na czacie pomocy wysyłamy link do ustawienia nowego hasła:\n"
            f"{reset_url}\n\nNa tej stronie prosimy podać ten adres e-mail. "
            + in_register("Jeśli to nie [[Pan/Pani prosił(a)|Państwo prosili]] o zmianę, prosimy zignorować tę "
                          "wiadomość.", plural) + f"\n\n{SIGNATURE['pl']}")


def address_changed(when: datetime, masked_new: str, language: str = "pl", plural: bool = False) -> tuple[str, str]:
    """(subject, body) to the old and the new address once the change applied."""
    if language_of(language) == "en":
        return ("Kylos: the account's e-mail address has been changed",
                f"Hello,\n\non {local_time(when, 'en')} the Kylos Client Panel login was changed to {masked_new}. "
                f"If this wasn't you, please contact us urgently: {HELP_URL}\n\n{SIGNATURE['en']}")
    return ("Kylos: adres e-mail konta został zmieniony",
            f"Dzień dobry,\n\n{local_time(when)} adres logowania do Panelu Klienta Kylos zmieniono na "
            f"{masked_new}. " + in_register("Jeśli to nie [[Pan/Pani|Państwo]]", plural)
            + f", prosimy o pilny kontakt: {HELP_URL}\n\n{SIGNATURE['pl']}")


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


# The pages the e-mail change's links open (api/routes/email_change_links.py): (title, text) by key.
PAGES = {
    "pl": {
        "invalid": ("Link nieważny", "Ten link wygasł, został już użyty albo zastąpiony nowszą prośbą. "
                                     "Prosimy wrócić do czatu pomocy."),
        "confirm": ("Potwierdzenie nowego adresu e-mail",
                    "Prosimy potwierdzić, że ten adres ma być adresem logowania do Panelu Klienta."),
        "confirm_button": ("Potwierdzam zmianę adresu", ""),
        "applied": ("Adres e-mail zmieniony", "Nowy adres jest już adresem logowania do Panelu Klienta. Teraz można "
                                              "ustawić hasło: {password_reset_url}"),
        "waiting": ("Zmiana potwierdzona", "Ze względów bezpieczeństwa nowy adres zacznie działać {when}, o ile "
                                           "zmiana nie zostanie wcześniej anulowana."),
        "unavailable": ("Chwilowy problem", "Nie udało się teraz zmienić adresu. Link nadal działa — prosimy "
                                            "spróbować ponownie za kilka minut."),
        "cancel": ("Anulowanie zmiany adresu e-mail",
                   "Jeśli to nie [[Pan/Pani prosił(a)|Państwo prosili]] o zmianę adresu, prosimy ją anulować."),
        "cancel_button": ("Anuluj zmianę adresu", ""),
        "cancelled": ("Zmiana anulowana", "Adres logowania pozostaje bez zmian. Jeśli to nie [[Pan/Pani prosił(a)|"
                                          "Państwo prosili]] o zmianę, prosimy o kontakt: " + HELP_URL),
    },
    "en": {
        "invalid": ("Link no longer valid", "This link has expired, was already used or was replaced by a newer "
                                            "request. Please go back to the help chat."),
        "confirm": ("Confirm the new e-mail address",
                    "Please confirm that this address should become the Client Panel login."),
        "confirm_button": ("I confirm the change", ""),
        "applied": ("E-mail address changed", "The new address is now the Client Panel login. You can set a "
                                              "password now: {password_reset_url}"),
        "waiting": ("Change confirmed", "For security, the new address takes effect {when}, unless the change is "
                                        "cancelled before then."),
        "unavailable": ("A temporary problem", "The address couldn't be changed just now. The link still works — "
                                               "please try again in a few minutes."),
        "cancel": ("Cancel the e-mail address change", "If you did not ask for this change, please cancel it."),
        "cancel_button": ("Cancel the change", ""),
        "cancelled": ("Change cancelled", "The login address stays as it was. If you did not ask for the change, "
                                          "please contact us: " + HELP_URL),
    },
}


def page_text(key: str, language: str = "pl", plural: bool = False, **fields: str) -> tuple[str, str]:
    title, text = PAGES[language_of(language)][key]
    return title, in_register(text, plural).format(**fields)
