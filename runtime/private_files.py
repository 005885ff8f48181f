"""Data files readable by their owner only (0600), also when an older version created them."""
from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def ensure_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE)
    os.close(descriptor)
    os.chmod(path, PRIVATE)
