#!/usr/bin/env bash
# Runs the whole assistant in the foreground on embedded defaults: the account
# backend (SQLite, outboxes instead of SMS/e-mail), the action server, Rasa
# (REST and socket.io channels, plus Telegram/Slack when their variables are set)
# and the help page. Ctrl-C or SIGTERM stops every part and exits 0. A part that
# cannot start (its port taken, a wrong setting) or that dies later stops the
# whole assistant within a second, naming the part and showing the end of its log.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every file the parts create (databases, outboxes, logs) is readable by this user only.
umask 077
# shellcheck source=scripts/env.sh
source scripts/env.sh
logs="$VAR_DIR"
model=$(scripts/train.sh --print-path)

declare -A part_of=()   # pid -> part name
pids=()

stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
# A clean stop is a success: no "Error 130/143" from make.
trap 'trap - TERM INT; echo; echo "Stopping the assistant…"; stop_all; exit 0' TERM INT
trap 'stop_all' EXIT

declare -A title=([backend]="account backend" [actions]="action server" [rasa]="Rasa server" [web]="help page")
fail() {  # part, reason: says what went wrong and where to look, then stops the rest
  echo >&2
  echo "The ${title[$1]} $2" >&2
  if [ -s "$logs/$1.log" ]; then
    echo "Last lines of $logs/$1.log:" >&2
    tail -n 15 "$logs/$1.log" | sed 's/^/  | /' >&2
  fi
  echo "Stopping the rest of the assistant." >&2
  trap - TERM INT
  exit 1
}

port_taken() {  # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Another program on one of the ports would answer the health checks in the part's place.
for part in backend:BACKEND_HOST:BACKEND_PORT actions:ACTIONS_HOST:ACTIONS_PORT rasa:RASA_HOST:RASA_PORT \
            web:WEB_HOST:WEB_PORT; do
  IFS=: read -r name host_var port_var <<<"$part"
  host="${!host_var}"; [ "$host" = 0.0.0.0 ] && host=127.0.0.1
  if port_taken "$host" "${!port_var}"; then
    fail "$name" "cannot start: port ${!port_var} on $host is taken by another program (set $port_var to a free port, or stop that program)."
  fi
done

start() {  # name command…: the part's output goes to its log, started afresh
  local name=$1; shift
  echo "--- started $(date -Is)" >>"$logs/$name.log"
  "$@" >>"$logs/$name.log" 2>&1 &
  pids+=($!)
  part_of[$!]=$name
}

ended=""
check_ended() {  # pid: sets $ended to its exit status when it has ended, else to nothing
  ended=""
  if ! kill -0 "$1" 2>/dev/null; then
    ended=0
    wait "$1" 2>/dev/null || ended=$?
  fi
}

wait_for() {  # name pid url
  for _ in $(seq 1 600); do
    check_ended "$2"
    if [ -n "$ended" ]; then fail "$1" "exited while starting (exit status $ended)."; fi
    if curl -fs -o /dev/null --max-time 2 "$3"; then echo "  $1 is up: $3"; return 0; fi
    sleep 0.25
  done
  fail "$1" "did not answer $3 within 150 s."
}

echo "Starting the account backend…"
start backend bash -c 'cd backend && exec .venv/bin/python -m recovery_backend'
wait_for backend "${pids[-1]}" "$BACKEND_URL/api/v1/health"

echo "Starting the action server…"
start actions .venv/bin/python -m runtime.action_server --host "$ACTIONS_HOST" --port "$ACTIONS_PORT"
wait_for actions "${pids[-1]}" "http://${ACTIONS_HOST}:${ACTIONS_PORT}/readyz"

echo "Starting Rasa with $model…"
start rasa env RASA_MODEL="$model" scripts/rasa.sh
wait_for rasa "${pids[-1]}" "http://127.0.0.1:${RASA_PORT}/readyz"

start web .venv/bin/python web/server.py --host "$WEB_HOST" --port "$WEB_PORT" --rasa-url "$PUBLIC_RASA_URL"
wait_for web "${pids[-1]}" "http://127.0.0.1:${WEB_PORT}/"

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
while true; do
  for pid in "${pids[@]}"; do
    check_ended "$pid"
    if [ -n "$ended" ]; then fail "${part_of[$pid]}" "stopped (exit status $ended)."; fi
  done
  sleep 1 &
  wait $! || true
done
