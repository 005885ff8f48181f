"""`python -m runtime.action_server`: rasa_sdk's action server, accepting calls only
from Rasa (runtime/auth.py), with /healthz, /readyz and /metrics, no CORS and no
tracker echoed back in error answers. An action call repeated for the same
customer message (a turn retried on another Rasa instance) gets the first answer
(runtime/action_replay.py). Its settings: actions/settings.py."""
from __future__ import annotations

import argparse
import logging

from runtime import quiet_warnings

quiet_warnings.install()  # first: rasa_sdk's imports warn of deprecations otherwise

from rasa_sdk import endpoint, utils  # noqa: E402
from sanic import Sanic, response  # noqa: E402

from actions.settings import action_server_settings  # noqa: E402
from runtime import action_replay, log_privacy  # noqa: E402
from runtime.auth import checked_token, require_bearer_token  # noqa: E402
from runtime.health import add_health_routes  # noqa: E402
from runtime.metrics import add_metrics_route, time_action_calls  # noqa: E402

log = logging.getLogger("runtime.action_server")


def create_app(actions_package: str, token: str) -> Sanic:
    action_replay.install()
    app = endpoint.create_app(actions_package, cors_origins=None)
    # Registered before the routes' own middleware runs: a refused call reaches no action.
    require_bearer_token(app, token)
    add_health_routes(app)
    add_metrics_route(app)
    time_action_calls(app)

    async def failed(request, exception: Exception):
        # rasa_sdk's own handler sends the whole tracker back and logs it; the type is enough.
        log.error("action call failed: %s", type(exception).__name__)
        return response.json({"error": "action failed"}, status=500)

    app.error_handler.add(Exception, failed)
    return app


def main() -> None:
    settings = action_server_settings()
    parser = argparse.ArgumentParser(description="the assistant's action server")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args()
    token = checked_token(settings.token.get_secret_value())
    log_privacy.install()
    utils.configure_colored_logging(settings.log_level)
    utils.update_sanic_log_level()
    app = create_app(args.actions, token)
    log.info("Action server on http://%s:%s", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
