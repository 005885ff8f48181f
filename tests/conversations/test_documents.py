"""Path "documents": no phone to prove the account with. Goal: the documents listed for the
account type (as soon as it is known) and a case opened with the contact address."""
from __future__ import annotations

from tests.conversations.harness import Conversation


def test_company_without_the_phone(talk: Conversation):
    talk.say("nie mamy dostepu do panelu ani do telefonu ktory tam jest, konto jest na firme")
    talk.assert_documents_listed("company")
    talk.say("kontakt: zarzad@budimex-przyklad.pl")
    case = talk.case()
    assert (case["reason"], case["account_type"], case["contact_email"]) == \
        ("documents", "company", "zarzad@budimex-przyklad.pl"), talk.explain(case)
    talk.reached("documents")
    talk.assert_no_sms()


def test_which_documents_for_a_private_account_is_answered_first(talk: Conversation):
    talk.say("jakie dokumenty musze wyslac? konto prywatne")
    talk.assert_documents_listed("private")
    talk.assert_no_case()
    talk.say("moj mail kontaktowy to ala.m@o2.pl")
    case = talk.case()
    assert (case["reason"], case["account_type"], case["contact_email"]) == \
        ("documents", "private", "ala.m@o2.pl"), talk.explain(case)
    talk.reached("documents")


def test_step_by_step(talk: Conversation):
    talk.say("nie znam danych logowania")
    talk.say("nie mam juz tego numeru")
    talk.say("osoba prywatna")
    talk.assert_documents_listed("private")
    talk.say("kontakt: zenon.b@wp.pl")
    case = talk.case()
    assert (case["account_type"], case["contact_email"]) == ("private", "zenon.b@wp.pl"), talk.explain(case)
    talk.reached("documents")


def test_company_name_and_nip_are_kept(talk: Conversation):
    talk.say("Firma Budmax sp. z o.o., NIP 356-230-12-34, nie mamy ani maila ani telefonu z panelu")
    talk.assert_documents_listed("company")
    talk.say("biuro@budmax.com.pl")
    case = talk.case()
    assert (case["account_type"], case["nip"], case["contact_email"]) == \
        ("company", "3562301234", "biuro@budmax.com.pl"), talk.explain(case)
    assert "budmax" in (case.get("company_name") or "").lower(), talk.explain(case)
    talk.reached("documents")


def test_probably_a_business_account_is_asked_about(talk: Conversation):
    talk.say("stracilam telefon i nie pamietam loginu. konto chyba sluzbowe")
    assert talk.outcome_of(1) == "clarify", talk.transcript()
    talk.say("tak, firmowe, na moja dzialalnosc")
    talk.assert_documents_listed("company")
    talk.say("kontakt iwona.t@gmail.com")
    case = talk.case()
    assert (case["account_type"], case["contact_email"]) == ("company", "iwona.t@gmail.com"), talk.explain(case)
    talk.reached("documents")


def test_english_company_documents(talk: Conversation):
    talk.say("I lost access to the panel and I don't have the phone anymore. The account is for my company.")
    talk.assert_english_documents("company")
    talk.assert_english(talk.say("contact: ops@acme-example.com"))
    case = talk.case()
    assert (case["account_type"], case["contact_email"]) == ("company", "ops@acme-example.com"), talk.explain(case)
    assert case.get("language") == "en", talk.explain(case)
    talk.reached("documents")


def test_two_contact_addresses_are_asked_about(talk: Conversation):
    talk.say("nie mam telefonu, nie pamietam maila, konto prywatne")
    talk.assert_documents_listed("private")
    talk.say("mozna pisac na kasia.z@wp.pl albo kasia.z@gmail.com")
    talk.assert_no_case()
    talk.say("kasia.z@gmail.com")
    case = talk.case()
    assert case["contact_email"] == "kasia.z@gmail.com", talk.explain(case)
    talk.reached("documents")


def test_the_contact_address_corrected_after_the_case(talk: Conversation):
    talk.say("zgubilem telefon z panelu i nie pamietam loginu, konto prywatne")
    talk.say("kontakt: olek.p@wp.pl")
    assert talk.case()["contact_email"] == "olek.p@wp.pl"
    talk.reached("documents")
    talk.say("nie, lepiej na olek.p@gmail.com")
    assert talk.case()["contact_email"] == "olek.p@gmail.com", talk.transcript()


def test_sole_proprietorship_is_a_company(talk: Conversation):
    talk.say("mam jednoosobowa dzialalnosc gospodarcza, telefon firmowy przepadl, loginu nie pamietam")
    talk.assert_documents_listed("company")
    talk.say("piotr@hydraulik-przyklad.pl")
    case = talk.case()
    assert (case["account_type"], case["contact_email"]) == ("company", "piotr@hydraulik-przyklad.pl"), talk.explain(case)
    talk.reached("documents")


def test_how_long_before_giving_the_contact(talk: Conversation):
    talk.say("nie mam telefonu z panelu, konto prywatne, nie pamietam hasla ani maila")
    talk.assert_documents_listed("private")
    talk.say("ile to potrwa?")
    assert talk.outcome_of(2) == "answered", talk.transcript()
    talk.assert_no_case()
    talk.say("kontakt: jolanta.w@interia.pl")
    assert talk.case()["contact_email"] == "jolanta.w@interia.pl"
    talk.reached("documents")


def test_everything_in_one_message(talk: Conversation):
    talk.say("konto na osobe fizyczna, telefonu nie mam, loginu nie znam, kontakt: karol.d@wp.pl")
    talk.assert_documents_listed("private")
    case = talk.case()
    assert (case["reason"], case["account_type"], case["contact_email"]) == \
        ("documents", "private", "karol.d@wp.pl"), talk.explain(case)
    talk.reached("documents")


def test_documents_and_office_hours_in_one_question(talk: Conversation):
    talk.say("jakie dokumenty dla firmy i w jakich godzinach je rozpatrujecie?")
    talk.assert_documents_listed("company")
    talk.say("sekretariat@firma-abc-przyklad.pl")
    case = talk.case()
    assert (case["account_type"], case["contact_email"]) == ("company", "sekretariat@firma-abc-przyklad.pl"), talk.explain(case)
    talk.reached("documents")
