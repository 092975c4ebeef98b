"""Code health that a newcomer can rely on: no block of radon complexity grade D or worse, and no function over
60 lines, in bot/ and actions/ (Alembic migrations and the demo seed, which are straight-line data, excepted)."""

from __future__ import annotations

import ast
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 60
EXEMPT = ("bot/db/migrations/", "bot/services/seed.py")


def _sources() -> list[Path]:
    files = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "actions").rglob("*.py"))
    return [p for p in files if not str(p.relative_to(ROOT)).startswith(EXEMPT[0]) and
            str(p.relative_to(ROOT)) != EXEMPT[1]]


def test_no_block_of_grade_d_or_worse() -> None:
    worse = []
    for path in _sources():
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if cc_rank(block.complexity) in "DEF":
                worse.append(f"{path.relative_to(ROOT)}:{block.lineno} {block.name} {block.complexity}")
    assert worse == []


def test_no_function_over_sixty_lines() -> None:
    long = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {length} lines")
    assert long == []
