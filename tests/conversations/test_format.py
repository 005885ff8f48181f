"""The runner's own rules, without the stack: the format's checks, the accounts fixture, and the
every-reply checks (replies.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.dialogue.texts import say
from tests.conversations import replies, spec

GOOD = """
name: a dead mailbox
written: blind
goal: dead_email
account: {type: private, email: jan@stara-domena.pl, phones: ["+48 512 300 401"]}
turns:
  - customer: "poczta nie dziala, tel 512300401"
    expect: {code_sent_to: "+48512300401"}
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_file_in_the_repository_follows_the_format():
    for path in spec.conversation_files():
        spec.load(path)


def test_a_good_file_loads_with_its_number_in_e164(tmp_path):
    loaded = spec.load(write(tmp_path, "a.yml", GOOD))
    assert loaded.account["phones"] == ["+48512300401"] and loaded.clock == spec.OFFICE_CLOCKS["open"]


@pytest.mark.parametrize("change, message", [
    (("written: blind", "written: somebody"), "written"),
    (("code_sent_to:", "code_went_to:"), "unknown expect keys"),
    (('"+48 512 300 401"', '"12"'), "not a phone number"),
    (("goal: dead_email", "goal: dead"), "goal"),
    (("type: private", "type: person"), "account.type"),
])
def test_a_broken_file_is_refused_with_its_name(tmp_path, change, message):
    path = write(tmp_path, "broken.yml", GOOD.replace(*change))
    with pytest.raises(spec.FormatError, match=message) as refused:
        spec.load(path)
    assert "broken.yml" in str(refused.value)


def test_a_phone_number_in_two_files_fails_with_both_names(tmp_path):
    write(tmp_path, "files/one/first.yml", GOOD)
    write(tmp_path, "files/two/second.yml", GOOD.replace("jan@", "ewa@"))
    base = write(tmp_path, "base.yml", "[]")
    with pytest.raises(spec.FormatError, match=r"two/second.yml: phone \+48512300401 is also in one/first.yml"):
        spec.accounts_fixture(base, tmp_path / "out.yml", root=tmp_path / "files")


def test_the_accounts_fixture_holds_the_base_and_every_file(tmp_path):
    write(tmp_path, "files/one/first.yml", GOOD)
    base = write(tmp_path, "base.yml", '- {id: 7, type: private, name: X, email: x@y.pl, phones: ["+48601000001"]}')
    rows = yaml.safe_load(spec.accounts_fixture(base, tmp_path / "out.yml", root=tmp_path / "files").read_text())
    assert [row["email"] for row in rows] == ["x@y.pl", "jan@stara-domena.pl"]
    assert rows[1]["phones"] == ["+48512300401"] and rows[1]["id"] > 7


@pytest.mark.parametrize("text, count", [
    ("Jaki numer jest w panelu?", 1),
    ("Jaki numer jest w panelu? Jaki numer jest w panelu?", 1),
    ("Jaki numer? A który adres e-mail?", 2),
    ("Pyta Pan „czy to bezpieczne?” Tak. Jaki numer jest w panelu?", 1),
    ("Strona https://x.pl/?a=1 pomoże. Jaki numer?", 1),
    ("Kod wysłałem.\nCzy przyszedł?\nJaki jest nowy adres?", 2),
])
def test_questions_are_counted_as_documented(text, count):
    assert len(replies.questions(text)) == count


def test_contradictions_are_found_in_the_assistants_own_texts():
    confirmed_and_late = say("phone_confirmed") + " " + say("code_not_received_wait", masked="+48 *** *** 401", seconds=40)
    assert replies.contradictions(confirmed_and_late, set())
    assert replies.contradictions(say("no_code_yet"), {"code_sent"})
    assert not replies.contradictions(say("no_code_yet"), set())
    assert replies.contradictions(say("no_code_yet", "en"), {"code_sent"}), "English texts are recognised too"


def test_a_rule_naming_a_text_that_is_gone_fails_loudly():
    with pytest.raises(KeyError, match="no longer has"):
        replies.said("anything", "a_text_that_does_not_exist")


def test_leaks_are_full_numbers_codes_and_the_login():
    assert replies.leaks("Numer 512 300 401", ["+48512300401"], [], [])
    assert not replies.leaks("Numer +48 *** *** 401", ["+48512300401"], [], [])
    assert replies.leaks("Kod 123456", [], ["123456"], [])
    assert replies.leaks("Login: jan@stara-domena.pl", [], [], ["jan@stara-domena.pl"])
