"""The custom actions of the recovery paths. Each reads the tracker, calls one
backend operation or domain function, and answers with events."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .attestation import verified_phone
from .backend_client import BackendClient, BackendUnavailable, RateLimited, TokenInvalid
from .conversation_summary import summarize
from .forms import FAILED
from .phone import check_phone, masked
from .polish_dates import when
from .settings import company

ALTERNATIVE_BUTTONS = [
    {"title": "Wyślę dokumenty", "payload": "/ask_documents"},
    {"title": "Rozmowa z pracownikiem", "payload": "/request_human"},
    {"title": "Kontakt telefoniczny", "payload": "/ask_contact"},
]
VERIFICATION_SLOTS = ("phone_number", "phone_status", "verification_code", "verification_id", "recovery_token",
                      "masked_email", "new_email", "email_change_status")


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def _reset(*names: str) -> List[EventType]:
    return [SlotSet(name, None) for name in names]


def _forget_verification() -> List[EventType]:
    """Whatever was proven is dropped: the customer starts the phone check again."""
    return _reset(*VERIFICATION_SLOTS) + [SlotSet("phone_verified", False)]


def _proven_token(tracker: Tracker):
    """The backend token, only while the phone counts as proven."""
    token = tracker.get_slot("recovery_token")
    return token if tracker.get_slot("phone_verified") and token else None


def offer_alternatives(dispatcher: CollectingDispatcher, reason: str) -> None:
    facts = company()
    dispatcher.utter_message(
        text=f"{reason} Można odzyskać dostęp inaczej: zadzwonić do nas z numeru zapisanego w Panelu Klienta "
             f"({facts.hours_text}, kontakt: {facts.contact_url}), przesłać dokumenty albo poprosić o pracownika.",
        buttons=ALTERNATIVE_BUTTONS)


class ActionSessionStart(Action):
    """Puts the company facts into slots so responses can quote them."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        facts = company()
        return [SessionStarted(),
                *[SlotSet(name, getattr(facts, name)) for name in (
                    "panel_url", "password_reset_url", "change_password_article_url", "contact_url",
                    "documents_email", "hours_text")],
                ActionExecuted("action_listen")]


class ActionStartVerification(Action):
    def name(self) -> Text:
        return "action_start_verification"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        status, phone = tracker.get_slot("phone_status"), tracker.get_slot("phone_number")
        retry = _reset("phone_number", "phone_status") + [SlotSet("phone_failures", 0)]
        if status == FAILED:
            offer_alternatives(dispatcher, "Nie udało się odczytać numeru telefonu.")
            return retry
        if status == "landline":
            facts = company()
            dispatcher.utter_message(
                text=f"Numer {masked(phone)} to telefon stacjonarny, więc SMS z kodem na niego nie dojdzie. "
                     f"Proszę zadzwonić do nas z tego numeru ({facts.hours_text}, kontakt: {facts.contact_url}) "
                     "albo przesłać dokumenty.",
                buttons=ALTERNATIVE_BUTTONS[:2])
            return retry
        try:
            started = BackendClient().start_verification(phone, tracker.sender_id, _channel(tracker))
        except RateLimited as limited:
            minutes = max(1, round(limited.retry_after / 60))
            offer_alternatives(dispatcher, f"Kod był już wysyłany kilka razy. Kolejny będzie można wysłać "
                                           f"za ok. {minutes} min.")
            return retry
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return retry
        dispatcher.utter_message(response="utter_code_sent")
        return [SlotSet("verification_id", started.verification_id), SlotSet("code_failures", 0),
                SlotSet("verification_code", None), FollowupAction("code_form")]


class ActionAfterVerification(Action):
    """After the code form: the next step of the customer's path, or the alternatives."""

    def name(self) -> Text:
        return "action_after_verification"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        token = _proven_token(tracker)
        if token is None:
            offer_alternatives(dispatcher, "Nie udało się potwierdzić numeru kodem z SMS-a.")
            return _forget_verification()
        if tracker.get_slot("recovery_path") == "dead_email":
            dispatcher.utter_message(text="Dziękuję, numer potwierdzony.")
            return [FollowupAction("email_form")]
        try:
            hint = BackendClient().email_hint(token)
        except TokenInvalid:
            offer_alternatives(dispatcher, "Potwierdzenie numeru wygasło.")
            return _forget_verification()
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return []
        dispatcher.utter_message(text=f"Dziękuję, numer potwierdzony. Do Panelu Klienta loguje się Pan/Pani "
                                      f"adresem {hint} — ten adres proszę podać przy ustawianiu nowego hasła.")
        return [SlotSet("masked_email", hint), FollowupAction("utter_offer_reset")]


class ActionPhoneFromContact(Action):
    """Telegram: a contact the customer shared from their own account proves the phone."""

    def name(self) -> Text:
        return "action_phone_from_contact"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        attested = verified_phone(tracker.latest_message.get("metadata"), tracker.sender_id)
        if attested is None:
            dispatcher.utter_message(response="utter_only_own_contact")
            return []
        kind, phone = attested
        checked = check_phone(phone)
        path = tracker.get_slot("recovery_path") or "no_login"
        try:
            client = BackendClient()
            started = client.start_attested_verification(checked.e164 or phone, tracker.sender_id,
                                                         _channel(tracker), kind)
            result = client.attested_token(started.verification_id)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return []
        events: List[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None),
                                   SlotSet("recovery_path", path), SlotSet("phone_status", checked.kind)]
        if result.verified:
            return events + [SlotSet("phone_verified", True), SlotSet("recovery_token", result.token),
                             FollowupAction("action_after_verification")]
        offer_alternatives(dispatcher, "Ten numer nie pozwala potwierdzić konta.")
        return events


class ActionSendPasswordReset(Action):
    def name(self) -> Text:
        return "action_send_password_reset"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        token = _proven_token(tracker)
        if token is None:
            offer_alternatives(dispatcher, "Link do nowego hasła wysyłam dopiero po potwierdzeniu numeru telefonu.")
            return []
        try:
            BackendClient().password_reset(token, _channel(tracker))
        except TokenInvalid:
            offer_alternatives(dispatcher, "Potwierdzenie numeru wygasło.")
            return _forget_verification()
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return []
        dispatcher.utter_message(text=f"Wysłałem link do ustawienia nowego hasła na {tracker.get_slot('masked_email')}. "
                                      "Jest ważny przez krótki czas — proszę otworzyć go jak najszybciej.")
        return []


class ActionFinishEmailChange(Action):
    def name(self) -> Text:
        return "action_finish_email_change"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        status = tracker.get_slot("email_change_status")
        if status == "confirmation_sent":
            dispatcher.utter_message(response="utter_email_change_sent")
        elif status == "queued_for_staff":
            dispatcher.utter_message(response="utter_email_change_queued")
        elif status == "expired":
            offer_alternatives(dispatcher, "Potwierdzenie numeru wygasło, zanim podał(a) Pan/Pani nowy adres.")
            return _forget_verification()
        else:
            dispatcher.utter_message(response="utter_backend_down")
            return [SlotSet("new_email", None)]
        return []


class ActionListDocuments(Action):
    def name(self) -> Text:
        return "action_list_documents"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        types = [tracker.get_slot("account_type")] if tracker.get_slot("account_type") else ["private", "company"]
        try:
            lists = [BackendClient().documents(kind) for kind in types]
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return []
        for documents in lists:
            dispatcher.utter_message(text=documents_text(documents))
        return []


def documents_text(documents) -> str:
    heading = {"private": "Konto osoby prywatnej", "company": "Konto firmy lub organizacji"}[documents.account_type]
    choice = "jeden z dokumentów" if documents.account_type == "company" else "dokumenty"
    lines = [f"{heading} — proszę przesłać {choice} na {documents.send_to}:"]
    lines += [f"• {item}" for item in documents.documents]
    lines += documents.notes
    return "\n".join(lines)


class ActionOpenDocumentsCase(Action):
    def name(self) -> Text:
        return "action_open_documents_case"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        account_type = tracker.get_slot("account_type")
        slots = {**tracker.current_slot_values(), "recovery_path": "documents"}
        try:
            client = BackendClient()
            documents = client.documents(account_type)
            case = client.create_case("documents", tracker.sender_id, _channel(tracker),
                                      summarize(slots, _channel(tracker)), account_type=account_type,
                                      contact_email=tracker.get_slot("contact_email"))
            hours = client.office_hours()
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return [SlotSet("contact_email", None)]
        dispatcher.utter_message(text=documents_text(documents))
        dispatcher.utter_message(
            text=f"Numer zgłoszenia: {case.case_number}. Proszę wpisać go w temacie wiadomości z dokumentami "
                 f"i wysłać ją z adresu {tracker.get_slot('contact_email')}. {handling_time(case, hours.now)}")
        return [SlotSet("case_number", case.case_number), SlotSet("recovery_path", "documents")]


def handling_time(case, now) -> str:
    if case.open_now:
        return "Teraz pracujemy — pracownik zajmie się zgłoszeniem jeszcze dziś, w godzinach pracy."
    return f"Teraz biuro jest zamknięte; pracownik zajmie się zgłoszeniem {when(case.handled_from, now)}."


class ActionHandoffToHuman(Action):
    def name(self) -> Text:
        return "action_handoff_to_human"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        try:
            client = BackendClient()
            case = client.create_case("human_handoff", tracker.sender_id, _channel(tracker),
                                      summarize(tracker.current_slot_values(), _channel(tracker)),
                                      account_type=tracker.get_slot("account_type"),
                                      contact_email=tracker.get_slot("contact_email"))
            hours = client.office_hours()
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return [SlotSet("contact_email", None)]
        dispatcher.utter_message(
            text=f"Przekazałem sprawę pracownikowi razem z przebiegiem tej rozmowy — nie trzeba jej opisywać "
                 f"od nowa. Numer zgłoszenia: {case.case_number}. Odpowiemy na {tracker.get_slot('contact_email')}. "
                 f"{handling_time(case, hours.now)}")
        return [SlotSet("case_number", case.case_number)]


class ActionOfficeHours(Action):
    def name(self) -> Text:
        return "action_office_hours"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        facts = company()
        try:
            hours = BackendClient().office_hours()
        except BackendUnavailable:
            dispatcher.utter_message(text=f"Pracujemy {facts.hours_text}.")
            return []
        state = ("Teraz pracujemy." if hours.open_now else
                 f"Teraz biuro jest zamknięte — zaczynamy {when(hours.next_opening, hours.now)}.")
        dispatcher.utter_message(text=f"Pracujemy {facts.hours_text}. {state}")
        return []


class ActionOfferAlternatives(Action):
    def name(self) -> Text:
        return "action_offer_alternatives"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        offer_alternatives(dispatcher, "Bez telefonu zapisanego w panelu nie wyślę kodu.")
        return _forget_verification()


class ActionResetRecovery(Action):
    """A fresh start of a path: nothing proven earlier in another path carries over by accident."""

    def name(self) -> Text:
        return "action_reset_recovery"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return _reset(*VERIFICATION_SLOTS) + [SlotSet("phone_verified", False), SlotSet("phone_failures", 0),
                                              SlotSet("code_failures", 0)]
