"""Issue 18 #6: Polish as a careful support person writes it. Every Polish text (texts.py and the
answers in domain/answers.yml) is rendered in both registers: "Pan/Pani" takes singular verbs
("loguje się Pan/Pani"), "Państwo" plural ones ("logują się Państwo"); no text addresses the
customer outside a `[[one|many]]` pair, so one conversation keeps one register."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions.dialogue import texts

ROOT = Path(__file__).resolve().parents[2]

# The verbs the texts use next to the form of address: third person singular | plural.
VERBS = {
    "ma": "mają", "pamięta": "pamiętają", "zna": "znają", "loguje": "logują", "poda": "podadzą",
    "napisze": "napiszą", "zechce": "zechcą", "chce": "chcą", "może": "mogą", "jest": "są",
    "podał(a)": "podali", "podał": "podali", "podała": "podali", "wie": "wiedzą", "wyśle": "wyślą",
    "prześle": "prześlą", "zadzwoni": "zadzwonią", "używa": "używają", "potrzebuje": "potrzebują",
    "dostanie": "dostaną", "otrzyma": "otrzymają", "prosił(a)": "prosili", "zapomniał(a)": "zapomnieli",
    "widzi": "widzą", "korzysta": "korzystają", "woli": "wolą", "pisze": "piszą", "prowadzi": "prowadzą",
}
SINGULAR, PLURAL = set(VERBS), set(VERBS.values())
# Words that may stand between the verb and the form of address.
SKIP = {"się", "nie", "już", "nadal", "też", "je", "go", "jej", "to", "tego", "teraz"}
ADDRESS = re.compile(r"(?<!\w)(Pan/Pani|Państwo)(?!\w)")


def polish_texts() -> dict[str, str]:
    found = {f"texts.py:{key}": variants["pl"] for key, variants in texts.TEXTS.items() if "pl" in variants}
    answers = yaml.safe_load((ROOT / "domain" / "answers.yml").read_text(encoding="utf-8"))["responses"]
    for name, variants in answers.items():
        for variant in variants:
            if not variant.get("condition") and variant.get("text"):
                found[f"answers.yml:{name}"] = variant["text"]
    return found


def neighbours(words: list[str], at: int) -> list[str]:
    """The nearest words on each side of the form of address, past the little ones."""
    near = []
    for step in (-1, 1):
        index = at + step
        while 0 <= index < len(words) and words[index].lower() in SKIP:
            index += step
        if 0 <= index < len(words):
            near.append(words[index].lower())
    return near


def disagreements(text: str) -> list[str]:
    words = re.findall(r"[\w()/]+", text)
    found = []
    for at, word in enumerate(words):
        if not ADDRESS.fullmatch(word):
            continue
        wrong = PLURAL if word == "Pan/Pani" else SINGULAR
        found += [f"{verb} {word}" for verb in neighbours(words, at) if verb in wrong]
    return found


TEXTS = polish_texts()


def test_the_texts_are_all_found():
    assert len(TEXTS) > 100 and any("[[" in text for text in TEXTS.values())


@pytest.mark.parametrize("plural", [False, True], ids=["Pan/Pani", "Państwo"])
def test_every_text_agrees_with_its_register(plural):
    wrong = {}
    for name, text in TEXTS.items():
        rendered = texts.fill(text, plural)
        problems = disagreements(rendered)
        other = "Pan/Pani" if plural else "Państw"
        if other in rendered:
            problems.append(f"{other} in the other register")
        if problems:
            wrong[name] = (problems, rendered)
    assert not wrong


def test_no_text_addresses_the_customer_outside_a_register_pair():
    outside = {name: text for name, text in TEXTS.items()
               if re.search(r"Pan/Pani|Pana/Pani|Panu/Pani|Państw", texts._REGISTER.sub("", text))}
    assert not outside


def test_the_check_finds_a_wrong_verb():
    assert disagreements("Do panelu loguje się Państwo adresem") == ["loguje Państwo"]
    assert disagreements("gdy nie pamiętają Pan/Pani hasła") == ["pamiętają Pan/Pani"]
    assert disagreements("Do panelu logują się Państwo adresem") == []


async def test_one_register_per_conversation_decided_by_the_first_message_that_shows_one():
    from tests.engine.conftest import Chat
    from tests.engine.fake_backend import FakeBackend

    def clock() -> float:
        return 1_800_000_000.0

    company = Chat(FakeBackend(clock, accounts={"+48601234567": "biuro@firma.pl"}))
    await company.say("piszemy w imieniu firmy Kowal-Bud, nie pamiętamy loginu", "no_login_data")
    await company.say("mam telefon 601 234 567", "inform_phone")
    assert company.state.plural, "a later 'mam' keeps 'Państwo'"
    person = Chat(FakeBackend(clock, accounts={"+48601234567": "jan@example.pl"}))
    await person.say("nie pamiętam loginu", "no_login_data")
    await person.say("nasza firma ma konto, telefon 601 234 567", "inform_phone")
    assert not person.state.plural, "a later 'nasza' keeps 'Pan/Pani'"
    assert "mają Państwo" in texts.say("ask_has_phone", "pl", company.state.plural)


@pytest.mark.parametrize("text, plural", [
    ("zmienilismy operatora i numer firmowy, a domena wygasla", True),
    ("konto firmowe, EkoKlima Serwis sp. z o.o., NIP 4710497466", True),
    ("mam firmę jednoosobową i zapomniałem hasła", False),
    ("nie pamiętam hasła", False),
    ("problemy z logowaniem", None),
])
async def test_the_first_message_that_shows_a_register_decides_it(text, plural):
    from tests.engine.conftest import Chat
    from tests.engine.fake_backend import FakeBackend

    chat = Chat(FakeBackend(lambda: 1_800_000_000.0))
    await chat.say(text, "lost_access")
    assert (chat.state.plural if chat.state.register_known else None) == plural
