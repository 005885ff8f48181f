"""`python -m runtime.rasa_train …`: `rasa train …` (scripts/train.sh) without the libraries'
deprecation warnings in its output (runtime/quiet_warnings.py): they concern Rasa 3.6's pinned
dependencies, not whoever runs `make run`."""
from __future__ import annotations

import sys

from runtime import quiet_warnings


def main() -> None:
    quiet_warnings.install()
    # matplotlib parses its font patterns with pyparsing's deprecated names when it is imported, and
    # pyparsing's warning is a UserWarning too: Rasa's command line puts a "once" filter for those in
    # front of ours when it starts, so matplotlib is imported before it.
    import matplotlib  # noqa: F401
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
