"""Third-party deprecation warnings (distutils, pkg_resources, pyparsing, SQLAlchemy's URL()) stay
out of the parts' logs: they alarm an operator and concern only the libraries' authors.
PYTHONWARNINGS=ignore is not enough: Sanic's import adds a "once" filter for DeprecationWarning
in front of it, so the ignore filter is put back in front after Sanic is imported."""
from __future__ import annotations

import warnings


def install() -> None:
    import sanic  # noqa: F401  (its import is what re-enables them)

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
