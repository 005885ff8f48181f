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


def keep_over_rasa() -> None:
    """Rasa's command line puts filters of its own in front when it starts ("once" for UserWarning,
    which pyparsing's deprecation warnings, raised when Rasa plots, also are): the ignore filters go
    back in front after them."""
    import rasa.__main__ as rasa_main

    configure = rasa_main.configure_logging_and_warnings

    def configure_then_quiet(*args, **kwargs):
        configure(*args, **kwargs)
        install()

    rasa_main.configure_logging_and_warnings = configure_then_quiet
