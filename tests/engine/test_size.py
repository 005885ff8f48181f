"""The engine stays small (issue 16): no class over 300 lines, no function over 60."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = sorted((Path(__file__).resolve().parents[2] / "actions" / "engine").glob("*.py"))


@pytest.mark.parametrize("path", ENGINE, ids=lambda path: path.name)
def test_no_class_over_300_and_no_function_over_60_lines(path: Path):
    too_long = []
    for node in ast.walk(ast.parse(path.read_text())):
        limit = 300 if isinstance(node, ast.ClassDef) else 60
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                too_long.append(f"{node.name}: {length} lines")
    assert not too_long, f"{path.name}: {too_long}"


def test_the_engine_names_no_path():
    """Which path plays which part is data (patterns.yml `paths`); the engine's code names none of them."""
    from actions.engine.validation import checked

    paths = set(checked().flows)
    named = [f"{path.name}: {node.value!r}" for path in ENGINE for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in paths]
    assert not named, named
