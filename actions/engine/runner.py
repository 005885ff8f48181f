"""Runs a path of the procedure from where the conversation stands until it waits for the customer
or ends. The position is a stack of `path:step` frames in the state (`State.at`): a `flow` step
pushes the sub-procedure, its `end` pops it and the calling step branches on the end's result."""
from __future__ import annotations

from typing import Optional

from ..dialogue import texts
from ..dialogue.state import Outcome
from . import slots
from .context import Context
from .operations import OPERATIONS
from .procedure import END, Branch, Flow, Goto, Procedure, Step

WAIT = object()      # the step waits for the customer's next message
MAX_STEPS = 64       # validation rules out loops without a question; this only guards a broken file


class Runner:
    def __init__(self, procedure: Procedure, ctx: Context):
        self.procedure, self.ctx = procedure, ctx

    async def run(self, path: str) -> None:
        state = self.ctx.state
        stack = list(state.at) if state.at and state.at[0].split(":")[0] == path else [f"{path}:{self._first(path)}"]
        for _ in range(MAX_STEPS):
            flow_name, step_id = stack[-1].split(":", 1)
            flow = self.procedure.flows[flow_name]
            if step_id == END or flow.step(step_id).kind == "end":
                if len(stack) == 1:
                    state.at, state.step, state.finished = [f"{flow_name}:{END}"], None, flow_name
                    return
                result = "done" if step_id == END else flow.step(step_id).name
                stack.pop()
                stack[-1] = self._follow(stack[-1], result)
                continue
            following = await self._do(flow, flow.step(step_id))
            if following is WAIT:
                state.at = stack
                return
            if isinstance(following, tuple):      # a sub-procedure starts
                stack.append(f"{following[0]}:{self._first(following[0])}")
                continue
            stack[-1] = f"{flow_name}:{following}"
        raise RuntimeError(f"path {path} did not stop within {MAX_STEPS} steps")

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

    def _holds(self, condition) -> bool:
        state = self.ctx.state
        if condition.value is not None:
            return str(slots.value(state, condition.fact)) == condition.value
        return slots.known(state, condition.fact) != condition.negated

    def _branch(self, flow: Flow, step: Step, branch: Branch, fields: dict) -> str:
        for key in branch.says:
            self.ctx.say(key, **fields)
        for name in branch.forget:
            slots.forget(self.ctx.state, name)
        self.ctx.mark(branch.outcome)
        return self._goto(flow, step, branch.next or step.next)

    async def _do(self, flow: Flow, step: Step):
        if step.kind == "collect":
            return self._collect(flow, step)
        if step.kind == "say":
            self.ctx.say(step.name)
            self.ctx.mark(step.outcome)
            return self._goto(flow, step, step.next)
        if step.kind == "flow":
            return (step.name,)
        operation = OPERATIONS[step.name]
        result = await operation.run(self.ctx, **step.args)
        return self._branch(flow, step, step.outcomes[result.outcome], result.fields)

    def _collect(self, flow: Flow, step: Step):
        ctx, state = self.ctx, self.ctx.state
        if not slots.known(state, step.name) and step.or_use and slots.known(state, step.or_use):
            slots.copy(state, step.or_use, step.name)
        if slots.known(state, step.name):
            return self._goto(flow, step, step.next)
        state.step = step.id
        if ctx.asked:
            return WAIT
        again = ctx.step_at_start == step.id
        if again and ctx.outcome is None:
            if step.unclear:
                ctx.say(step.unclear)
            ctx.mark(Outcome.CLARIFY)
        elif not again:
            ctx.mark(Outcome.PROGRESS)
        if slots.SLOTS[step.name].unsure(ctx.facts):
            ctx.outcome = Outcome.CLARIFY     # a guess at this fact was not taken: asking is clarifying
        choices = getattr(texts, _BUTTONS.get(step.buttons or "", ""), None)
        ctx.say(step.ask, choices, question=True)
        return WAIT


_BUTTONS: dict[str, str] = {
    "problem": "PROBLEM_BUTTONS", "alternatives": "ALTERNATIVE_BUTTONS", "yes_no": "YES_NO",
    "account_type": "ACCOUNT_TYPE_BUTTONS", "has_phone": "HAS_PHONE_BUTTONS", "code": "CODE_BUTTONS",
    "resend": "RESEND_BUTTONS", "reset_trouble": "RESET_TROUBLE_BUTTONS",
}


def button_sets() -> set[str]:
    return set(_BUTTONS)


def unknown_text(key: Optional[str]) -> bool:
    return bool(key) and key not in texts.TEXTS
