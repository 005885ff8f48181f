"""A broken procedure file stops the start with a message naming the file and the line."""
from __future__ import annotations

import pytest

from actions.engine.procedure import ProcedureError
from actions.engine.validation import checked


def test_the_company_procedure_is_valid():
    procedure = checked()
    assert {"password", "documents", "handoff"} <= set(procedure.flows)


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _line_of(path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _problem(directory) -> str:
    with pytest.raises(ProcedureError) as error:
        checked(directory)
    return str(error.value)


def test_an_unknown_text_is_named_with_file_and_line(procedure_copy):
    documents = procedure_copy / "documents.yml"
    _edit(documents, "ask: ask_account_type", "ask: ask_acount_type")
    message = _problem(procedure_copy)
    assert f"documents.yml:{_line_of(documents, 'collect: account_type')}" in message and "ask_acount_type" in message


def test_an_unhandled_outcome_of_a_backend_call(procedure_copy):
    _edit(procedure_copy / "handoff.yml", "        contact_refused:\n", "        contact_refusd:\n")
    message = _problem(procedure_copy)
    assert "may end `contact_refused`" in message and "never ends `contact_refusd`" in message


def test_an_unreachable_step_and_a_loop_without_a_question(procedure_copy):
    _edit(procedure_copy / "password.yml", "    - say: password_steps\n",
          "    - say: password_steps\n      next: again\n    - id: again\n      say: password_steps\n"
          "      next: say_password_steps\n    - say: reset_sent\n")
    message = _problem(procedure_copy)
    assert "loop without asking anything" in message and "`say_reset_sent` of `password` can never be reached" in message


def test_a_path_that_can_never_end(procedure_copy):
    _edit(procedure_copy / "handoff.yml", "          outcome: clarify\n    - end\n",
          "          outcome: clarify\n      next: contact_email\n    - end\n")
    _edit(procedure_copy / "handoff.yml", "          say: handoff_case\n",
          "          say: handoff_case\n          next: contact_email\n")
    assert "the path can never end" in _problem(procedure_copy)


def test_an_unknown_operation_fact_and_intent(procedure_copy):
    _edit(procedure_copy / "documents.yml", "call: list_documents", "call: list_documnets")
    _edit(procedure_copy / "documents.yml", "collect: contact_email", "collect: contact_mail")
    (procedure_copy / "patterns.yml").write_text(
        (procedure_copy / "patterns.yml").read_text() + "  side_questions:\n    ask_weather: duration\n")
    message = _problem(procedure_copy)
    assert "`list_documnets` is not an operation" in message and "`contact_mail` is not a fact" in message
    assert "intent `ask_weather` is not in the domain" in message


def test_broken_yaml_names_the_line(procedure_copy):
    (procedure_copy / "password.yml").write_text("password:\n  steps:\n    - say: [password_steps\n")
    assert "password.yml:" in _problem(procedure_copy) and "not valid YAML" in _problem(procedure_copy)


def test_a_step_the_patterns_name_renamed_in_a_file(procedure_copy):
    _edit(procedure_copy / "prove_phone.yml", "      id: resend\n", "      id: new_code\n")
    _edit(procedure_copy / "prove_phone.yml", "next: resend\n", "next: new_code\n")
    assert "step `resend` (Step.RESEND) is in no path" in _problem(procedure_copy)


def test_a_step_only_the_patterns_enter_is_reachable_and_must_still_lead_somewhere(procedure_copy):
    # call_status is entered by "nie odebrałem" (patterns.py), by no step: valid as written …
    checked(procedure_copy)
    # … but a step the patterns enter still needs a way to an end
    _edit(procedure_copy / "prove_phone.yml", "      id: recall\n", "      id: recall\n      next: recall\n")
    _edit(procedure_copy / "prove_phone.yml", "      next:\n        - if: recall_wanted\n          then: call_code\n"
          "        - else: code\n", "")
    assert "from step `recall` the path can never end" in _problem(procedure_copy)


def test_a_part_played_by_no_path_and_a_jump_to_no_step(procedure_copy):
    patterns = procedure_copy / "patterns.yml"
    _edit(patterns, "    new_login: dead_email", "    new_login: dead_mail")
    _edit(patterns, "reset_wanted: no_login:send_reset", "reset_wanted: no_login:send_rest")
    _edit(procedure_copy / "dead_email.yml", "      means: correct", "      means: fix")
    message = _problem(procedure_copy)
    assert f"patterns.yml:{_line_of(patterns, 'phone_proof:')}" in message
    assert "the part `new_login` is played by no path" in message
    assert "`reset_wanted` jumps to `no_login:send_rest`, which is no step of a path" in message
    assert "an address cannot mean `fix`" in message
