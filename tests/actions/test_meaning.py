"""The rules between the model's signals (actions/engine/understanding.py), on rankings as the model
gives them: the model decides, the rules only settle what it leaves open."""
from __future__ import annotations

from actions.engine.understanding import decide


def ranking(**scores: float) -> list[dict]:
    return [{"name": name, "confidence": score} for name, score in sorted(scores.items(), key=lambda i: -i[1])]


def meaning(text: str, in_path: bool = False, in_step: bool = False, answerable: frozenset = frozenset(), **scores):
    top = "nlu_fallback" if "nlu_fallback" in scores else max(scores, key=scores.get)
    return decide(text, top, scores[top], ranking(**scores), in_path=in_path, in_step=in_step,
                  answerable=set(answerable))


def test_a_confident_model_is_never_overruled_by_the_words():
    # "kierownik", "pracownik" in a story: the model said complaint, nothing turns it into a person.
    assert meaning("chce zlozyc reklamacje do kierownika", ask_complaint=0.9, request_human=0.05).intent == "ask_complaint"
    assert meaning("I forgot my password", forgot_password=0.7, email_not_working=0.25).intent == "forgot_password"


def test_two_problems_the_model_cannot_tell_apart_follow_the_procedure_s_order():
    assert meaning("x", nlu_fallback=0.3, forgot_password=0.45, email_not_working=0.4).intent == "email_not_working"
    assert meaning("x", forgot_password=0.46, no_login_data=0.4).intent == "no_login_data"
    assert meaning("x", no_login_data=0.45, email_not_working=0.41).intent == "email_not_working"
    assert meaning("x", no_login_data=0.6, email_not_working=0.3).intent == "no_login_data"


def test_a_problem_with_a_fact_opens_the_path_before_one_is_open():
    assert meaning("poczta padla, tel 601 200 300", inform_phone=0.6, email_not_working=0.3).intent == "email_not_working"
    assert meaning("czlowiek, mail a@b.pl", inform_email=0.7, request_human=0.25).intent == "request_human"
    assert meaning("601 200 300", in_path=True, inform_phone=0.6, email_not_working=0.3).intent == "inform_phone"


def test_an_ambiguous_fallback_stays_not_understood_unless_the_rules_settle_it():
    assert meaning("x", nlu_fallback=0.3, ask_cost=0.35, ask_scam=0.3).intent is None
    assert meaning("x", nlu_fallback=0.3, lost_access=0.45, email_not_working=0.44).intent == "email_not_working"


def test_the_phone_gone_as_well_means_documents():
    assert meaning("x", email_not_working=0.6, no_phone_access=0.35).no_phone
    assert not meaning("x", email_not_working=0.75, no_phone_access=0.21).no_phone
    assert not meaning("x", forgot_password=0.6, no_phone_access=0.35).no_phone
    assert decide("/no_phone_access", "no_phone_access", 1.0, [], False, False, set()).no_phone


def test_a_problem_and_a_question_are_both_understood():
    understood = meaning("poczta nie dziala, jakie dokumenty?", answerable=frozenset({"ask_documents"}),
                         email_not_working=0.6, ask_documents=0.3)
    assert understood.intent == "email_not_working" and understood.also == ["ask_documents"]
    assert meaning("poczta nie dziala", answerable=frozenset({"ask_documents"}), email_not_working=0.6,
                   ask_documents=0.3).also == []


def test_a_weak_guess_ends_no_step_but_closing_words_are_answered():
    assert meaning("a ile to potrwa", in_path=True, in_step=True, stop=0.5, ask_duration=0.3).intent is None
    assert meaning("dzieki", in_path=True, in_step=True, thank=0.5, goodbye=0.3).intent == "thank"


def test_a_question_ranked_first_with_a_problem_beside_it_means_both():
    found = meaning("domena wygasla, a numer oddalem. da sie cos zrobic?", ask_phone_changed=0.62,
                    email_not_working=0.29, answerable=frozenset({"ask_phone_changed"}))
    assert found.intent == "email_not_working" and found.also == ["ask_phone_changed"]
    alone = meaning("czy to bezpieczne?", ask_safety=0.9, email_not_working=0.05, answerable=frozenset({"ask_safety"}))
    assert alone.intent == "ask_safety" and alone.also == []
    on_a_path = meaning("x", in_path=True, ask_safety=0.7, email_not_working=0.25, answerable=frozenset({"ask_safety"}))
    assert on_a_path.intent == "ask_safety"
