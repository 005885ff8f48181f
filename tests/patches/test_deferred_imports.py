"""rasa_patches/deferred_imports.py: the served model starts without TensorFlow, and
what uses the deferred parts still gets them."""
from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

from devstack import ASSISTANT_BIN, QUIET, REPO, latest_model
from rasa_patches.deferred_imports import top_level_names

# Run in a fresh interpreter: the patch must come before Rasa is imported, and this
# test process has imported Rasa long ago.
CHECKS = textwrap.dedent("""
    import json, sys, tarfile
    import rasa_patches
    assert rasa_patches.apply()
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    import rasa.utils.train_utils as train_utils
    import rasa.nlu.extractors.crf_entity_extractor  # imports train_utils a second time
    metadata = LocalModelStorage.metadata_from_archive(sys.argv[1])
    after_load = "tensorflow" in sys.modules
    nodes = sorted(metadata.train_schema.nodes)  # the training graph, read on demand
    data_generators = callable(train_utils.create_data_generators)  # the deferred module runs on use
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    print(json.dumps({"tensorflow_after_load": after_load, "train_nodes": len(nodes),
                      "metadata_roundtrip": type(metadata).from_dict(metadata.as_dict()).as_dict() == metadata.as_dict(),
                      "data_generators": data_generators, "tensorflow_after_use": "tensorflow" in sys.modules,
                      "diet": DIETClassifier.__name__}))
""")


def test_a_model_loads_without_tensorflow_and_whatever_uses_it_still_gets_it():
    result = subprocess.run([str(ASSISTANT_BIN / "python"), "-c", CHECKS, str(latest_model())], cwd=REPO,
                            env={**QUIET, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"tensorflow_after_load": False, "train_nodes": outcome["train_nodes"], "metadata_roundtrip": True,
                       "data_generators": True, "tensorflow_after_use": True, "diet": "DIETClassifier"}
    assert outcome["train_nodes"] > 5


def test_the_running_server_has_not_loaded_tensorflow(stack, sender_id):
    stack.say(sender_id, "nie pamiętam hasła")
    maps = Path(f"/proc/{stack.services['rasa'].process.pid}/maps").read_text()
    assert "_pywrap_tensorflow" not in maps and "libtensorflow" not in maps


def test_only_names_a_module_defines_run_it():
    names = top_level_names(textwrap.dedent("""
        import os.path
        from typing import TYPE_CHECKING, Any as A
        X = 1
        a, (b, c) = 1, (2, 3)
        def f(): inner = 1
        class K: attribute = 1
        if TYPE_CHECKING:
            from x import Y
        try:
            import z
        except ImportError:
            z = None
    """))
    assert names == {"os", "TYPE_CHECKING", "A", "X", "a", "b", "c", "f", "K", "Y", "z"}
    assert top_level_names("from x import *") is None
