"""`make shell` (issue 17, finding 10): it used to start Rasa's stock REST channel on 0.0.0.0:5006
without a token, into the same conversation store, so any local client could continue a `rest:`
conversation. Now it is a client of the protected channel and listens on nothing."""
from __future__ import annotations

import re
import subprocess

from devstack import ASSISTANT_BIN, QUIET, REPO


def run_shell(env: dict, typed: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ASSISTANT_BIN / "python"), "-m", "runtime.shell"], cwd=REPO, input=typed,
                          env={**QUIET, "PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=120)


def test_the_shell_talks_through_the_protected_channel(stack):
    result = run_shell({"REST_API_TOKEN": stack.rest_token, "RASA_PORT": str(stack.rasa_port)}, "dzień dobry\n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Asystent:" in result.stdout
    conversation = re.search(r"rest:shell-[0-9a-f]+", result.stdout).group(0)
    assert any(event.get("event") == "user" for event in stack.tracker(conversation)["events"])


def test_the_shell_needs_the_token_and_a_wrong_one_gets_nothing(stack):
    assert run_shell({"RASA_PORT": str(stack.rasa_port)}, "dzień dobry\n").returncode == 2
    refused = run_shell({"REST_API_TOKEN": "wrong", "RASA_PORT": str(stack.rasa_port)}, "dzień dobry\n")
    assert refused.returncode == 1 and "[401]" in refused.stdout


def test_make_shell_starts_no_server():
    recipe = subprocess.run(["make", "-n", "shell"], cwd=REPO, capture_output=True, text=True, timeout=60).stdout
    assert "runtime.shell" in recipe
    assert "rasa_server" not in recipe and " shell -p" not in recipe and "rasa shell" not in recipe
