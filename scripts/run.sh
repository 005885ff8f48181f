#!/usr/bin/env bash
# Runs the whole assistant in the foreground on embedded defaults: the account
# backend (SQLite, outboxes instead of SMS/e-mail), the action server, Rasa
# (REST and socket.io channels, plus Telegram/Slack when their variables are set)
# and the help page. Ctrl-C or SIGTERM stops every part.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore

# Development secrets are made once and kept out of git; real deployments set them.
secrets_file=var/dev-secrets.env
dev_secrets=(BACKEND_API_KEY BACKEND_STAFF_KEY CHANNEL_ATTESTATION_SECRET CONNECTOR_ATTESTATION_SECRET REST_API_TOKEN
             CHAT_SESSION_SECRET)
(
  umask 077
  touch "$secrets_file"
  # A file from an older version gains the secrets added since.
  for name in "${dev_secrets[@]}"; do
    grep -q "^$name=" "$secrets_file" || echo "$name=$(openssl rand -hex 24)" >> "$secrets_file"
  done
)
# Values already in the environment win over the generated ones.
for name in "${dev_secrets[@]}"; do
  if [ -z "${!name:-}" ]; then export "$name=$(grep "^$name=" "$secrets_file" | cut -d= -f2-)"; fi
done

export RECOVERY_ENV="${RECOVERY_ENV:-development}"
export BACKEND_HOST="${BACKEND_HOST:-127.0.0.1}" BACKEND_PORT="${BACKEND_PORT:-8000}"
export BACKEND_URL="${BACKEND_URL:-http://127.0.0.1:${BACKEND_PORT}}"
export SMS_OUTBOX="${SMS_OUTBOX:-$PWD/var/sms-outbox.jsonl}"
export EMAIL_OUTBOX="${EMAIL_OUTBOX:-$PWD/var/email-outbox.jsonl}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:${ACTIONS_PORT:-5055}/webhook}"
export RASA_PORT="${RASA_PORT:-5005}" WEB_PORT="${WEB_PORT:-8080}"
# Browser pages allowed to talk to Rasa (CORS and the web chat's socket.io): the help page only.
export CHAT_ALLOWED_ORIGINS="${CHAT_ALLOWED_ORIGINS:-http://127.0.0.1:${WEB_PORT} http://localhost:${WEB_PORT}}"
# A channel whose secrets are empty stays switched off (credentials.yml needs the variables to exist).
for name in TELEGRAM_BOT_TOKEN TELEGRAM_WEBHOOK_SECRET TELEGRAM_API_BASE SLACK_BOT_TOKEN SLACK_SIGNING_SECRET SLACK_API_BASE; do
  export "$name=${!name:-}"
done
endpoints="${RASA_ENDPOINTS:-endpoints.yml}"
model=$(scripts/train.sh --print-path)

pids=()
stop_all() {
  trap - TERM INT EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all TERM INT EXIT

wait_for() {  # name url
  for _ in $(seq 1 300); do
    if curl -fs -o /dev/null "$2"; then echo "  $1 is up: $2"; return 0; fi
    sleep 0.5
  done
  echo "$1 did not start (see var/$1.log)" >&2; exit 1
}

echo "Starting the account backend…"
(cd backend && exec .venv/bin/python -m recovery_backend) >>var/backend.log 2>&1 &
pids+=($!)
wait_for backend "$BACKEND_URL/api/v1/health"

echo "Starting the action server…"
SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" >>var/actions.log 2>&1 &
pids+=($!)
wait_for actions "http://127.0.0.1:${ACTIONS_PORT}/health"

echo "Starting Rasa with $model…"
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then api_args=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
.venv/bin/rasa run --model "$model" --endpoints "$endpoints" --credentials credentials.yml \
  --interface "${RASA_HOST:-127.0.0.1}" --port "$RASA_PORT" --cors $CHAT_ALLOWED_ORIGINS "${api_args[@]}" >>var/rasa.log 2>&1 &
pids+=($!)
wait_for rasa "http://127.0.0.1:${RASA_PORT}/"

.venv/bin/python web/server.py --port "$WEB_PORT" --rasa-url "http://127.0.0.1:${RASA_PORT}" >>var/web.log 2>&1 &
pids+=($!)
wait_for web "http://127.0.0.1:${WEB_PORT}/"

cat <<TXT

The assistant is running.
  Help page with the chat:  http://127.0.0.1:${WEB_PORT}/
  REST channel:             POST http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook
                            (Authorization: Bearer \$REST_API_TOKEN from $secrets_file)
  SMS outbox (codes):       $SMS_OUTBOX
  E-mail outbox:            $EMAIL_OUTBOX
  Logs:                     var/*.log
Stop with Ctrl-C.
TXT
wait -n "${pids[@]}"
echo "A part of the assistant stopped; stopping the rest." >&2
exit 1
