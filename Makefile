# Two commands matter: `make run` (set up everything, train if the data
# changed, run the whole assistant) and `make test` (every test). The rest are
# the steps they are made of.
SHELL := /bin/bash
PYTHON310 ?= $(shell PYENV_VERSION=3.10.13 pyenv which python3.10 2>/dev/null || command -v python3.10)
PYTHON3 ?= $(shell command -v python3.11 || command -v python3)
# Rasa's command line without the libraries' deprecation warnings (runtime/rasa_cli.py).
RASA := .venv/bin/python -m runtime.rasa_cli
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore
export RASA_TELEMETRY_ENABLED := false

# `make diagrams`: the pictures of the procedure in docs/dialogue.md, redrawn from data/procedure/.
.PHONY: report learn diagrams setup setup-test train validate lint settings-tables run shell purge test test-contact-rules test-backend test-stories test-assistant test-faults bench clean

setup: .venv/.installed backend/.venv/.installed web/node_modules/.installed

.venv/.installed: requirements/assistant.txt requirements/assistant-dev.txt contact_rules/pyproject.toml
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is needed for Rasa 3.6 (pyenv install 3.10.13)"; exit 1; }
	test -x .venv/bin/python || $(PYTHON310) -m venv .venv
	.venv/bin/pip install -q --upgrade pip wheel
	.venv/bin/pip install -q -r requirements/assistant-dev.txt
	touch $@

backend/.venv/.installed: backend/requirements.txt backend/requirements-dev.txt contact_rules/pyproject.toml
	test -x backend/.venv/bin/python || $(PYTHON3) -m venv backend/.venv
	backend/.venv/bin/pip install -q --upgrade pip
	backend/.venv/bin/pip install -q -r backend/requirements-dev.txt
	touch $@

# The deployment files' checkers (tests/deploy): checkov, kubernetes-validate, hadolint.
deploy/.venv/.installed: deploy/requirements.txt deploy/requirements-hadolint.txt
	test -x deploy/.venv/bin/python || $(PYTHON3) -m venv deploy/.venv
	deploy/.venv/bin/pip install -q --upgrade pip
	deploy/.venv/bin/pip install -q -r deploy/requirements.txt
	deploy/.venv/bin/pip install -q --require-hashes --no-deps -r deploy/requirements-hadolint.txt
	touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --silent
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser);
# nginx for the tests and benchmark that put two Rasa instances behind a load balancer; PostgreSQL 15
# and Redis binaries for the fault tests (they start and restart servers of their own); deploy/.venv
# for the deployment files' checkers.
FAULT_BINARIES := /usr/lib/postgresql/15/bin/initdb /usr/bin/redis-server /usr/sbin/nginx
setup-test: setup deploy/.venv/.installed
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }
	@for f in $(FAULT_BINARIES); do test -x $$f || missing=1; done; \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 redis-server nginx-light; fi

train: .venv/.installed
	scripts/train.sh

validate: .venv/.installed
	$(RASA) data validate --domain domain --max-history 5

run: setup train
	scripts/run.sh

# A conversation in the terminal with a running `make run`, through its protected REST channel
# (runtime/shell.py); it starts no server of its own.
shell: .venv/.installed
	source scripts/env.sh && .venv/bin/python -m runtime.shell

# Deletes stored conversations older than TRACKER_RETENTION_DAYS (30); run it daily.
purge: .venv/.installed
	source scripts/env.sh && .venv/bin/python -m runtime.purge

# The funnel and its rates as PNG plots (results/report/) from the stored conversations, for those
# without Grafana; `make learn`: the conversations that went wrong, as conversation-suite YAML
# (results/learn/). ARGS="--days 7", ARGS="--since 2026-12-01 --until 2026-12-08" (docs/operations.md).
report: .venv/.installed
	source scripts/env.sh && .venv/bin/python -m runtime.report $(ARGS)

learn: .venv/.installed
	source scripts/env.sh && .venv/bin/python -m runtime.export_conversations $(ARGS)

# The shared rules, under both Pythons that use them (3.10: actions and channels; 3.11: backend).
test-contact-rules: .venv/.installed backend/.venv/.installed
	cd contact_rules && ../.venv/bin/pytest -q -p no:cacheprovider && ../backend/.venv/bin/pytest -q -p no:cacheprovider

test-backend: backend/.venv/.installed
	cd backend && .venv/bin/mypy && .venv/bin/pytest -q

# Rasa announces "Failed stories written to …" even when none failed: its report files are named
# only when a story fails (then Rasa's own error follows). The stories carry no entities, so Rasa's
# entity evaluation warns "No labels to evaluate"; no plots (an empty one made matplotlib warn).
test-stories: train
	@set -o pipefail; $(RASA) test core --stories tests/ --model "$$(scripts/train.sh --print-path)" --out results/core \
	  --no-plot --fail-on-prediction-errors 2>&1 | grep -v -e "Failed stories written to" \
	  -e "Stories with prediction warnings written to" -e "No labels to evaluate. Skip evaluation." \
	  || { echo "Stories failed: results/core/failed_test_stories.yml, results/core/stories_with_warnings.yml" >&2; exit 1; }

test-assistant: setup-test train
	RASA_MODEL="$$(scripts/train.sh --print-path)" .venv/bin/pytest -q

# The fault tests alone (test-assistant runs them too): parts killed, restarted and frozen under load.
test-faults: setup-test train
	RASA_MODEL="$$(scripts/train.sh --print-path)" .venv/bin/pytest -q tests/faults

diagrams: .venv/.installed
	.venv/bin/python -m actions.engine.diagram

lint: .venv/.installed
	.venv/bin/ruff check --quiet .
	.venv/bin/mypy

# The variable tables of backend/README.md and docs/deploy.md, written from the settings classes
# (each by the Python that imports its class); the tests fail while one is stale.
settings-tables: .venv/.installed backend/.venv/.installed
	backend/.venv/bin/python scripts/settings_tables.py backend
	.venv/bin/python scripts/settings_tables.py actions rasa

test: setup-test lint validate train test-contact-rules test-backend test-stories test-assistant

bench: setup-test train
	scripts/bench.sh $(ARGS)

clean:
	rm -rf models results .rasa var/*.sqlite3
