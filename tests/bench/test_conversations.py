import string

from bench.conversations import LONG_SCRIPT, SCRIPTS, accounts_fixture, spoken


def test_numbers_are_typed_as_customers_type_them():
    assert spoken("+48500000012") == "500 000 012"


def test_the_long_conversation_starts_and_ends_with_the_same_question():
    assert len(LONG_SCRIPT) == 60 and LONG_SCRIPT[0] == LONG_SCRIPT[-1]


def test_scripts_use_only_the_fields_the_load_fills_in():
    fields = {name for script in [*SCRIPTS.values(), LONG_SCRIPT] for text in script
              for _, name, _, _ in string.Formatter().parse(text) if name}
    assert fields <= {"phone", "code", "n"} and {"phone", "code"} <= fields


def test_each_account_has_its_own_mobile_number(tmp_path):
    phones = accounts_fixture(tmp_path / "accounts.yml", 3)
    assert len(set(phones)) == 3 and all(p.startswith("+485") for p in phones)
    assert (tmp_path / "accounts.yml").read_text().count("phones:") == 3
