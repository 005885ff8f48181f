"""Issue 19 #5: the docs cite only what exists, and each figure has one home.

Reads README.md, backend/README.md and docs/*.md: every file or folder named in backticks or
linked, every test named, every `make` target must exist; a measured figure (held-out accuracy,
cross-validation accuracy) is written only in the document that is its home
(the others point there), so two files can never disagree."""
from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

import pytest

from devstack import REPO

DOCS = [REPO / "README.md", REPO / "backend" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SUFFIXES = r"(?:py|md|yml|yaml|sh|json|jsonl|txt|png|toml|ini|js|html|css|cfg|conf|tsv|csv|mako|env)"
CITED_PATH = re.compile(rf"`([A-Za-z0-9_.][\w./-]*(?:\.{SUFFIXES}|/))`")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
CITED_TEST = re.compile(r"\b(test_\w+)")
TEST_IN_FILE = re.compile(r"([\w./-]+\.py)::(test_\w+)")
MARKDOWN_FILE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.md)\b")
MAKE = re.compile(r"`make ([\w-]+)")
# Places a cited path may be relative to, besides the document's own folder.
ROOTS = [REPO, REPO / "backend", REPO / "backend" / "recovery_backend", REPO / "tests"]
# Files the project makes at run time (not in git): named in the docs as what appears where.
MADE_AT_RUN_TIME = re.compile(r"^(var/|models/|results/|bench/results/latest|/|\.venv|backend/\.venv|~)")
# A measured figure: where it is written, and how to recognise it elsewhere.
FIGURES = {
    "held-out accuracy": ("docs/benchmarks.md", re.compile(r"held-out(?:(?!\n\n)[^|]){0,240}?\b0\.\d{2,3}\b", re.I)),
    "cross-validation accuracy": ("docs/nlu-cross-validation.md",
                                  re.compile(r"cross-validat\w*(?:(?!\n\n)[^|]){0,120}?\b0\.\d{2,3}\b", re.I)),
}


def text_of(doc: Path) -> str:
    return doc.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def repository_files() -> tuple[str, ...]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    return tuple("/" + path for path in listed.splitlines())


def exists(cited: str, doc: Path) -> bool:
    """A path from the document's folder or a usual root, or else the end of some file's path in the
    repository (a table row may name `run.sh` under a `scripts/` heading); a file the operator makes
    from an `.example` counts as there."""
    cited = cited.rstrip("/")
    if not cited.endswith(".example") and exists(cited + ".example", doc):
        return True
    if any((root / cited).exists() for root in [doc.parent, *ROOTS]):
        return True
    return any(path.endswith("/" + cited) or f"/{cited}/" in path for path in repository_files())


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(REPO)))
def test_every_cited_file_exists(doc):
    cited = set(CITED_PATH.findall(text_of(doc))) | set(MARKDOWN_FILE.findall(text_of(doc))) | {link for link in LINK.findall(text_of(doc))
                                                       if "://" not in link and not link.startswith("mailto:")}
    missing = sorted(path for path in cited if not MADE_AT_RUN_TIME.match(path) and "<" not in path
                     and "*" not in path and "$" not in path and not exists(path, doc))
    assert not missing, f"{doc.relative_to(REPO)} cites what does not exist: {missing}"


def defined_tests() -> set[str]:
    names: set[str] = set()
    for folder in (REPO / "tests", REPO / "backend" / "tests", REPO / "contact_rules"):
        for path in folder.rglob("test_*"):
            if ".venv" not in path.parts:
                names.add(path.stem)  # a test module or folder is cited by its name too
            if path.suffix == ".py" and ".venv" not in path.parts:
                names |= set(re.findall(r"^\s*(?:async )?def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    return names


def test_every_cited_test_exists():
    tests = defined_tests()
    missing = {f"{doc.relative_to(REPO)}: {name}" for doc in DOCS for name in CITED_TEST.findall(text_of(doc))
               if name not in tests}
    assert not missing, f"docs cite tests that do not exist: {sorted(missing)}"


def test_every_test_cited_in_its_file_is_there():
    missing = set()
    for doc in DOCS:
        for file, name in TEST_IN_FILE.findall(text_of(doc)):
            paths = [path for path in ("/" + p for p in repository_files()) if path.endswith("/" + file)]
            if not any(re.search(rf"def {name}\b", (REPO / path.lstrip("/")).read_text(encoding="utf-8"))
                       for path in paths):
                missing.add(f"{doc.relative_to(REPO)}: {file}::{name}")
    assert not missing, f"docs cite tests that are not in the file named: {sorted(missing)}"


def test_every_cited_make_target_exists():
    targets = set(re.findall(r"^([\w-]+):", (REPO / "Makefile").read_text(), re.M))
    missing = {f"{doc.relative_to(REPO)}: make {name}" for doc in DOCS for name in MAKE.findall(text_of(doc))
               if name not in targets}
    assert not missing, f"docs cite make targets that do not exist: {sorted(missing)}"


@pytest.mark.parametrize("figure", FIGURES)
def test_each_figure_is_written_in_its_home_only(figure):
    home, pattern = FIGURES[figure]
    elsewhere = {f"{doc.relative_to(REPO)}: {match}" for doc in DOCS if doc != REPO / home
                 for match in pattern.findall(text_of(doc))}
    assert not elsewhere, f"the {figure} is written in {home}; point there instead of repeating it: {sorted(elsewhere)}"
