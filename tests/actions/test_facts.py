"""Facts taken from what customers actually wrote (issue 8), without Rasa."""
from __future__ import annotations

import pytest

from actions.dialogue.facts import choose_email, extract


def test_several_facts_in_one_message():
    facts = extract("Dzien dobry, pisze w imieniu firmy Sklep Michalska. Nasza skrzynka "
                    "sklep@michalska-wygasla.pl przestala dzialac. Tel. w panelu: 0048 692 888 999")
    assert [(phone.kind, phone.e164) for phone in facts.phones] == [("mobile", "+48692888999")]
    assert facts.emails[0].role == "old" and choose_email(facts.emails) is None
    assert facts.account_type == "company" and facts.company_name == "Sklep Michalska"
    assert facts.plural


@pytest.mark.parametrize("text, kind, e164", [
    ("tak, w panelu powinien byc nr stacjonarny do biura 22 555 66 77", "landline", "+48225556677"),
    ("ok to komorka 603-456-789", "mobile", "+48603456789"),
    ("+48 (601) 234-567", "mobile", "+48601234567"),
])
def test_phones_of_every_shape(text, kind, e164):
    assert [(phone.kind, phone.e164) for phone in extract(text).phones] == [(kind, e164)]


def test_two_numbers_are_both_kept_for_a_question():
    assert len(extract("601 234 567 albo 602 345 678").mobiles) == 2


def test_a_stated_preference_picks_the_address():
    facts = extract("anna.nowak@example.pl ale tam rzadko zagladam, lepiej anowak1970@gmail.com")
    assert choose_email(facts.emails).address == "anowak1970@gmail.com"
    assert choose_email(extract("mam piotr.w@example.com i piotrw@example.com, ktory to?").emails) is None


def test_corrections_are_recognised():
    assert extract("nie nie, napisalam ze lepiej na anowak1970@gmail.com!").correction
    assert not extract("anowak1970@gmail.com").correction


def test_codes_only_when_expected_or_named():
    assert extract("123 456", expecting_code=True).code == "123456"
    assert extract("kod 123456").code == "123456"
    assert extract("123456").code is None
    assert extract("12345", expecting_code=True).code_typo == "12345"
    assert extract("１２３４５６", expecting_code=True).code == "123456", "full-width digits are digits"


def test_nip_is_not_a_phone():
    facts = extract("NIP 526-025-02-74, firma Przykładowa")
    assert facts.nip == "5260250274" and facts.phones == [] and facts.account_type == "company"


def test_english_is_detected():
    assert extract("Sorry I don't understand Polish, human please").english is True
    assert extract("nie pamietam hasla do panelu").english is False
    assert extract("ok").english is None


@pytest.mark.parametrize("text", ["nie mam juz tego numeru", "zgubilem telefon", "stary numer, juz nieaktywny",
                                  "nie znam ani loginu ani hasla, telefonu chyba nie mam",
                                  "a numer ktory byl w panelu oddalem razem z telefonem sluzbowym",
                                  "my Polish number is gone", "the phone number on the account belonged to a manager who left"])
def test_no_phone(text):
    assert extract(text).no_phone


@pytest.mark.parametrize("text", ["moze w panelu jest jeszcze stary numer 606 700 800, sprobujcie na niego",
                                  "nie mam juz dostepu do tego maila, ale telefon mam ten sam",
                                  "nasz informatyk zalozyl konto, nie mamy do niego dostepu, telefon w panelu jest "
                                  "firmowy", "telefon mam, ale mail nie dziala"])
def test_a_phone_still_there_or_given_is_not_a_lost_one(text):
    assert not extract(text).no_phone


@pytest.mark.parametrize("text, name", [
    ("w imieniu firmy Przedsiębiorstwo Handlowo-Usługowe Kowal-Bud Jan Kowalski, NIP 5260250274",
     "Przedsiębiorstwo Handlowo-Usługowe Kowal-Bud Jan Kowalski"),
    ("konto jest na firmę Biuro Rachunkowe Nowak i Wspólnicy sp. j. i nie mamy telefonu",
     "Biuro Rachunkowe Nowak i Wspólnicy sp. j."),
    ("spółka Techno-Serwis Sp. z o.o. ma konto", "Techno-Serwis Sp. z o.o."),
    ("nasza firma „Kwiaty u Basi” ma konto", "Kwiaty u Basi"),
    ("konto jest na spolke jawna Stolarstwo Gorski, NIP 8599528907", "Stolarstwo Gorski"),
    ("firma ABC Consulting S.A. Tel 601 234 567", "ABC Consulting S.A."),
    ("we're a company (Baltic Freight Sp. z o.o., NIP 5260250274) and lost access",
     "Baltic Freight Sp. z o.o."),
    ("the company Green Leaf Studio has the account", "Green Leaf Studio"),
])
def test_company_names_are_kept_whole(text, name):
    """Issue 18 #7: the name a person looks the company up by, legal form included, never cut short."""
    assert extract(text).company_name == name


@pytest.mark.parametrize("text", ["the company I worked for set it up", "company VAT ID 5260250274"])
def test_words_after_company_that_are_no_name(text):
    assert extract(text).company_name is None


@pytest.mark.parametrize("text, kind", [
    ("the account is registered in my own name, not a company", "private"),
    ("it's under my name, not the business", "private"),
    ("my name is Anna and we are a company", "company"),
])
def test_account_type_in_english(text, kind):
    assert extract(text).account_type == kind


def test_a_nip_settles_the_account_type_whatever_else_sounds_unsure():
    """"Służbowy" alone leaves the account type open (asked); with a NIP or a company's legal name it does not."""
    assert extract("to byl telefon sluzbowy").account_type_unsure
    facts = extract("komorka byla sluzbowa, nie mamy jej. Firma Lakmar Sp. z o.o., NIP 526-025-02-74")
    assert facts.account_type == "company" and not facts.account_type_unsure
