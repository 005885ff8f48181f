"""Issue 19 #3: every Rasa function a patch replaces or relies on is the one the patch was written
against; an upgrade that changes one fails here, naming it and its patch."""
from __future__ import annotations

import json
import logging
import subprocess

import pytest
from rasa.core.processor import MessageProcessor

import rasa_patches
from devstack import ASSISTANT_BIN, QUIET, REPO
from rasa_patches import message_once


def fingerprints_of_unpatched_rasa() -> dict[str, str]:
    # A fresh process: in this one the patches may already stand where Rasa's functions were.
    script = ("import json, rasa_patches; print(json.dumps({t: rasa_patches.fingerprint(t) "
              "for originals in rasa_patches.ORIGINALS.values() for t in originals}))")
    finished = subprocess.run([str(ASSISTANT_BIN / "python"), "-c", script], cwd=REPO, env=QUIET,
                              capture_output=True, text=True, check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_every_patched_original_is_the_one_its_patch_was_written_against():
    found = fingerprints_of_unpatched_rasa()
    changed = [f"{target} (re-read rasa_patches/{patch}.py against it)"
               for patch, originals in rasa_patches.ORIGINALS.items()
               for target, expected in originals.items() if found[target] != expected]
    assert not changed, "Rasa changed: " + "; ".join(changed)


def test_every_patch_module_has_its_fingerprints():
    modules = {path.stem for path in (REPO / "rasa_patches").glob("*.py") if path.stem != "__init__"}
    assert modules == set(rasa_patches.ORIGINALS)


def test_another_rasa_version_refuses_to_start_rather_than_answer_a_resent_message_twice(monkeypatch, caplog):
    monkeypatch.setattr(MessageProcessor, "_handle_message_with_tracker", message_once._original)
    with caplog.at_level(logging.WARNING, logger="rasa.patches"), pytest.raises(SystemExit) as refused:
        rasa_patches.apply("3.6.22")
    assert "message_once" in str(refused.value.code) and "3.6.22" in str(refused.value.code)
    assert not message_once.is_applied()
    assert "nothing patched" in caplog.text
