#!/usr/bin/env bash
# Runs the whole assistant in the foreground on embedded defaults: the account
# backend (SQLite, outboxes instead of SMS/e-mail), the action server, Rasa
# (REST and socket.io channels, plus Telegram/Slack when their variables are set)
# and the help page. Ctrl-C or SIGTERM stops every part.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every file the parts create (databases, outboxes, logs) is readable by this user only.
umask 077
# shellcheck source=scripts/env.sh
source scripts/env.sh
logs="$VAR_DIR"
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
  echo "$1 did not start (see $logs/$1.log)" >&2; exit 1
}

echo "Starting the account backend…"
(cd backend && exec .venv/bin/python -m recovery_backend) >>"$logs/backend.log" 2>&1 &
pids+=($!)
wait_for backend "$BACKEND_URL/api/v1/health"

echo "Starting the action server…"
.venv/bin/python -m runtime.action_server --host "$ACTIONS_HOST" --port "$ACTIONS_PORT" >>"$logs/actions.log" 2>&1 &
pids+=($!)
wait_for actions "http://${ACTIONS_HOST}:${ACTIONS_PORT}/readyz"

echo "Starting Rasa with $model…"
RASA_MODEL="$model" scripts/rasa.sh >>"$logs/rasa.log" 2>&1 &
pids+=($!)
wait_for rasa "http://127.0.0.1:${RASA_PORT}/readyz"

.venv/bin/python web/server.py --host "$WEB_HOST" --port "$WEB_PORT" --rasa-url "$PUBLIC_RASA_URL" >>"$logs/web.log" 2>&1 &
pids+=($!)
wait_for web "http://127.0.0.1:${WEB_PORT}/"

cat <<TXT

The assistant is running.
  Help page with the chat:  http://127.0.0.1:${WEB_PORT}/
  REST channel:             POST http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook
                            (Authorization: Bearer \$REST_API_TOKEN from $VAR_DIR/dev-secrets.env)
  SMS outbox (codes):       $SMS_OUTBOX
  Call outbox (codes read): $VOICE_OUTBOX
  E-mail outbox:            $EMAIL_OUTBOX
  Logs:                     $logs/*.log
Stop with Ctrl-C.
TXT
wait -n "${pids[@]}"
echo "A part of the assistant stopped; stopping the rest." >&2
exit 1
