# Sourced by scripts/run.sh and `make shell`/`make purge`: every address, path and
# development secret of the assistant is decided here, once. docs/deploy.md lists
# each variable with its default; a value already in the environment wins, except
# ACTION_SERVER_URL, which is always derived from where the action server is started
# (a Rasa pointed at another port would send whole conversations to whatever listens there).
# shellcheck shell=bash

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# A relative path means relative to the repository, whichever directory a part starts in
# (the backend starts in backend/).
absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$REPO/$1" ;;
  esac
}

export VAR_DIR; VAR_DIR="$(absolute "${VAR_DIR:-var}")"
mkdir -p "$VAR_DIR"

# Development secrets are made once and kept out of git; real deployments set them.
secrets_file="$VAR_DIR/dev-secrets.env"
secret_names=(BACKEND_API_KEY BACKEND_STAFF_KEY CONVERSATION_SEAL_KEY CONNECTOR_ATTESTATION_SECRET
              ACTION_SERVER_TOKEN REST_API_TOKEN CHAT_SESSION_SECRET)
for name in "${secret_names[@]}"; do
  if [ -z "${!name:-}" ] && ! grep -q "^$name=" "$secrets_file" 2>/dev/null; then
    (umask 077; echo "$name=$(openssl rand -hex 24)" >> "$secrets_file")
  fi
  if [ -z "${!name:-}" ]; then export "$name=$(grep "^$name=" "$secrets_file" | cut -d= -f2-)"; fi
done

export RECOVERY_ENV="${RECOVERY_ENV:-development}"

export BACKEND_HOST="${BACKEND_HOST:-127.0.0.1}" BACKEND_PORT="${BACKEND_PORT:-8000}"
export BACKEND_URL="${BACKEND_URL:-http://127.0.0.1:${BACKEND_PORT}}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$VAR_DIR/backend.sqlite3}"
export SMS_OUTBOX; SMS_OUTBOX="$(absolute "${SMS_OUTBOX:-$VAR_DIR/sms-outbox.jsonl}")"
export EMAIL_OUTBOX; EMAIL_OUTBOX="$(absolute "${EMAIL_OUTBOX:-$VAR_DIR/email-outbox.jsonl}")"
export VOICE_OUTBOX; VOICE_OUTBOX="$(absolute "${VOICE_OUTBOX:-$VAR_DIR/voice-outbox.jsonl}")"
# Development asks for the demo accounts (the backend loads fixtures only when asked, and only those missing).
if [ "$RECOVERY_ENV" = development ]; then ACCOUNTS_FIXTURE="${ACCOUNTS_FIXTURE-backend/fixtures/demo-accounts.yml}"; fi
if [ -n "${ACCOUNTS_FIXTURE:-}" ]; then export ACCOUNTS_FIXTURE; ACCOUNTS_FIXTURE="$(absolute "$ACCOUNTS_FIXTURE")"; fi

export ACTIONS_HOST="${ACTIONS_HOST:-127.0.0.1}" ACTIONS_PORT="${ACTIONS_PORT:-5055}"
derived_action_url="http://${ACTIONS_HOST}:${ACTIONS_PORT}/webhook"
if [ -n "${ACTION_SERVER_URL:-}" ] && [ "$ACTION_SERVER_URL" != "$derived_action_url" ]; then
  echo "ACTION_SERVER_URL=$ACTION_SERVER_URL ignored: Rasa calls the action server started here, $derived_action_url" >&2
fi
export ACTION_SERVER_URL="$derived_action_url"

export RASA_HOST="${RASA_HOST:-127.0.0.1}" RASA_PORT="${RASA_PORT:-5005}"
export RASA_ENDPOINTS="${RASA_ENDPOINTS:-endpoints.yml}"
export RASA_TRACKER_DB; RASA_TRACKER_DB="$(absolute "${RASA_TRACKER_DB:-$VAR_DIR/rasa-tracker.sqlite3}")"
export TRACKER_RETENTION_DAYS="${TRACKER_RETENTION_DAYS:-30}"
# The scaled set-up's stores (endpoints-scaled.yml names them, so they must exist): no Redis
# password, TLS to PostgreSQL when the server offers it.
export REDIS_PASSWORD="${REDIS_PASSWORD:-}" POSTGRES_SSLMODE="${POSTGRES_SSLMODE:-prefer}"
export WEB_HOST="${WEB_HOST:-127.0.0.1}" WEB_PORT="${WEB_PORT:-8080}"
# The address the customer's browser uses for Rasa's socket.io (behind a proxy: the public one).
export PUBLIC_RASA_URL="${PUBLIC_RASA_URL:-http://127.0.0.1:${RASA_PORT}}"

# Where the backend pushes a person's replies during a live hand-over (HUMAN_INBOX=chatwoot, docs/chatwoot.md):
# Rasa's hand-over channel, open only when HANDOVER_PUSH_TOKEN is set (for both).
export ASSISTANT_PUSH_URL="${ASSISTANT_PUSH_URL:-http://127.0.0.1:${RASA_PORT}/webhooks/handover/push}"

# Browser pages allowed to talk to Rasa (CORS and the web chat's socket.io): the help page only.
export CHAT_ALLOWED_ORIGINS="${CHAT_ALLOWED_ORIGINS:-http://127.0.0.1:${WEB_PORT} http://localhost:${WEB_PORT}}"
# A channel whose secrets are empty stays switched off (credentials.yml needs the variables to exist).
for name in TELEGRAM_BOT_TOKEN TELEGRAM_WEBHOOK_SECRET TELEGRAM_API_BASE SLACK_BOT_TOKEN SLACK_SIGNING_SECRET SLACK_API_BASE \
            HANDOVER_PUSH_TOKEN; do
  export "$name=${!name:-}"
done
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore RASA_TELEMETRY_ENABLED=false
