"""Issue 19 #1: the action server's and Rasa's settings are typed classes; a wrong value stops the
start naming the variable; docs/deploy.md's tables are the classes'."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from devstack import ASSISTANT_BIN, QUIET, REPO
from runtime.settings import rasa_process_settings

sys.path.insert(0, str(REPO / "scripts"))
import settings_tables  # noqa: E402


@pytest.mark.parametrize("table", ["actions", "rasa"])
def test_the_deploy_tables_are_written_from_the_classes(table):
    assert settings_tables.stale(table) == ""


def test_a_wrong_value_in_rasas_settings_names_its_variable():
    with pytest.raises(SystemExit) as refused:
        rasa_process_settings({"STORE_RETRY_SECONDS": "soon"})
    assert "STORE_RETRY_SECONDS" in str(refused.value.code)


def test_the_action_server_says_which_variable_is_wrong_without_a_traceback():
    env = {**os.environ, **QUIET, "ACTION_SERVER_TOKEN": "t" * 32, "ACTIONS_PORT": "fifty"}
    finished = subprocess.run([str(ASSISTANT_BIN / "python"), "-m", "runtime.action_server"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode != 0
    assert "ACTIONS_PORT" in finished.stderr and "Traceback" not in finished.stderr
