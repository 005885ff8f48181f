"""The procedure as the files in data/procedure/ write it, read into plain objects.

A file holds one path (or the shared sub-procedure, or the patterns). A path has steps; a step
`collect`s a fact, `call`s a backend operation and branches on its outcome, `say`s a text, runs a
sub-procedure (`flow`) or `end`s. Every object remembers its file and line, so a mistake found at
load (actions/engine/validation.py) names where it is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

PROCEDURE_DIR = Path(__file__).resolve().parents[2] / "data" / "procedure"
END = "END"
STEP_KINDS = ("collect", "call", "say", "flow", "link", "end")
STEP_KEYS = {"id", "if", "ask", "buttons", "unclear", "or_use", "tries", "too_many_tries", "with", "outcomes", "next",
             "description", "outcome", "milestone", *STEP_KINDS}
BRANCH_KEYS = {"say", "ask", "buttons", "reason", "failure", "next", "forget", "outcome", "description", "milestone"}
# What a step or an outcome may mark for the funnel (actions/engine/funnel.py): the customer started
# proving the phone, or the path's goal is reached. Generic stages, never a path's name.
MILESTONES = ("proof_started", "goal")
FLOW_KEYS = {"description", "goal", "limits", "steps", "texts", "repeats", "next_steps", "addresses"}
# What an e-mail address written on a path may answer (a path's `addresses`): the new login address,
# a correction of it after the link went out, a guess at the login to check, the contact for a case,
# or (keep) the working address to use later.
ADDRESS_MEANINGS = ("new", "correct", "check", "contact", "keep")
# The parts paths play in the patterns (patterns.yml `paths`); the engine asks for these, never a path's name.
PATH_PARTS = ("phone_proof", "without_phone", "after_proof", "new_login", "person")


class ProcedureError(Exception):
    """A procedure file that cannot run; the message names the file and the line."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Condition:
    """`fact`, `not fact` or `fact == value`: read from the conversation's facts (slots.py)."""

    fact: str
    negated: bool = False
    value: Optional[str] = None

    @classmethod
    def parse(cls, text: str) -> Condition:
        text = str(text).strip()
        if " == " in text:
            fact, value = (part.strip() for part in text.split(" == ", 1))
            return cls(fact, value=value)
        if text.startswith("not "):
            return cls(text[4:].strip(), negated=True)
        return cls(text)

    def __str__(self) -> str:
        if self.value is not None:
            return f"{self.fact} == {self.value}"
        return f"not {self.fact}" if self.negated else self.fact


def conditions(value: Any) -> tuple[Condition, ...]:
    """An `if`: one condition, or a list of them that must all hold."""
    return tuple(Condition.parse(item) for item in (value if isinstance(value, list) else [value]))


@dataclass(frozen=True)
class When:
    """A value chosen when every condition holds (no conditions: always): a path's `next_steps`
    text, or what an address written on the path `means`."""

    value: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Goto:
    """Where to go next: to `target` when `condition` holds (None: always)."""

    target: str
    condition: Optional[Condition] = None


@dataclass(frozen=True)
class Branch:
    """What follows one outcome of a call: texts said (`ask`: the one question, with `buttons`), the
    `reason` text filled into them, facts forgotten, what failed (for the case), where to go, and how
    the turn went. After a question the conversation waits at the step `next` names."""

    says: tuple[str, ...] = ()
    ask: Optional[str] = None
    buttons: Optional[str] = None
    reason: Optional[str] = None
    failure: Optional[str] = None
    forget: tuple[str, ...] = ()
    next: tuple[Goto, ...] = ()
    outcome: str = "progress"
    milestone: Optional[str] = None    # a funnel stage reached on this outcome (MILESTONES)
    line: int = 0


@dataclass(frozen=True)
class Step:
    id: str
    kind: str                      # collect | call | say | flow | link | end
    name: str                      # the fact, operation, text, sub-procedure or end result
    file: str
    line: int
    ask: Optional[str] = None      # collect: the question
    buttons: Optional[str] = None  # collect: the answer buttons offered with it
    unclear: Optional[str] = None  # collect: said before the question when asked again and nothing else happened
    or_use: Optional[str] = None   # collect: an already known fact that answers this one too
    args: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)      # outcome name -> Branch
    next: tuple[Goto, ...] = ()    # empty: the following step
    outcome: str = "progress"      # say: how the turn went
    guard: Optional[Condition] = None    # `if`: the step is passed over unless this holds
    tries: Optional[str] = None    # collect: the limit (of the path's `limits`) on failed answers
    too_many_tries: Optional[Branch] = None   # collect: what happens when they run out
    milestone: Optional[str] = None   # a funnel stage reached whenever the step runs (MILESTONES)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Flow:
    name: str
    description: str
    file: str
    line: int
    steps: list[Step]
    goal: str = ""
    limits: dict = field(default_factory=dict)
    repeats: bool = False          # opened again while on it, the path runs again from its start
    next_steps: tuple[When, ...] = ()   # "what happens next?": the first text whose conditions hold
    addresses: tuple[When, ...] = ()    # an e-mail address written on the path: what it means (ADDRESS_MEANINGS)

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)

    def after(self, step: Step) -> str:
        """The step that follows `step` in the file (END after the last one)."""
        index = self.steps.index(step)
        return self.steps[index + 1].id if index + 1 < len(self.steps) else END

    def ends(self) -> set[str]:
        return {step.name for step in self.steps if step.kind == "end"} or {"done"}


@dataclass
class Patterns:
    """Behaviour written once for every path: side questions, cancel, start over, switch path,
    corrections, and which statement a later one makes untrue within one reply."""

    file: str
    side_questions: dict = field(default_factory=dict)     # intent -> text (answered, then the pending question)
    switches: dict = field(default_factory=dict)           # intent -> path
    contradictions: list = field(default_factory=list)     # (later text, texts it makes untrue)
    responses: set = field(default_factory=set)            # the domain's responses (set by validation)
    lines: dict = field(default_factory=dict)              # what -> line, for messages
    paths: dict = field(default_factory=dict)              # part (PATH_PARTS) -> the path that plays it
    jumps: dict = field(default_factory=dict)              # fact -> (path, step) it takes the path to
    next_steps_without_path: str = ""                      # "what happens next?" before any path


@dataclass
class Procedure:
    flows: dict[str, Flow]
    patterns: Patterns

    def part(self, name: str) -> str:
        """The path that plays `name` (PATH_PARTS) in the patterns."""
        return self.patterns.paths[name]

    def collecting(self, step_id: Optional[str]) -> Optional[Step]:
        """The `collect` step with this id (the question a conversation waiting there was asked)."""
        return next((step for flow in self.flows.values() for step in flow.steps
                     if step.kind == "collect" and step.id == step_id), None)

    def needs_phone(self, path: Optional[str]) -> bool:
        """The path runs the phone's proof (before it reaches its goal the phone must be proven)."""
        flow = self.flows.get(path or "")
        proof = self.patterns.paths.get("phone_proof")
        return flow is not None and any(step.kind == "flow" and step.name == proof for step in flow.steps)


class _LineLoader(yaml.SafeLoader):
    """YAML mappings that remember the line they start on (as `__line__`)."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise ProcedureError(f"{path.name}:{line}", f"not valid YAML ({getattr(error, 'problem', error)})") from None


def _listed(value: Any) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _gotos(value: Any, where: str) -> tuple[Goto, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (Goto(value),)
    if not isinstance(value, list):
        raise ProcedureError(where, "`next` is a step id or a list of `if`/`then` and `else`")
    gotos = []
    for item in value:
        if not isinstance(item, dict) or not ({"if", "then"} <= item.keys() or "else" in item):
            raise ProcedureError(where, "each `next` entry is `if: …` with `then: …`, or `else: …`")
        if "else" in item:
            gotos.append(Goto(str(item["else"])))
        else:
            gotos.append(Goto(str(item["then"]), Condition.parse(item["if"])))
    return tuple(gotos)


def _branch(value: Any, where: str) -> Branch:
    if value is None:
        return Branch()
    if not isinstance(value, dict):
        raise ProcedureError(where, "an outcome is a mapping (`say`, `forget`, `next`, `outcome`)")
    unknown = set(value) - BRANCH_KEYS - {"__line__"}
    if unknown:
        raise ProcedureError(where, f"unknown key(s) in an outcome: {', '.join(sorted(unknown))}")
    return Branch(says=_listed(value.get("say")), ask=value.get("ask"), buttons=value.get("buttons"),
                  reason=value.get("reason"), failure=value.get("failure"), forget=_listed(value.get("forget")),
                  next=_gotos(value.get("next"), where), outcome=str(value.get("outcome", "progress")),
                  milestone=value.get("milestone"), line=value.get("__line__", 0))


def _step(raw: Any, file: str, index: int) -> Step:
    if isinstance(raw, str) and raw == "end":
        raw = {"end": "done"}
    if not isinstance(raw, dict):
        raise ProcedureError(f"{file}", f"step {index + 1} is not a mapping")
    line = raw.get("__line__", 0)
    where = f"{file}:{line}"
    kinds = [kind for kind in STEP_KINDS if kind in raw]
    if len(kinds) != 1:
        raise ProcedureError(where, f"a step has exactly one of {', '.join(STEP_KINDS)}")
    unknown = set(raw) - STEP_KEYS - {"__line__"}
    if unknown:
        raise ProcedureError(where, f"unknown key(s): {', '.join(sorted(unknown))}")
    kind = kinds[0]
    name = str(raw[kind])
    outcomes = raw.get("outcomes") or {}
    return Step(
        id=str(raw.get("id") or (name if kind == "collect" else f"{kind}_{name}")), kind=kind, name=name,
        file=file, line=line, ask=raw.get("ask"), buttons=raw.get("buttons"), unclear=raw.get("unclear"),
        or_use=raw.get("or_use"), args={k: v for k, v in (raw.get("with") or {}).items() if k != "__line__"},
        outcomes={str(key): _branch(value, f"{file}:{(value or {}).get('__line__', line)}")
                  for key, value in outcomes.items() if key != "__line__"},
        next=_gotos(raw.get("next"), where), outcome=str(raw.get("outcome", "progress")),
        guard=Condition.parse(raw["if"]) if "if" in raw else None, tries=raw.get("tries"),
        too_many_tries=_branch(raw["too_many_tries"], where) if "too_many_tries" in raw else None,
        milestone=raw.get("milestone"))


def _flow(name: str, raw: Any, file: str) -> Flow:
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list) or not raw["steps"]:
        raise ProcedureError(f"{file}:{getattr(raw, 'get', lambda *_: 0)('__line__', 0)}",
                             f"path `{name}` needs a non-empty list of `steps`")
    unknown = set(raw) - FLOW_KEYS - {"__line__"}
    if unknown:
        raise ProcedureError(f"{file}:{raw['__line__']}", f"unknown key(s): {', '.join(sorted(unknown))}")
    steps = [_step(item, file, index) for index, item in enumerate(raw["steps"])]
    limits = {key: value for key, value in (raw.get("limits") or {}).items() if key != "__line__"}
    where = f"{file}:{raw['__line__']}"
    return Flow(name=name, description=str(raw.get("description", "")).strip(), file=file, line=raw["__line__"],
                steps=steps, goal=str(raw.get("goal", "")).strip(), limits=limits, repeats=bool(raw.get("repeats")),
                next_steps=_choices(raw.get("next_steps"), "say", where),
                addresses=_choices(raw.get("addresses"), "means", where))


def _choices(value: Any, key: str, where: str) -> tuple[When, ...]:
    """`text`, or a list of `if: …` with `<key>: …` entries (the last may have no `if`)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (When(value),)
    if not isinstance(value, list) or not all(isinstance(item, dict) and key in item for item in value):
        raise ProcedureError(where, f"each entry is `{key}: …`, with an optional `if: …`")
    return tuple(When(str(item[key]), conditions(item["if"]) if "if" in item else ()) for item in value)


def _patterns(raw: Any, file: str) -> Patterns:
    raw = raw or {}
    patterns = Patterns(file=file)
    for key in ("side_questions", "switches"):
        section = raw.get(key) or {}
        patterns.lines[key] = section.get("__line__", 0) if isinstance(section, dict) else 0
        setattr(patterns, key, {str(k): str(v) for k, v in section.items() if k != "__line__"})
    for rule in raw.get("contradictions") or []:
        patterns.contradictions.append((str(rule["said"]), tuple(rule["untrue"]), rule.get("__line__", 0)))
    for key in ("paths", "jumps"):
        section = raw.get(key) or {}
        patterns.lines[key] = section.get("__line__", 0)
    patterns.paths = {str(k): str(v) for k, v in (raw.get("paths") or {}).items() if k != "__line__"}
    for fact, target in (raw.get("jumps") or {}).items():
        if fact != "__line__":
            path, _, step = str(target).partition(":")
            patterns.jumps[str(fact)] = (path, step)
    patterns.next_steps_without_path = str(raw.get("next_steps_without_path") or "")
    patterns.lines["next_steps_without_path"] = 0
    return patterns


def load(directory: Path = PROCEDURE_DIR) -> Procedure:
    """Every path file in `directory` plus `patterns.yml`; not yet validated (see validation.py)."""
    flows: dict[str, Flow] = {}
    patterns = Patterns(file="patterns.yml")
    for path in sorted(directory.glob("*.yml")):
        document = read_yaml(path) or {}
        if path.name == "patterns.yml":
            patterns = _patterns(document.get("patterns"), path.name)
            continue
        for name, raw in document.items():
            if name == "__line__":
                continue
            if name in flows:
                raise ProcedureError(f"{path.name}:{raw.get('__line__', 0)}", f"path `{name}` is written twice")
            flows[name] = _flow(name, raw, path.name)
    return Procedure(flows=flows, patterns=patterns)
