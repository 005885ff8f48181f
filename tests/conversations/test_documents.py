"""Path "documents": no phone to prove the account with. Goal: the documents listed for the
account type (as soon as it is known) and a case opened with the contact address."""
from __future__ import annotations

from tests.conversations.harness import Conversation


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
