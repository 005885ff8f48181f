"""`python -m runtime.rasa_cli …`: Rasa's command line (`rasa train` in scripts/train.sh, `rasa data
validate` and `rasa test core` in the Makefile) without the libraries' deprecation warnings in its
output (runtime/quiet_warnings.py): they concern Rasa 3.6's pinned dependencies, not whoever runs
`make run` or `make test`. (The server is runtime/rasa_server.py.)"""
from __future__ import annotations

import sys

from runtime import quiet_warnings


def main() -> None:
    quiet_warnings.install()
    quiet_warnings.keep_over_rasa()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
