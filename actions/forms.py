"""Form validation: what the customer typed becomes a slot, or a clear Polish
explanation of what is wrong. The third failure ends the form with a sentinel
so the follow-up action can offer the alternatives instead of asking again."""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .backend_client import BackendClient, BackendUnavailable, InvalidInput, RateLimited, TokenInvalid
from .email_address import email_problem, find_email
from .one_time_code import find_code
from .phone import FORMAT_HELP, check_phone

FAILED = "failed"
MAX_TRIES = 3


def _latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _reset_by_an_action(value: Any) -> bool:
    """Actions clear slots before a form starts; such a clearing is nothing the customer typed."""
    return value is None


class ValidatePhoneForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_phone_form"

    def validate_phone_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        if _reset_by_an_action(value):
            return {"phone_number": None}
        checked = check_phone(_latest_text(tracker))
        if checked.kind == "mobile":
            return {"phone_number": checked.e164, "phone_status": "mobile", "phone_failures": 0}
        if checked.kind == "landline":
            return {"phone_number": checked.e164, "phone_status": "landline"}
        failures = int(tracker.get_slot("phone_failures") or 0) + 1
        if failures >= MAX_TRIES:
            return {"phone_number": FAILED, "phone_status": FAILED, "phone_failures": failures}
        message = checked.problem if failures == 1 else f"{checked.problem} {FORMAT_HELP}"
        dispatcher.utter_message(text=message)
        return {"phone_number": None, "phone_failures": failures}


class ValidateCodeForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_code_form"

    def validate_verification_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        if _reset_by_an_action(value):
            return {"verification_code": None}
        failures = int(tracker.get_slot("code_failures") or 0)
        code = find_code(_latest_text(tracker))
        if code is None:
            failures += 1
            if failures >= MAX_TRIES:
                return {"verification_code": FAILED, "code_failures": failures}
            dispatcher.utter_message(text="Kod z SMS-a to dokładnie 6 cyfr, np. 123456." if failures == 1 else
                                     "To nie jest kod z SMS-a. Proszę przepisać same cyfry z wiadomości od Kylos "
                                     "(6 cyfr) albo wybrać „Kod nie przyszedł”.")
            return {"verification_code": None, "code_failures": failures}
        try:
            result = BackendClient().check_code(tracker.get_slot("verification_id") or "-", code)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return {"verification_code": None}
        # The code itself never stays in a slot: only what it proved.
        if result.verified:
            return {"verification_code": "accepted", "phone_verified": True, "recovery_token": result.token,
                    "code_failures": 0}
        failures += 1
        if failures >= MAX_TRIES or result.tries_left == 0:
            return {"verification_code": FAILED, "code_failures": failures, "phone_verified": False}
        if result.reason == "expired":
            return {"verification_code": FAILED, "code_failures": failures, "phone_verified": False}
        dispatcher.utter_message(text="Ten kod się nie zgadza." if failures == 1 else
                                 "Ten kod też się nie zgadza. Proszę przepisać 6 cyfr z najnowszego SMS-a od Kylos "
                                 "— zostaje ostatnia próba.")
        return {"verification_code": None, "code_failures": failures}


class ValidateEmailForm(FormValidationAction):
    """The change request goes to the backend here, so that "the same address as
    before" can be explained and asked again inside the form."""

    def name(self) -> Text:
        return "validate_email_form"

    def validate_new_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        if _reset_by_an_action(value):
            return {"new_email": None}
        text = _latest_text(tracker)
        problem = email_problem(text)
        if problem:
            dispatcher.utter_message(text=problem)
            return {"new_email": None}
        try:
            change = BackendClient().change_email(tracker.get_slot("recovery_token") or "-", find_email(text),
                                                  tracker.get_latest_input_channel() or "rest")
        except InvalidInput as invalid:
            dispatcher.utter_message(text="To ten sam adres, który jest już w koncie — proszę podać inny, działający."
                                     if invalid.code == "same_email" else
                                     "Ten adres ma błędny format. Proszę sprawdzić, np. jan.kowalski@example.pl.")
            return {"new_email": None}
        except TokenInvalid:
            return {"new_email": "-", "email_change_status": "expired"}
        except (BackendUnavailable, RateLimited):
            return {"new_email": "-", "email_change_status": "unavailable"}
        return {"new_email": change.masked_new_email, "email_change_status": change.status}


class ContactEmailValidation:
    """Shared by the forms that ask where staff should answer."""

    def validate_contact_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        if _reset_by_an_action(value):
            return {"contact_email": None}
        return _contact_email(tracker, dispatcher)


class ValidateCaseForm(ContactEmailValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_case_form"


class ValidateHandoffForm(ContactEmailValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_handoff_form"


def _contact_email(tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    text = _latest_text(tracker)
    problem = email_problem(text)
    if problem:
        dispatcher.utter_message(text=problem)
        return {"contact_email": None}
    return {"contact_email": find_email(text)}
