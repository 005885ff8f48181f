"""Path "handoff": the customer asks for a person, or the situation is outside the procedure.
Goal: a case staff can act on (path, account type, company, NIP, contact, masked phones tried,
phone proven, what failed, the unanswered question, language)."""
from __future__ import annotations

from tests.conversations.harness import Conversation, assert_phones_tried_masked, wrong_codes


def outside_procedure(case: dict) -> bool:
    """Staff see that the situation is outside the procedure: as the case's reason or its failure."""
    return case["reason"] == "outside_procedure" or (case["reason"] == "human_handoff"
                                                      and case.get("failure") == "outside_procedure")


def test_a_consultant_please(talk: Conversation):
    talk.say("chce rozmawiac z konsultantem")
    talk.say("mail: lukasz.p@gmail.com")
    case = talk.case()
    assert (case["reason"], case["contact_email"]) == ("human_handoff", "lukasz.p@gmail.com"), talk.explain(case)
    assert case.get("language") == "pl", talk.explain(case)
    talk.reached("handoff")


def test_a_person_and_the_address_in_one_message(talk: Conversation):
    talk.say("czlowiek prosze, moj mail to halina.r@wp.pl")
    case = talk.case()
    assert (case["reason"], case["contact_email"]) == ("human_handoff", "halina.r@wp.pl"), talk.explain(case)
    talk.reached("handoff")


def test_after_three_wrong_codes_the_case_says_what_failed(talk: Conversation):
    talk.say("nie dziala mi skrzynka, tel 512 100 161")
    code = talk.code("+48512100161")
    for wrong in wrong_codes(code, 3):
        talk.say(wrong)
    talk.say("dajcie mi czlowieka")
    talk.say("kontakt: jerzy.m@gmail.com")
    case = talk.case()
    assert (case["reason"], case["contact_email"]) == ("human_handoff", "jerzy.m@gmail.com"), talk.explain(case)
    assert case.get("path") == "dead_email" and case.get("phone_proven") is False, talk.explain(case)
    assert case.get("failure"), talk.explain(case)
    assert_phones_tried_masked(case, "+48512100161")
    talk.reached("handoff")


def test_company_and_nip_reach_the_case(talk: Conversation):
    talk.say("firma Elektro-Mont, NIP 9361730486, prosze o kontakt z konsultantem, mail elektromont@gmail.com")
    case = talk.case()
    assert (case["reason"], case["account_type"], case["nip"], case["contact_email"]) == \
        ("human_handoff", "company", "9361730486", "elektromont@gmail.com"), talk.explain(case)
    assert "elektro" in (case.get("company_name") or "").lower(), talk.explain(case)
    talk.reached("handoff")


def test_the_account_holder_died(talk: Conversation):
    talk.say("wlasciciel konta zmarl, jestem jego corka i chce przejac domene")
    talk.say("kontakt: magda.s@gmail.com")
    case = talk.case()
    assert outside_procedure(case) and case["contact_email"] == "magda.s@gmail.com", talk.explain(case)
    talk.reached("handoff")


def test_the_company_was_taken_over(talk: Conversation):
    talk.say("nasza firma zostala przejeta przez inna, nie mamy zadnych danych do panelu")
    talk.say("nowy kontakt to it@nowy-wlasciciel-przyklad.pl")
    case = talk.case()
    assert outside_procedure(case) and case["contact_email"] == "it@nowy-wlasciciel-przyklad.pl", \
        talk.explain(case)
    talk.reached("handoff")


def test_no_document_at_all(talk: Conversation):
    talk.say("nie mam telefonu ani dostepu do maila, konto prywatne")
    talk.assert_documents_listed("private")
    talk.say("nie mam zadnych dokumentow")
    talk.say("stanislaw.w@gmail.com")
    case = talk.case()
    assert outside_procedure(case) and (case["account_type"], case["contact_email"]) == \
        ("private", "stanislaw.w@gmail.com"), talk.explain(case)
    talk.reached("handoff")


def test_the_unanswered_question_reaches_the_case(talk: Conversation):
    talk.say("czy moge przeniesc domene do innego rejestratora?")
    talk.say("to chce z kims porozmawiac")
    talk.say("kontakt: w.nowak@gmail.com")
    case = talk.case()
    assert (case["reason"], case["contact_email"]) == ("human_handoff", "w.nowak@gmail.com"), talk.explain(case)
    assert case.get("open_question"), talk.explain(case)
    talk.reached("handoff")


def test_english_a_real_person(talk: Conversation):
    reply = talk.say("Can I talk to a real person? My email is sarah.connor@example.com")
    talk.assert_english(reply)
    case = talk.case()
    assert (case["reason"], case["contact_email"]) == ("human_handoff", "sarah.connor@example.com"), talk.explain(case)
    assert case.get("language") == "en", talk.explain(case)
    talk.reached("handoff")


def test_after_the_documents_list_the_account_type_is_kept(talk: Conversation):
    talk.say("konto firmowe, telefonu z panelu juz nie mamy, loginu nie znamy")
    talk.assert_documents_listed("company")
    talk.say("wolimy porozmawiac z konsultantem, kontakt biuro@kwiaciarnia-roza.pl")
    case = talk.case()
    assert (case["reason"], case["account_type"], case["contact_email"]) == \
        ("human_handoff", "company", "biuro@kwiaciarnia-roza.pl"), talk.explain(case)
    talk.reached("handoff")


def test_after_a_proven_phone_the_case_says_so(talk: Conversation):
    talk.say("zapomnialem loginu, tel 512 100 162")
    talk.say(talk.code("+48512100162"))
    talk.assert_masked_hint("ro***@e***.pl", "roman.k@example.pl")
    talk.say("to i tak nie pomaga, chce rozmawiac z konsultantem, mail roman.kubiak@gmail.com")
    case = talk.case()
    assert (case["reason"], case["contact_email"]) == ("human_handoff", "roman.kubiak@gmail.com"), talk.explain(case)
    assert case.get("phone_proven") is True and case.get("path") == "no_login", talk.explain(case)
    talk.reached("handoff")


def test_a_landline_only_then_a_person(talk: Conversation):
    talk.say("nie dziala mi poczta, w panelu mam telefon stacjonarny (22) 512 10 62")
    talk.assert_no_sms()
    talk.say("to poprosze konsultanta")
    talk.say("anna.kontakt@gmail.com")
    case = talk.case()
    assert (case["reason"], case["contact_email"]) == ("human_handoff", "anna.kontakt@gmail.com"), talk.explain(case)
    assert_phones_tried_masked(case, "+48225121062")
    talk.reached("handoff")
