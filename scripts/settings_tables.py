"""The variable tables of the docs, written from the settings classes (one per process), so a
variable, its default and its meaning are written once, in the class.

    backend/.venv/bin/python scripts/settings_tables.py backend      # writes backend/README.md's table
    .venv/bin/python scripts/settings_tables.py actions rasa         # writes docs/deploy.md's two
    … --check                                                        # says which table is stale

`make settings-tables` runs both; the tests of each process fail while its table is stale. Each
process has its own environment (pydantic 2 in the backend's, pydantic 1 in Rasa's), so each
table is written by the Python that can import its class.
"""
from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# table name: (document, module, class)
TABLES = {
    "backend": (REPO / "backend" / "README.md", "recovery_backend.settings", "Settings"),
    "actions": (REPO / "docs" / "deploy.md", "actions.settings", "ActionServerSettings"),
    "rasa": (REPO / "docs" / "deploy.md", "runtime.settings", "RasaProcessSettings"),
}


def settings_class(name: str) -> type:
    _, module, cls = TABLES[name]
    for path in (REPO, REPO / "backend"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    return getattr(importlib.import_module(module), cls)


def shown(value: Any) -> str:
    if value is None or value == "" or value == ():
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{getattr(value, 'value', value)}`"


def rows(cls: type) -> Iterator[tuple[str, str, str]]:
    """(variable, default as shown, meaning) of every field, in the class's order."""
    if hasattr(cls, "model_fields"):  # pydantic 2 (pydantic-settings)
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra or {}
            variable = field.validation_alias if isinstance(field.validation_alias, str) else name.upper()
            yield variable, extra.get("shown_default") or shown(field.default), field.description or ""
    else:  # pydantic 1's BaseSettings
        for name, field in cls.__fields__.items():
            info = field.field_info
            variable = info.extra.get("env") or name.upper()
            yield variable, info.extra.get("shown_default") or shown(field.default), info.description or ""


def table(name: str) -> str:
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{variable}` | {default} | {meaning} |" for variable, default, meaning in rows(settings_class(name))]
    return "\n".join(lines)


def markers(name: str) -> tuple[str, str]:
    _, module, cls = TABLES[name]
    return (f"<!-- settings table {name}: written from {module}.{cls} by `make settings-tables`; "
            "edit the class, not the table -->", f"<!-- end of settings table {name} -->")


def section(text: str, name: str) -> re.Match:
    start, end = markers(name)
    found = re.search(re.escape(start) + r"\n(.*?)" + re.escape(end), text, flags=re.S)
    if not found:
        raise SystemExit(f"{TABLES[name][0].relative_to(REPO)} lacks the lines {start!r} … {end!r}")
    return found


def stale(name: str) -> str:
    """Why the document's table differs from the class ("" when it does not)."""
    document = TABLES[name][0]
    if section(document.read_text(encoding="utf-8"), name).group(1) != table(name) + "\n":
        return f"{document.relative_to(REPO)}: the {name} settings table is stale; run `make settings-tables`"
    return ""


def write(name: str) -> None:
    document = TABLES[name][0]
    text = document.read_text(encoding="utf-8")
    found = section(text, name)
    document.write_text(text[:found.start(1)] + table(name) + "\n" + text[found.end(1):], encoding="utf-8")


def main(arguments: list[str]) -> int:
    check = "--check" in arguments
    names = [argument for argument in arguments if argument != "--check"] or sorted(TABLES)
    if check:
        problems = [problem for problem in map(stale, names) if problem]
        print("\n".join(problems) or "settings tables up to date")
        return 1 if problems else 0
    for name in names:
        write(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
