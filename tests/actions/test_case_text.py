"""What the dialogue writes into a case for a person: the customer's words without numbers, codes or
addresses, whatever their form (issue 17, finding 3)."""
from actions.engine.case_text import scrub


def test_the_customers_words_lose_numbers_codes_and_addresses():
    scrubbed = scrub("mój numer 604.111.222 albo ６０１２３４５６７, kod 12-34-56, mail jan%kowalski@example.pl")
    assert not any(ch.isdigit() for ch in scrubbed) and "@" not in scrubbed and "kowalski" not in scrubbed
    assert scrubbed.startswith("mój numer [liczba]")
