"""Architecture rules, read from the source with ``ast`` (nothing is imported or run):

* Actions (``actions/``), web handlers (``bot/web/``, the review app included), channels (``bot/channels/``) and
  the dialogue package (``bot/dialogue/``) never import ``bot.db.engine``, in any form, anywhere in a module
  (inside functions too): they call a use case (``bot/usecases/``) and never open a session.
* Only use cases (and ``bot/db`` itself) open a transaction with ``session_scope``.
* The ``bot`` package has no import cycles (imports inside functions count: a lazy import hides a cycle, it
  does not remove it; imports under ``if TYPE_CHECKING:`` do not).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = "bot.db.engine"
NO_ENGINE_AREAS = ("actions", "bot/web", "bot/channels", "bot/dialogue")
SESSION_SCOPE_ALLOWED = ("bot/usecases/", "bot/db/")
CODE_AREAS = ("actions", "bot", "scripts")


# ---------------------------------------------------------------- reading the source


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _python_files(area: str) -> list[Path]:
    base = ROOT / area
    return sorted(p for p in base.rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, in functions too, except the body of ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
            else:
                stack.append(child)


def _package_of(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def _from_module(node: ast.ImportFrom, package: str) -> str:
    """The absolute module of ``from X import ...`` (relative imports resolved against ``package``)."""
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def imported_names(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every dotted name the source imports: ``import a.b`` -> a.b; ``from a import b`` -> a and a.b;
    ``importlib.import_module("a.b")`` / ``__import__("a.b")`` -> a.b; and attribute chains such as
    ``bot.db.engine.session_scope`` used after ``import bot.db``."""
    package = _package_of(module, is_package)
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _from_module(node, package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = _dotted(node.func) or ""
            if name.split(".")[-1] in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted.startswith("bot."):
                found.add(dotted)
    return found


def imports_engine(source: str, module: str, is_package: bool = False) -> bool:
    return any(n == ENGINE or n.startswith(ENGINE + ".") for n in imported_names(source, module, is_package))


def uses_session_scope(source: str) -> list[int]:
    """Lines that import ``session_scope`` or call anything of that name."""
    lines = []
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and any(a.name == "session_scope" for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and (_dotted(node.func) or "").split(".")[-1] == "session_scope":
            lines.append(node.lineno)
    return sorted(set(lines))


# ---------------------------------------------------------------- the checker catches every form


@pytest.mark.parametrize(
    "source",
    [
        "import bot.db.engine",
        "import bot.db.engine as e",
        "from bot.db.engine import session_scope",
        "from bot.db.engine import *",
        "from bot.db import engine",
        "from bot.db import models, engine as e",
        "def f():\n    from bot.db.engine import get_engine\n",
        "class C:\n    async def m(self):\n        import bot.db.engine\n",
        "from ..db import engine",
        "from ..db.engine import session_scope",
        "import importlib\nimportlib.import_module('bot.db.engine')",
        "__import__('bot.db.engine')",
        "import bot.db\nwith bot.db.engine.session_scope() as s:\n    pass\n",
    ],
)
def test_the_checker_finds_every_form_of_importing_the_engine(source: str) -> None:
    assert imports_engine(source, "bot.web.example")


@pytest.mark.parametrize(
    "source",
    [
        "from bot.db.models import Child",
        "from bot.db import models",
        "import bot.db.models",
        "from bot.usecases import signin",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.db.engine import Engine\n",
        "engine = 'bot.db.engine'",
    ],
)
def test_the_checker_allows_models_and_use_cases(source: str) -> None:
    assert not imports_engine(source, "bot.web.example")


def test_the_checker_finds_session_scope() -> None:
    assert uses_session_scope("from bot.db.engine import session_scope\n") == [1]
    assert uses_session_scope("import bot.db.engine as e\ndef f():\n    with e.session_scope():\n        pass\n") == [3]
    assert uses_session_scope("x = 1\n") == []


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize("area", NO_ENGINE_AREAS)
def test_no_engine_import_outside_use_cases(area: str) -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files(area)
        if imports_engine(path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py")
    ]
    assert offenders == [], f"{area} must call a use case (bot/usecases), not import {ENGINE}"


@pytest.mark.parametrize("area", CODE_AREAS)
def test_only_use_cases_open_a_session(area: str) -> None:
    offenders = []
    for path in _python_files(area):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(SESSION_SCOPE_ALLOWED):
            continue
        lines = uses_session_scope(path.read_text(encoding="utf-8"))
        offenders.extend(f"{relative}:{line}" for line in lines)
    assert offenders == [], "only bot/usecases opens a transaction (session_scope)"


# ---------------------------------------------------------------- import cycles


def import_graph(package: str = "bot") -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports (``from a import b`` is a.b when that is a module)."""
    files = {_module_name(p): p for p in _python_files(package)}

    def known(name: str) -> str | None:
        parts = name.split(".")
        while parts:
            if ".".join(parts) in files:
                return ".".join(parts)
            parts.pop()
        return None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package_name = _package_of(module, path.name == "__init__.py")
        targets: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(filter(None, (known(alias.name) for alias in node.names)))
            elif isinstance(node, ast.ImportFrom):
                base = _from_module(node, package_name)
                for alias in node.names:
                    target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else known(base)
                    if target:
                        targets.add(target)
        graph[module] = targets - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan's strongly connected
    components of more than one module), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def test_the_cycle_finder_finds_loops() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"f"}, "f": {"e"}, "g": set()}
    assert cycles(graph) == [["a", "b", "c"], ["e", "f"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_sees_imports_inside_functions() -> None:
    graph = import_graph("bot")
    assert "bot.usecases.child_requests" in graph["bot.dialogue.submissions"]  # from bot.usecases import ...
    assert "bot.safeguarding.notifier" in graph["bot.web.app"]  # imported inside _notifier()


def test_bot_has_no_import_cycles() -> None:
    assert cycles(import_graph("bot")) == []
