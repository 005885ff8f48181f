"""What a customer sends to prove they own an account, per account type,
kept in a YAML file so the company changes it without code."""
from __future__ import annotations

from pathlib import Path

import yaml


def load_documents(path: Path) -> dict:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for kind in ("private", "company"):
        if not config.get(kind, {}).get("documents"):
            raise ValueError(f"{path}: no documents listed for {kind!r}")
    return config


def documents_for(config: dict, account_type: str) -> dict:
    section = config[account_type]
    return {
        "account_type": account_type,
        "documents": list(section["documents"]),
        "notes": list(section.get("notes", [])),
        "send_to": config["send_to"],
        "subject_hint": config["subject_hint"],
    }
