"""The procedure checked before it runs (at the action server's start and in `make test`): every
step reachable, every text, button set, fact, operation, sub-procedure and intent it names exists,
every outcome of every call handled, every step has a way to an end, and no loop runs without
asking the customer something. A broken file stops the start with messages naming file and line."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..dialogue import texts
from ..dialogue.state import Outcome
from ..dialogue.state import Step as Waiting
from . import slots
from .operations import OPERATIONS
from .procedure import (
    ADDRESS_MEANINGS,
    END,
    MILESTONES,
    PATH_PARTS,
    PROCEDURE_DIR,
    Branch,
    Flow,
    Goto,
    Procedure,
    ProcedureError,
    Step,
    load,
    read_yaml,
)
from .runner import button_sets

ROOT = Path(__file__).resolve().parents[2]
TURN_OUTCOMES = {Outcome.PROGRESS, Outcome.ANSWERED, Outcome.CLARIFY, Outcome.FALLBACK}


def _domain(root: Path) -> list[dict]:
    return [read_yaml(path) or {} for path in [root / "domain.yml", *sorted((root / "domain").glob("**/*.yml"))]
            if path.exists()]


def domain_intents(root: Path = ROOT) -> set[str]:
    return {item if isinstance(item, str) else next(k for k in item if k != "__line__")
            for document in _domain(root) for item in document.get("intents") or []}


def domain_responses(root: Path = ROOT) -> set[str]:
    return {name for document in _domain(root) for name in (document.get("responses") or {}) if name != "__line__"}


def _targets(flow: Flow, step: Step, gotos: tuple[Goto, ...]) -> list[str]:
    found = [goto.target for goto in gotos]
    if not any(goto.condition is None for goto in gotos):
        found.append(flow.after(step))
    return found


def edges(flow: Flow, step: Step) -> list[str]:
    """The steps (or END) that may follow `step`; a step whose `if` fails is passed over."""
    passed_over = [flow.after(step)] if step.guard is not None else []
    if step.kind in ("end", "link"):
        return passed_over
    if step.kind in ("call", "flow"):
        return passed_over + [target for branch in step.outcomes.values()
                              for target in _targets(flow, step, branch.next or step.next)]
    return passed_over + _targets(flow, step, step.next)


class _Checker:
    def __init__(self, procedure: Procedure, intents: set[str]):
        self.procedure, self.intents = procedure, intents
        self.problems: list[str] = []

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    def text(self, where: str, key: str | None, what: str) -> None:
        if key and key not in texts.TEXTS:
            self.problem(where, f"{what} `{key}` is not a text in actions/dialogue/texts.py")

    def fact(self, where: str, name: str, writable: bool = False) -> None:
        if name not in slots.SLOTS:
            self.problem(where, f"`{name}` is not a fact the engine knows (actions/engine/slots.py)")
        elif writable and slots.SLOTS[name].write is None:
            self.problem(where, f"`{name}` is only read, it cannot be collected or forgotten")

    def gotos(self, flow: Flow, where: str, gotos: Iterable[Goto]) -> None:
        ids = {step.id for step in flow.steps} | {END}
        for goto in gotos:
            if goto.target not in ids:
                self.problem(where, f"`next` goes to `{goto.target}`, which is no step of `{flow.name}`")
            if goto.condition is not None:
                self.fact(where, goto.condition.fact)

    def branch(self, flow: Flow, step: Step, name: str, branch: Branch) -> None:
        where = f"{step.file}:{branch.line or step.line}"
        for key in (*branch.says, branch.ask, branch.reason):
            self.text(where, key, f"outcome `{name}` says")
        if branch.buttons and branch.buttons not in button_sets():
            self.problem(where, f"button set `{branch.buttons}` is not one of {sorted(button_sets())}")
        for fact in branch.forget:
            self.fact(where, fact, writable=True)
        if branch.outcome not in TURN_OUTCOMES:
            self.problem(where, f"turn outcome `{branch.outcome}` is not one of {sorted(TURN_OUTCOMES)}")
        self.milestone(where, branch.milestone)
        self.gotos(flow, where, branch.next)

    def milestone(self, where: str, milestone: str | None) -> None:
        if milestone is not None and milestone not in MILESTONES:
            self.problem(where, f"milestone `{milestone}` is not one of {list(MILESTONES)}")

    def goals(self) -> None:
        """Every path (a flow no step runs as a sub-procedure) marks where its goal is reached: the
        funnel counts goals from these marks (actions/engine/funnel.py)."""
        called = {step.name for flow in self.procedure.flows.values() for step in flow.steps if step.kind == "flow"}
        for flow in self.procedure.flows.values():
            marks = [step.milestone for step in flow.steps] + [
                branch.milestone for step in flow.steps for branch in step.outcomes.values()]
            if flow.name not in called and "goal" not in marks:
                self.problem(f"{flow.file}:{flow.line}", f"path `{flow.name}` marks no `milestone: goal`")

    def step(self, flow: Flow, step: Step) -> None:
        where = step.where
        self.gotos(flow, where, step.next)
        self.milestone(where, step.milestone)
        if step.guard is not None:
            self.fact(where, step.guard.fact)
        if step.kind == "collect":
            self.fact(where, step.name, writable=True)
            if not step.ask:
                self.problem(where, f"collecting `{step.name}` needs the question (`ask`)")
            self.text(where, step.ask, "`ask`")
            self.text(where, step.unclear, "`unclear`")
            if step.or_use:
                self.fact(where, step.or_use)
            if step.buttons and step.buttons not in button_sets():
                self.problem(where, f"button set `{step.buttons}` is not one of {sorted(button_sets())}")
            self.tries(flow, step)
        elif step.kind == "say":
            self.text(where, step.name, "`say`")
        elif step.kind == "call":
            self.call(flow, step)
        elif step.kind == "flow":
            self.subflow(flow, step)
        elif step.kind == "link" and (step.name not in self.procedure.flows or step.name == flow.name):
            self.problem(where, f"`{step.name}` is no other path")

    def tries(self, flow: Flow, step: Step) -> None:
        limits = {key for other in self.procedure.flows.values() for key in other.limits}
        if step.tries and step.tries not in limits:
            self.problem(step.where, f"`tries: {step.tries}` names no limit (a path's `limits`)")
        if step.too_many_tries and not step.tries:
            self.problem(step.where, "`too_many_tries` without `tries`")
        if step.too_many_tries:
            self.branch(flow, step, "too_many_tries", step.too_many_tries)

    def call(self, flow: Flow, step: Step) -> None:
        operation = OPERATIONS.get(step.name)
        if operation is None:
            self.problem(step.where, f"`{step.name}` is not an operation (actions/engine/operations.py)")
            return
        self.handled(flow, step, set(operation.outcomes), f"operation `{step.name}`")
        for param in set(step.args) - set(operation.params):
            self.problem(step.where, f"operation `{step.name}` takes no `{param}`")

    def subflow(self, flow: Flow, step: Step) -> None:
        sub = self.procedure.flows.get(step.name)
        if sub is None or sub is flow:
            self.problem(step.where, f"`{step.name}` is no other path or sub-procedure")
            return
        self.handled(flow, step, sub.ends(), f"sub-procedure `{step.name}`")

    def handled(self, flow: Flow, step: Step, outcomes: set[str], what: str) -> None:
        for missing in sorted(outcomes - set(step.outcomes)):
            self.problem(step.where, f"{what} may end `{missing}`, which this step does not handle")
        for extra in sorted(set(step.outcomes) - outcomes):
            self.problem(step.where, f"{what} never ends `{extra}`")
        for name, branch in step.outcomes.items():
            self.branch(flow, step, name, branch)

    def graph(self, flow: Flow) -> None:
        ids = [step.id for step in flow.steps]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            self.problem(f"{flow.file}:{flow.step(duplicate).line}", f"step id `{duplicate}` is used twice")
        known = set(ids) | {END}
        graph = {step.id: [t for t in edges(flow, step) if t in known] for step in flow.steps}
        # The patterns enter a path at the steps they name (a call's status on "nie odebrałem").
        entries = [step_id for step_id in ids if step_id in _named_steps()]
        reached = _reach(graph, [ids[0], *entries])
        for step in flow.steps:
            if step.id not in reached:
                self.problem(step.where, f"step `{step.id}` of `{flow.name}` can never be reached")
        ends = {step.id for step in flow.steps if step.kind in ("end", "link")} | {END}
        for step in flow.steps:
            if step.id in reached and not (_reach(graph, [step.id]) & ends):
                self.problem(step.where, f"from step `{step.id}` the path can never end")
        waits = {step.id for step in flow.steps if step.kind == "collect" or (
            step.kind == "flow" and step.name in self.procedure.flows
            and any(sub.kind == "collect" for sub in self.procedure.flows[step.name].steps))}
        loop = _loop({node: [t for t in targets if t not in waits] for node, targets in graph.items()
                      if node not in waits})
        if loop:
            self.problem(flow.step(loop[0]).where, "steps " + " -> ".join(loop) + " loop without asking anything")

    def patterns(self) -> None:
        patterns = self.procedure.patterns
        for intent, key in patterns.side_questions.items():
            where = f"{patterns.file}:{patterns.lines.get('side_questions', 0)}"
            self.intent(where, intent)
            self.text(where, key, f"answer to `{intent}`")
        for intent, path in patterns.switches.items():
            where = f"{patterns.file}:{patterns.lines.get('switches', 0)}"
            self.intent(where, intent)
            if path not in self.procedure.flows:
                self.problem(where, f"`{intent}` switches to `{path}`, which is no path")
        for said, untrue, line in patterns.contradictions:
            for key in (said, *untrue):
                self.text(f"{patterns.file}:{line}", key, "contradiction names")
        self.parts()

    def parts(self) -> None:
        """Every part the engine asks for is played by a path (the phone's proof: a sub-procedure), a
        jump names a step of a path and a fact, and what paths say about next steps and addresses exists."""
        patterns, flows = self.procedure.patterns, self.procedure.flows
        where = f"{patterns.file}:{patterns.lines.get('paths', 0)}"
        for part in PATH_PARTS:
            if patterns.paths.get(part) not in flows:
                self.problem(where, f"the part `{part}` is played by no path (`paths:` names `{patterns.paths.get(part)}`)")
        for part in set(patterns.paths) - set(PATH_PARTS):
            self.problem(where, f"`{part}` is no part the engine knows ({', '.join(PATH_PARTS)})")
        where = f"{patterns.file}:{patterns.lines.get('jumps', 0)}"
        for fact, (path, step) in patterns.jumps.items():
            self.fact(where, fact, writable=True)
            if path not in flows or step not in {s.id for s in flows[path].steps}:
                self.problem(where, f"`{fact}` jumps to `{path}:{step}`, which is no step of a path")
        if not patterns.next_steps_without_path:
            self.problem(patterns.file, "`next_steps_without_path` names no text")
        self.text(patterns.file, patterns.next_steps_without_path, "next_steps_without_path")
        for flow in flows.values():
            where = f"{flow.file}:{flow.line}"
            for choice in flow.next_steps:
                self.text(where, choice.value, "next_steps")
            for choice in flow.addresses:
                if choice.value not in ADDRESS_MEANINGS:
                    self.problem(where, f"an address cannot mean `{choice.value}` ({', '.join(ADDRESS_MEANINGS)})")
            for choice in (*flow.next_steps, *flow.addresses):
                for condition in choice.conditions:
                    self.fact(where, condition.fact)

    def named_steps(self) -> None:
        """The steps the patterns refer to by id (actions/dialogue/state.py `Step`) exist."""
        ids = {step.id for flow in self.procedure.flows.values() for step in flow.steps}
        for name, value in vars(Waiting).items():
            if name.isupper() and isinstance(value, str) and value not in Waiting.OUTSIDE_PATHS and value not in ids:
                self.problem(self.procedure.patterns.file, f"step `{value}` (Step.{name}) is in no path")


    def intent(self, where: str, intent: str) -> None:
        if intent not in self.intents:
            self.problem(where, f"intent `{intent}` is not in the domain")

    def run(self) -> list[str]:
        for flow in self.procedure.flows.values():
            for step in flow.steps:
                self.step(flow, step)
            self.graph(flow)
        self.patterns()
        self.named_steps()
        self.goals()
        return self.problems


def _named_steps() -> set[str]:
    return {value for name, value in vars(Waiting).items() if name.isupper() and isinstance(value, str)}


def _reach(graph: dict[str, list[str]], start: list[str]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, []))
    return seen


def _loop(graph: dict[str, list[str]]) -> list[str]:
    """One cycle of `graph` as a list of nodes, or [] when there is none."""
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str]:
        state[node] = 1
        for target in graph.get(node, []):
            if state.get(target) == 1:
                return trail[trail.index(target):] + [target]
            if target in graph and not state.get(target):
                found = visit(target, trail + [target])
                if found:
                    return found
        state[node] = 2
        return []

    for node in graph:
        if not state.get(node):
            found = visit(node, [node])
            if found:
                return found
    return []


def problems(procedure: Procedure, intents: set[str] | None = None) -> list[str]:
    return _Checker(procedure, domain_intents() if intents is None else intents).run()


def checked(directory: Path = PROCEDURE_DIR) -> Procedure:
    """The procedure in `directory`, or ProcedureError listing every problem with its file and line."""
    procedure = load(directory)
    procedure.patterns.responses = domain_responses()
    found = problems(procedure)
    if found:
        raise ProcedureError(directory.name, "the procedure cannot run:\n  " + "\n  ".join(found))
    return procedure


@lru_cache(maxsize=1)
def procedure() -> Procedure:
    """The company's procedure, loaded and checked once per process."""
    return checked()
