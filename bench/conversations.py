"""The scripted conversations of the benchmark, and the load that plays them
through the REST channel (actions and backend in the loop).

Written as customers write to the assistant of docs/dialogue.md: a problem with
the phone number in the same message, the SMS code read from the outbox, a new
address, and questions asked in the middle of a step.
"""
from __future__ import annotations

import concurrent.futures
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Optional

from bench.stats import percentile
from devstack import Stack

SCRIPTS = {
    "dead mailbox: problem and phone at once, code, new address": [
        "domena wygasła i nie działa mi skrzynka mailowa, tel {phone}", "{code}", "nowy.adres{n}@example.org",
        "dziękuję"],
    "dead mailbox with questions in the middle of the steps": [
        "nie działa mi poczta na którą jest konto", "w jakich godzinach pracujecie?", "{phone}",
        "a ile to wszystko potrwa?", "{code}", "czy to bezpieczne?", "inny.adres{n}@example.org"],
    "forgotten password": ["dzień dobry", "zapomniałem hasła do panelu, ale maila mam", "dziękuję"],
    "documents, no phone any more": [
        "nie znam danych logowania", "nie mam już tego numeru", "osoba prywatna", "kontakt{n}@example.org"],
}
# A long conversation: the problem, the phone (a code is sent), then questions while
# the code step waits. The first and the last (60th) message are the same question.
# The benchmark measures what a message costs, so the backend's request limits (issue 17: 300 starts
# a minute for everybody, a few per client) are lifted; every limit per number still holds.
NO_REQUEST_LIMITS = {f"{operation}_LIMITS_{scope}": "none" for operation in ("START", "CHECK", "CASE")
                     for scope in ("PER_CLIENT", "GLOBAL")}
SAME_QUESTION = "w jakich godzinach pracujecie?"
QUESTIONS = ["czy jesteś botem?", "a ile to wszystko potrwa?", "czy to bezpieczne?", SAME_QUESTION]
LONG_SCRIPT = [SAME_QUESTION, "nie działa mi skrzynka pocztowa", "{phone}",
               *itertools.islice(itertools.cycle(QUESTIONS), 56), SAME_QUESTION]
LONG_LENGTH = len(LONG_SCRIPT)
assert LONG_LENGTH == 60


def accounts_fixture(path: Path, count: int) -> list[str]:
    """`count` private accounts, each with its own mobile number (the backend allows one SMS a minute per number)."""
    phones = [f"+48500{index:06d}" for index in range(count)]
    lines = [f"- {{id: {10000 + i}, type: private, name: Klient {i}, email: klient{i}@wygasla-{i}.pl, phones: ['{p}']}}"
             for i, p in enumerate(phones)]
    path.write_text("\n".join(lines) + "\n")
    return phones


def spoken(phone: str) -> str:
    """+48500000012 -> '500 000 012', as customers type it."""
    digits = phone.removeprefix("+48")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


class Load:
    """Plays scripts as customers: each conversation with its own sender and phone number."""

    def __init__(self, stack: Stack, phones: list[str], rasa_url: Optional[str] = None):
        self.stack, self.rasa_url = stack, rasa_url
        self.phones, self.lock = iter(enumerate(phones)), threading.Lock()
        self.failures = 0

    def conversation(self, script: list[str]) -> list[float]:
        with self.lock:
            n, phone = next(self.phones)
        sender, timings = f"bench-{n}-{time.monotonic_ns()}", []
        for template in script:
            code = self.stack.latest_code(phone) if "{code}" in template else ""
            text = template.format(phone=spoken(phone), code=code, n=n)
            started = time.perf_counter()
            replies = self.stack.say(sender, text, rasa_url=self.rasa_url)
            timings.append(time.perf_counter() - started)
            if not replies or not all(reply.get("text") for reply in replies):
                with self.lock:
                    self.failures += 1
        return timings

    def at_once(self, workers: int, conversations_per_worker: int) -> dict:
        scripts = list(SCRIPTS.values())
        chosen = [scripts[i % len(scripts)] for i in range(workers * conversations_per_worker)]
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            timings = [t for conversation in pool.map(self.conversation, chosen) for t in conversation]
        elapsed = time.perf_counter() - started
        return {"p50": percentile(timings, 50) * 1000, "p95": percentile(timings, 95) * 1000,
                "p99": percentile(timings, 99) * 1000, "messages": len(timings),
                "messages_per_s": len(timings) / elapsed}

    def long_conversations(self, count: int) -> dict:
        """`count` 60-message conversations one after another: p50 of each message position."""
        runs = [self.conversation(LONG_SCRIPT) for _ in range(count)]
        by_position = [[run[i] * 1000 for run in runs] for i in range(LONG_LENGTH)]
        return {"count": count, "p50_by_message": [percentile(values, 50) for values in by_position]}


def cpu_seconds(pids: Callable[[], list[int]]) -> float:
    """CPU time (user + system) the processes have used, children included."""
    ticks = 0
    for pid in pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / 100  # USER_HZ
