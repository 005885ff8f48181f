"""`python -m runtime.rasa_server run …`: `rasa run …` with private logs
(runtime/log_privacy.py) and, on Rasa's own server, `/healthz`, `/readyz` (the model is
loaded) and `/metrics` (messages per channel), and one log line per customer message with its request
id (runtime/message_log.py).

Rasa 3.6 offers no hook for extra routes, so its `configure_app` is wrapped before
its command line runs.
"""
from __future__ import annotations

import rasa_patches
from runtime import log_privacy, message_log, quiet_warnings
from runtime.settings import rasa_process_settings


def _agent_ready(app) -> bool:
    agent = getattr(app.ctx, "agent", None)
    return agent is not None and agent.is_ready()


def main() -> None:
    quiet_warnings.install()  # Sanic's import (not Rasa's) turns library deprecation warnings back on
    rasa_patches.apply()  # before anything imports Rasa (rasa_patches/__init__.py)
    log_privacy.install()
    quiet_warnings.keep_over_rasa()
    import rasa.core.run
    from rasa.__main__ import main as rasa_main

    from rasa_patches import action_keepalive
    from runtime.health import add_health_routes
    from runtime.metrics import add_metrics_route

    configure_app = rasa.core.run.configure_app

    def configure_app_with_probes(*args, **kwargs):
        app = configure_app(*args, **kwargs)
        add_health_routes(app, _agent_ready)
        add_metrics_route(app)
        app.register_listener(action_keepalive.close_sessions, "after_server_stop")
        return app

    rasa.core.run.configure_app = configure_app_with_probes
    message_log.install(rasa_process_settings().action_server_token.get_secret_value())
    rasa_main()


if __name__ == "__main__":
    main()
