"""Runs a path of the procedure from where the conversation stands until it waits for the customer
or ends. The position is a stack of `path:step` frames in the state (`State.at`): a `flow` step
pushes the sub-procedure, its `end` pops it and the calling step branches on the end's result; a
`link` step leaves the path for another one. Once a question is planned the conversation waits."""
from __future__ import annotations

from typing import Optional

from ..dialogue import texts
from ..dialogue.state import Outcome
from . import slots
from .context import Context
from .operations import OPERATIONS
from .procedure import END, Branch, Condition, Flow, Goto, Procedure, Step

WAIT = object()      # the step waits for the customer's next message
MAX_STEPS = 64       # validation rules out loops without a question; this only guards a broken file
BUTTONS: dict[str, str] = {
    "problem": "PROBLEM_BUTTONS", "alternatives": "ALTERNATIVE_BUTTONS", "yes_no": "YES_NO",
    "account_type": "ACCOUNT_TYPE_BUTTONS", "has_phone": "HAS_PHONE_BUTTONS", "code": "CODE_BUTTONS",
    "resend": "RESEND_BUTTONS", "reset_trouble": "RESET_TROUBLE_BUTTONS", "call": "CALL_BUTTONS",
}


def choices(name: Optional[str]) -> Optional[dict]:
    return getattr(texts, BUTTONS[name]) if name else None


class Runner:
    def __init__(self, procedure: Procedure, ctx: Context):
        self.procedure, self.ctx = procedure, ctx
        ctx.procedure = procedure
        ctx.limits = {key: value for flow in procedure.flows.values() for key, value in flow.limits.items()}
        ctx.contradictions = procedure.patterns.contradictions

    async def run(self, path: str) -> None:
        state = self.ctx.state
        stack = self._corrected(list(state.at)) if state.at and state.at[0].split(":")[0] == path else [
            f"{path}:{self._first(path)}"]
        passed: set[str] = set()
        for _ in range(MAX_STEPS):
            flow_name, step_id = stack[-1].split(":", 1)
            flow = self.procedure.flows[flow_name]
            step = None if step_id == END else flow.step(step_id)
            if step is not None and step.kind == "collect":
                if stack[-1] in passed and slots.given(self.ctx, step.name):
                    # back at a question this very message answered: wait for a new message
                    self._wait_at(stack)
                    return
                passed.add(stack[-1])
            if step is None or step.kind == "end":
                if len(stack) == 1:
                    state.at, state.step, state.finished = [f"{flow_name}:{END}"], None, flow_name
                    return
                stack.pop()
                stack[-1] = self._follow(stack[-1], "done" if step is None else step.name)
                continue
            asked_before = self.ctx.asked
            following = await self._do(flow, step)
            if following is WAIT:
                state.at = stack
                return
            if isinstance(following, tuple):
                kind, target = following
                if kind == "link":       # another path takes over, from its start
                    state.previous_path, state.path, state.finished = state.path, target, None
                    stack = [f"{target}:{self._first(target)}"]
                else:
                    stack.append(f"{target}:{self._first(target)}")
                continue
            stack[-1] = f"{flow_name}:{following}"
            if self.ctx.asked and not asked_before and following != END:
                self._wait_at(stack)
                return
        raise RuntimeError(f"path {path} did not stop within {MAX_STEPS} steps")

    def _wait_at(self, stack: list[str]) -> None:
        """A question was planned: the conversation waits at the step the path reached."""
        flow_name, step_id = stack[-1].split(":", 1)
        step = self.procedure.flows[flow_name].step(step_id)
        self.ctx.state.at = stack
        if step.kind == "collect":
            self.ctx.state.step = step.id

    def _corrected(self, stack: list[str]) -> list[str]:
        """A fact collected earlier in a path changed in this message: the path goes back to that step
        (and drops what it called since), as a person would redo the steps after a correction."""
        for depth, frame in enumerate(stack):
            flow_name, step_id = frame.split(":", 1)
            if step_id == END:
                continue
            flow = self.procedure.flows[flow_name]
            position = [step.id for step in flow.steps].index(step_id)
            for step in flow.steps[:position]:
                if self._uses(step) & self.ctx.changed:
                    return stack[:depth] + [f"{flow_name}:{step.id}"]
        return stack

    @staticmethod
    def _uses(step: Step) -> set[str]:
        """The facts a step collects or decides on."""
        gotos = [*step.next, *(goto for branch in step.outcomes.values() for goto in branch.next)]
        used = {goto.condition.fact for goto in gotos if goto.condition is not None}
        return used | ({step.name} if step.kind == "collect" else set())

    def _first(self, flow: str) -> str:
        return self.procedure.flows[flow].steps[0].id

    def _follow(self, frame: str, result: str) -> str:
        flow_name, step_id = frame.split(":", 1)
        flow = self.procedure.flows[flow_name]
        step = flow.step(step_id)
        return f"{flow_name}:{self._branch(flow, step, step.outcomes.get(result) or Branch(), {})}"

    def _goto(self, flow: Flow, step: Step, gotos: tuple[Goto, ...]) -> str:
        for goto in gotos:
            if goto.condition is None or self._holds(goto.condition):
                return goto.target
        return flow.after(step)

    def _holds(self, condition: Condition) -> bool:
        return slots.satisfied(self.ctx, condition)

    def _branch(self, flow: Flow, step: Step, branch: Branch, fields: dict) -> str:
        ctx = self.ctx
        if branch.reason:
            fields = {**fields, "reason": ctx.text(branch.reason)}
        for key in branch.says:
            ctx.say(key, **fields)
        if branch.ask:
            ctx.say(branch.ask, choices(branch.buttons), question=True, **fields)
        if branch.failure:
            ctx.state.failure = branch.failure
        for name in branch.forget:
            slots.forget(ctx, name)
        ctx.reached(branch.milestone)
        ctx.mark(branch.outcome)
        return self._goto(flow, step, branch.next or step.next)

    async def _do(self, flow: Flow, step: Step):
        if step.guard is not None and not self._holds(step.guard):
            return flow.after(step)
        self.ctx.reached(step.milestone)
        if step.kind == "collect":
            return self._collect(flow, step)
        if step.kind == "say":
            self.ctx.say(step.name)
            self.ctx.mark(step.outcome)
            return self._goto(flow, step, step.next)
        if step.kind in ("flow", "link"):
            return step.kind, step.name
        operation = OPERATIONS[step.name]
        result = await operation.run(self.ctx, **step.args)
        return self._branch(flow, step, step.outcomes[result.outcome], result.fields)

    def _collect(self, flow: Flow, step: Step):
        ctx, state = self.ctx, self.ctx.state
        if not slots.given(ctx, step.name) and step.or_use and slots.given(ctx, step.or_use):
            slots.copy(ctx, step.or_use, step.name)
        if slots.given(ctx, step.name):
            return self._goto(flow, step, step.next)
        state.step = step.id
        if ctx.asked:
            return WAIT
        again = ctx.step_at_start == step.id
        attempt = slots.SLOTS[step.name].attempt(ctx, again)
        counts = False
        if attempt is not None:          # a failed attempt at the fact is explained, not just asked again
            lines, counts = attempt
            for key, fields, buttons, question in lines:
                ctx.say_raw(fields["text"]) if key is None else ctx.say(key, choices(buttons), question, **fields)
            if again:
                ctx.mark(Outcome.CLARIFY)
            else:
                ctx.outcome = Outcome.CLARIFY
        elif again and ctx.outcome is None:
            if step.unclear:
                ctx.say(step.unclear)
            ctx.mark(Outcome.CLARIFY)
            counts = True
        elif not again:
            ctx.mark(Outcome.PROGRESS)
        if counts and step.tries and self._out_of_tries(step):
            branch = step.too_many_tries or Branch()
            following = self._branch(flow, step, branch, {})
            if branch.next:
                return following
        if not ctx.asked and step.ask:              # validation: every collect step asks
            ctx.say(step.ask, choices(step.buttons), question=True)
        return WAIT

    def _out_of_tries(self, step: Step) -> bool:
        tries = self.ctx.state.tries
        tries[step.id] = tries.get(step.id, 0) + 1
        if tries[step.id] < int(self.ctx.limits[step.tries]):
            return False
        tries.pop(step.id)
        return True


def button_sets() -> set[str]:
    return set(BUTTONS)
