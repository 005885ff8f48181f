#!/usr/bin/env bash
# The benchmark: project configuration against Rasa's default one (see bench/run.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore RASA_TELEMETRY_ENABLED=false
exec .venv/bin/python -m bench.run "$@"
