#!/usr/bin/env bash
# Starts Rasa from the environment (the variables of scripts/env.sh, docs/deploy.md):
# `make run` and the container image both start it here, so the command line is written once.
# RASA_MODEL is the model to load; Rasa's HTTP API is on only when RASA_API_TOKEN is set.
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
[ -x "$python" ] || python=python  # in the image, the environment's python is on PATH
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then api_args=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
# shellcheck disable=SC2086  # CHAT_ALLOWED_ORIGINS holds one origin per word
exec "$python" -m runtime.rasa_server run --model "$RASA_MODEL" --endpoints "$RASA_ENDPOINTS" \
  --credentials credentials.yml --interface "$RASA_HOST" --port "$RASA_PORT" --cors $CHAT_ALLOWED_ORIGINS "${api_args[@]}"
