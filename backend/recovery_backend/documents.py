"""What a customer sends to prove they own an account, per account type and language,
kept in a YAML file so the company changes it without code."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("pl", "en")


def load_documents(path: Path) -> dict[str, Any]:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(config, dict):
        raise ValueError(f"{path}: must map private and company to their documents")
    for kind in ("private", "company"):
        section = config.get(kind, {})
        if not section.get("documents"):
            raise ValueError(f"{path}: no documents listed for {kind!r}")
        english = section.get("en", {})
        # The English list is the same list: a document missing there would be a different procedure.
        if len(english.get("documents", [])) != len(section["documents"]) or \
                len(english.get("notes", [])) != len(section.get("notes", [])):
            raise ValueError(f"{path}: the English list of {kind!r} (`en:`) must have every document and note")
    if not config.get("subject_hint_en"):
        raise ValueError(f"{path}: no subject_hint_en")
    return config


def documents_for(config: dict[str, Any], account_type: str, language: str = "pl") -> dict[str, Any]:
    section = config[account_type]
    listed = section["en"] if language == "en" else section
    return {
        "account_type": account_type,
        "language": "en" if language == "en" else "pl",
        "documents": list(listed["documents"]),
        "notes": list(listed.get("notes", [])),
        "send_to": config["send_to"],
        "subject_hint": config["subject_hint_en" if language == "en" else "subject_hint"],
    }
