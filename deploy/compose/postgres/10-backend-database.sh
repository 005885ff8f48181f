#!/bin/sh
# First start only (the postgres image runs /docker-entrypoint-initdb.d/ on an empty volume):
# the backend's database next to the conversations' one, owned by the same role.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE DATABASE \"$BACKEND_DATABASE\" OWNER \"$POSTGRES_USER\""
