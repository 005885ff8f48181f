"""`python -m runtime.purge [--days N] [--endpoints FILE]` (`make purge`): deletes every
conversation whose last message is older than N days (TRACKER_RETENTION_DAYS, default 30)
from the tracker store configured in the endpoints file (RASA_ENDPOINTS)."""
from __future__ import annotations

import argparse
import time

from rasa.utils.endpoints import read_endpoint_config

from runtime.settings import rasa_process_settings
from runtime.tracker_store import RedactingSQLTrackerStore

DAY_SECONDS = 86400


def main() -> None:
    settings = rasa_process_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, default=settings.tracker_retention_days)
    parser.add_argument("--endpoints", default=settings.endpoints)
    args = parser.parse_args()
    config = read_endpoint_config(args.endpoints, "tracker_store")
    if config is None or config.type != f"{RedactingSQLTrackerStore.__module__}.{RedactingSQLTrackerStore.__name__}":
        raise SystemExit(f"{args.endpoints} has no {RedactingSQLTrackerStore.__name__} tracker store to purge")
    store = RedactingSQLTrackerStore(host=config.url, **config.kwargs)
    deleted = store.purge_older_than(time.time() - args.days * DAY_SECONDS)
    print(f"deleted {deleted} conversation(s) older than {args.days:g} days")


if __name__ == "__main__":
    main()
