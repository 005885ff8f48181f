"""The engine running the company's procedure files against a fake backend, clock pinned."""
from __future__ import annotations

from actions.dialogue.state import Outcome
from actions.engine.plan import Reply, compose
from actions.engine.validation import checked, procedure
from tests.engine.conftest import Engine


async def test_documents_ask_the_type_then_list_then_the_contact_then_a_case(engine: Engine, backend):
    ctx = await engine.turn("documents")
    assert engine.said == ["ask_account_type"] and engine.state.step == "account_type"
    assert ctx.outcome == Outcome.PROGRESS and backend.calls == []
    engine.state.account_type = "company"
    await engine.turn("documents", "firmowe")
    assert engine.said == ["documents_list", "ask_contact_email"] and backend.calls == [("documents", "company")]
    engine.state.private.contact_email = "biuro@firma-przyklad.pl"
    await engine.turn("documents", "biuro@firma-przyklad.pl")
    assert engine.said == ["documents_case"]
    assert [(case.reason, case.account_type, case.contact_email) for case in backend.cases] == [
        ("documents", "company", "biuro@firma-przyklad.pl")]
    assert engine.state.finished == "documents" and engine.state.step is None


async def test_everything_known_at_once_reaches_the_goal_in_one_turn(engine: Engine, backend):
    engine.state.account_type, engine.state.private.contact_email = "private", "ala@example.pl"
    await engine.turn("documents")
    assert engine.said == ["documents_list", "documents_case"] and len(backend.cases) == 1


async def test_asked_again_with_nothing_usable_says_why_and_clarifies(engine: Engine):
    engine.state.account_type = "private"
    await engine.turn("documents")
    ctx = await engine.turn("documents", "hmm")
    assert engine.said == ["no_email", "ask_contact_email"] and ctx.outcome == Outcome.CLARIFY


async def test_a_refused_contact_address_is_forgotten_and_asked_again(engine: Engine, backend):
    backend.refused_contacts = ("zly@adres",)
    engine.state.account_type = "private"
    await engine.turn("documents")
    engine.state.private.contact_email = "zly@adres"
    ctx = await engine.turn("documents", "zly@adres")
    assert engine.said[-2:] == ["bad_email", "ask_contact_email"] and ctx.outcome == Outcome.CLARIFY
    assert engine.state.private.contact_email is None and engine.state.step == "contact_email"


async def test_handoff_uses_the_new_login_address_as_the_contact(engine: Engine, backend):
    engine.state.private.new_email = "nowy@example.pl"
    await engine.turn("handoff")
    assert engine.said == ["handoff_call_us", "handoff_case"] and backend.cases[0].contact_email == "nowy@example.pl"


async def test_password_says_the_steps_once_and_ends(engine: Engine, backend):
    await engine.turn("password")
    assert engine.said == ["password_steps"] and engine.state.finished == "password" and backend.calls == []
    await engine.turn("password")
    assert engine.said == []


async def test_the_engine_follows_an_edited_copy_of_the_procedure(procedure_copy, backend):
    documents = procedure_copy / "documents.yml"
    text = documents.read_text()
    # The support lead asks for the contact address before the account type.
    account = "    - collect: account_type\n      ask: ask_account_type\n      buttons: account_type\n"
    contact = ("    - collect: contact_email\n      ask: ask_contact_email\n"
               "      unclear: no_email            # asked again: \"I can't see an e-mail address in this message\"\n")
    assert account in text and contact in text
    documents.write_text(text.replace(contact, "").replace(account, contact + account))
    engine = Engine(checked(procedure_copy), backend)
    await engine.turn("documents")
    assert engine.said == ["ask_contact_email"] and engine.state.step == "contact_email"
    assert [step.id for step in procedure().flows["documents"].steps][0] == "account_type", "the original stays"


def test_a_later_statement_drops_what_it_makes_untrue_and_the_question_comes_last():
    rules = procedure().patterns.contradictions
    lines = [Reply("Kod jeszcze nie wysłany", key="no_code_yet"), Reply("Proszę wpisać kod", key="ask_code",
                                                                       question=True),
             Reply("Numer potwierdzony", key="phone_confirmed"), Reply("Nowy adres?", key="ask_new_email",
                                                                         question=True),
             Reply("Godziny pracy", key="office_hours")]
    assert [line.key for line in compose(lines, rules)] == ["phone_confirmed", "office_hours", "ask_new_email"]
