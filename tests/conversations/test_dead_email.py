"""Path "dead_email": the login mailbox no longer works. Goal: the backend was asked to change
the login address (the confirmation link went to the new address)."""
from __future__ import annotations

from tests.conversations.harness import Conversation, assert_masked_phone, wrong_codes


def test_problem_and_phone_in_one_message_send_the_code_at_once(talk: Conversation):
    reply = talk.say("domena mi wygasla i nie dziala poczta k.nowicki@nowicki-wygasla.pl, nr tel 512 100 111")
    talk.assert_code_sent_to("+48512100111")
    assert_masked_phone(talk, reply, "+48512100111")
    talk.say(f"kod {talk.code('+48512100111')}")
    talk.say("nowy mail: krzysztof.nowicki@gmail.com")
    talk.assert_email_change_requested("krzysztof.nowicki@gmail.com")
    talk.reached("dead_email")


def test_step_by_step(talk: Conversation):
    talk.say("nie dziala mi mail od panelu")
    talk.say("512-100-112")
    talk.assert_code_sent_to("+48512100112")
    talk.say(talk.code("+48512100112"))
    talk.say("nowy adres to monika.w@onet.pl")
    talk.assert_email_change_requested("monika.w@onet.pl")
    talk.reached("dead_email")


def test_typos_and_a_code_typed_in_two_groups(talk: Conversation):
    talk.say("niedziala skrzynka pocztowa bo domenka wygasla")
    talk.say("+48 512 100 113")
    code = talk.code("+48512100113")
    talk.say(f"kod: {code[:3]} {code[3:]}")
    talk.say("prosze zmienic na tadeusz.l@interia.pl")
    talk.assert_email_change_requested("tadeusz.l@interia.pl")
    talk.reached("dead_email")


def test_is_it_safe_and_which_number_in_the_code_step(talk: Conversation):
    talk.say("skrzynka nie dziala, tel 0048512100114")
    talk.say("czy to bezpieczne? skad mam wiedziec ze to nie oszustwo")
    assert talk.outcome_of(2) == "answered", talk.transcript()
    reply = talk.say("na jaki numer wyslales kod?")
    assert talk.outcome_of(3) == "answered", talk.transcript()
    assert_masked_phone(talk, reply, "+48512100114")
    talk.say(talk.code("+48512100114"))
    talk.say("irena.mroz@gmail.com")
    talk.assert_email_change_requested("irena.mroz@gmail.com")
    talk.reached("dead_email")
    talk.assert_code_sent_to("+48512100114", times=1)


def test_code_not_received_then_it_arrives(talk: Conversation):
    talk.say("poczta nie dziala, telefon 512 100 115")
    code = talk.code("+48512100115")
    talk.say("kod nie przyszedl")
    assert talk.outcome_of(2) != "fallback", talk.transcript()
    talk.assert_code_sent_to("+48512100115", times=1)  # within the minute no second SMS can go
    talk.say(f"a jest, {code}")
    talk.say("nowy: bartek.z@gmail.com")
    talk.assert_email_change_requested("bartek.z@gmail.com")
    talk.reached("dead_email")


def test_five_digits_are_a_typo_not_a_failed_try(talk: Conversation):
    talk.say("mail w domenie nie dziala, numer 512100116")
    code = talk.code("+48512100116")
    for wrong in wrong_codes(code, 2):
        talk.say(wrong)
    talk.say(code[:5])
    assert talk.outcome_of(4) == "clarify", talk.transcript()
    talk.say(code)
    talk.say("renata.duda@wp.pl")
    talk.assert_email_change_requested("renata.duda@wp.pl")
    talk.reached("dead_email")


def test_the_right_code_after_three_wrong_ones_and_the_alternatives(talk: Conversation):
    talk.say("nie dziala skrzynka, tel 512 100 117")
    code = talk.code("+48512100117")
    for wrong in wrong_codes(code, 3):
        talk.say(wrong)
    talk.assert_no_case()
    talk.say(code)
    talk.say("jacek.baran@gmail.com")
    talk.assert_email_change_requested("jacek.baran@gmail.com")
    talk.reached("dead_email")


def test_another_number_corrects_the_first(talk: Conversation):
    talk.say("nie dziala mi poczta, tel 512 100 981")
    talk.say("przepraszam pomylilem sie, inny numer: 512 100 118")
    talk.assert_code_sent_to("+48512100118")
    talk.say(talk.code("+48512100118"))
    talk.say("leszek.wilk@onet.pl")
    talk.assert_email_change_requested("leszek.wilk@onet.pl")
    talk.reached("dead_email")


def test_two_numbers_are_asked_about_never_guessed(talk: Conversation):
    talk.say("nie dziala mail, w panelu jest 512 100 119 albo 512 100 120, nie pamietam ktory")
    talk.assert_no_sms()
    talk.say("wyslij na 512 100 120")
    talk.assert_code_sent_to("+48512100120")
    talk.say(talk.code("+48512100120"))
    talk.say("wanda.kos@gmail.com")
    talk.assert_email_change_requested("wanda.kos@gmail.com")
    talk.reached("dead_email")


def test_two_new_addresses_are_asked_about(talk: Conversation):
    talk.say("skrzynka padla, tel 512 100 121")
    talk.say(talk.code("+48512100121"))
    talk.say("nowy mail: jan.kowal@gmail.com albo jan.kowal@wp.pl")
    talk.assert_no_email_change_to("jan.kowal@gmail.com")
    talk.assert_no_email_change_to("jan.kowal@wp.pl")
    talk.say("niech bedzie jan.kowal@gmail.com")
    talk.assert_email_change_requested("jan.kowal@gmail.com")
    talk.reached("dead_email")
    talk.assert_no_email_change_to("jan.kowal@wp.pl")


def test_a_stated_preference_picks_the_address(talk: Conversation):
    talk.say("nie dziala mi poczta, tel 512 100 122")
    talk.say(talk.code("+48512100122"))
    talk.say("nowy adres marta.k@onet.pl ale tam rzadko zagladam, lepiej marta.kowalska@gmail.com")
    talk.assert_email_change_requested("marta.kowalska@gmail.com")
    talk.reached("dead_email")
    talk.assert_no_email_change_to("marta.k@onet.pl")


def test_a_mistyped_new_address_is_corrected_and_nothing_is_lost(talk: Conversation):
    # One e-mail change per proof (the backend revokes the token after it): a correction
    # comes before the change, here after a malformed address.
    talk.say("mail nie dziala bo domena wygasla, tel 512 100 123")
    talk.say(talk.code("+48512100123"))
    talk.say("zmiencie na adam.nowy@wp,pl")
    assert not talk.emails(), talk.transcript()
    talk.say("sorki, adam.nowy@wp.pl")
    talk.assert_email_change_requested("adam.nowy@wp.pl")
    talk.reached("dead_email")
    talk.assert_code_sent_to("+48512100123", times=1)


def test_old_and_new_address_and_phone_in_one_message(talk: Conversation):
    talk.say("stary mail wiesia@stara-wygasla.pl nie dziala, nowy to wieslawa.m@gmail.com, tel 512 100 124")
    talk.assert_code_sent_to("+48512100124")
    talk.say(talk.code("+48512100124"))
    talk.assert_email_change_requested("wieslawa.m@gmail.com")
    talk.reached("dead_email")
    talk.assert_no_email_change_to("wiesia@stara-wygasla.pl")


def test_office_hours_in_the_phone_step(talk: Conversation):
    talk.say("nie dziala mi skrzynka pocztowa")
    talk.say("a w jakich godzinach pracujecie?")
    assert talk.outcome_of(2) == "answered", talk.transcript()
    talk.say("512 100 125")
    talk.say(talk.code("+48512100125"))
    talk.say("kamil.gorski@wp.pl")
    talk.assert_email_change_requested("kamil.gorski@wp.pl")
    talk.reached("dead_email")


def test_landline_then_mobile(talk: Conversation):
    talk.say("nie dziala mi mail, w panelu mam telefon stacjonarny 22 512 10 26")
    talk.assert_no_sms()
    talk.say("ok to komorka 512 100 126")
    talk.assert_code_sent_to("+48512100126")
    talk.say(talk.code("+48512100126"))
    talk.say("teresa.bak@gmail.com")
    talk.assert_email_change_requested("teresa.bak@gmail.com")
    talk.reached("dead_email")


def test_a_company_writing_as_we(talk: Conversation):
    talk.say("Piszemy w imieniu firmy Transbud sp. z o.o., nasza skrzynka biuro@transbud-wygasla.pl nie dziala. "
             "Telefon 512 100 127")
    talk.assert_code_sent_to("+48512100127")
    talk.say(talk.code("+48512100127"))
    talk.say("nowy adres: transbud.biuro@gmail.com")
    talk.assert_email_change_requested("transbud.biuro@gmail.com")
    talk.reached("dead_email")


def test_thanks_inside_the_code_step_does_not_end_it(talk: Conversation):
    talk.say("nie dziala skrzynka, tel 512 100 128")
    talk.say("ok dzieki, zaraz sprawdze telefon")
    talk.say(talk.code("+48512100128"))
    talk.say("slawek.kot@gmail.com")
    talk.assert_email_change_requested("slawek.kot@gmail.com")
    talk.reached("dead_email")


def test_what_next_and_how_long_in_the_code_step(talk: Conversation):
    talk.say("domena wygasla, mail nie dziala. 512 100 129")
    talk.say("co dalej?")
    talk.say("ile to potrwa?")
    assert talk.outcome_of(2) == "answered" and talk.outcome_of(3) == "answered", talk.transcript()
    talk.say(talk.code("+48512100129"))
    talk.say("agata.pietrzak@onet.pl")
    talk.assert_email_change_requested("agata.pietrzak@onet.pl")
    talk.reached("dead_email")


def test_asked_for_a_person_then_back_to_the_code(talk: Conversation):
    talk.say("nie dziala mi poczta, tel 512 100 130")
    talk.say("wole z czlowiekiem pogadac")
    talk.say(f"a jednak mam kod: {talk.code('+48512100130')}")
    talk.say("nowy mail: h.nowak@gmail.com")
    talk.assert_email_change_requested("h.nowak@gmail.com")
    talk.reached("dead_email")


def test_english_dead_mailbox(talk: Conversation):
    reply = talk.say("Hi, the mailbox on my expired domain doesn't work anymore. My phone is +48 512 100 132")
    talk.assert_code_sent_to("+48512100132")
    talk.assert_english(reply)
    reply = talk.say(f"the code is {talk.code('+48512100132')}")
    talk.assert_english(reply)
    reply = talk.say("new email: john.smith@gmail.com")
    talk.assert_email_change_requested("john.smith@gmail.com")
    talk.assert_english(reply)
    talk.reached("dead_email")


def test_from_the_hint_to_changing_the_dead_address_keeps_the_proof(talk: Conversation):
    talk.say("nie pamietam maila do logowania, tel 512 100 133")
    talk.say(talk.code("+48512100133"))
    talk.assert_masked_hint("lu***@b***.pl", "lucyna@borkowska-wygasla.pl")
    talk.say("ten mail i tak nie dziala, domena wygasla. zmiencie na lucyna.b@gmail.com")
    talk.assert_email_change_requested("lucyna.b@gmail.com")
    talk.reached("dead_email")
    talk.assert_code_sent_to("+48512100133", times=1)


def test_a_question_after_goodbye_continues(talk: Conversation):
    talk.say("nie dziala mi mail w domenie, tel 512 100 134")
    talk.say(talk.code("+48512100134"))
    talk.say("stefan.gajewski@gmail.com")
    talk.assert_email_change_requested("stefan.gajewski@gmail.com")
    talk.reached("dead_email")
    talk.say("dzieki, pa")
    talk.say("a jeszcze jedno, co dalej mam zrobic z haslem?")
    assert talk.outcome_of(5) == "answered", talk.transcript()
