"""A case's free text keeps no number or address in clear: contact_rules' redactor, the one that
reads them (issue 17, finding 3)."""
from recovery_backend.cases import scrub_summary


def test_phones_codes_and_addresses_in_any_form_are_scrubbed():
    summary = ("klient podał 604.111.222, potem 604–111–222, kod 12 34 56, adres jan%kowalski@example.pl "
               "i stary marek@zielinski-domena.pl")
    scrubbed = scrub_summary(summary)
    assert not any(ch.isdigit() for ch in scrubbed), scrubbed
    assert "kowalski" not in scrubbed and "marek@" not in scrubbed
    assert "ma***@z***.pl" in scrubbed, "staff still see which address, masked"


def test_masked_numbers_and_short_numbers_stay():
    assert scrub_summary("kod wysłany na +48 *** *** 567, po 3 próbach") == "kod wysłany na +48 *** *** 567, po 3 próbach"
