#!/usr/bin/env bash
# Trains only when the training inputs changed: the model's name is a hash of
# everything that shapes it, so an unchanged tree reuses models/assistant-<hash>.tar.gz.
# `--print-path` prints that path (after training if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore

# data/procedure/ is run by the action server, not learnt by the model: editing it retrains nothing.
inputs=$( { echo "rasa-3.6.21"; cat config.yml; find domain data components -path data/procedure -prune -o -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' \) -print 2>/dev/null | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
model="models/assistant-${inputs}.tar.gz"
if [ ! -f "$model" ]; then
  start=$(date +%s)
  # `rasa train` without the libraries' deprecation warnings (runtime/rasa_cli.py) and without Rasa's
  # data validation, which calls every response action_turn renders by name (domain/answers.yml) "not
  # used in any story or rule" at each training; `make validate` runs that check on its own.
  .venv/bin/python -m runtime.rasa_cli train --skip-validation --domain domain \
    --fixed-model-name "assistant-${inputs}" --out models >&2
  echo "trained $model in $(( $(date +%s) - start )) s" >&2
fi
if [ "${1:-}" = "--print-path" ]; then echo "$model"; fi
