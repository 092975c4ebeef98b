"""Every promise the bot makes names the code that keeps it (issue 15 item 8), and that code runs in the flow that
says the line.

A line with ``kept_by: [a, b, ...]`` in ``bot/dialogue/messages.yml``:
* every name imports and is callable (a missing or renamed function fails here);
* the modules that say the line (an action or a dialogue module naming the message; or ``kept_in:`` when the
  promise is kept later, by another flow) call the first name, resolved through their imports;
* each further name is called by the code of an earlier one (or by those modules): a chain from the words to the
  record that makes them true.
Plus: every line that promises in the words the issue names ("will get in touch", "I told", "only the people you
picked"...) has a ``kept_by``, and the checker fails on a made-up entry.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from bot.dialogue.messages import catalogue, is_translation, kept_by, kept_in

ROOT = Path(__file__).resolve().parents[2]
SAYER_AREAS = ("actions", "bot")  # the chat's actions, and code that writes to a child (e.g. bot/services/outreach.py)
# Words that promise something a person or the code will do. A line using them says what keeps it.
PROMISE = re.compile(
    r"\b(will (get in touch|talk to you|plan|see|ask you first|ask you\.|read (what|your)|call|be told|be asked"
    r"|try to reach)|is sent to|are sent\.|i told|i sent|i send|only the people you picked|aims? to|a person reads"
    r"|saved your|wrote it down|i asked for|must (tell|answer))\b",
    re.I,
)


def resolve(obj_path: str) -> object:
    module_name, _, attr = obj_path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise AssertionError(f"{obj_path}: cannot import {module_name}: {error}") from error
    if not hasattr(module, attr):
        raise AssertionError(f"{obj_path}: {module_name} has no {attr}")
    return getattr(module, attr)


def _imports(tree: ast.AST, package: str) -> dict[str, str]:
    """local name -> the dotted name it stands for, from a module's imports (anywhere in it)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                names[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def referenced(source: str, module_name: str, *, extra_imports: dict[str, str] | None = None) -> set[str]:
    """Every dotted name the code refers to, resolved through its imports (``child_requests.submit_referral`` in a
    module that did ``from bot.usecases import child_requests`` is ``bot.usecases.child_requests.submit_referral``;
    a name defined in the module itself is ``<module>.<name>``)."""
    tree = ast.parse(textwrap.dedent(source))
    imports = {**(extra_imports or {}), **_imports(tree, module_name.rpartition(".")[0])}
    found: set[str] = set()
    for node in ast.walk(tree):
        dotted = _dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if not dotted:
            continue
        head, _, rest = dotted.partition(".")
        base = imports.get(head, f"{module_name}.{head}")
        found.add(f"{base}.{rest}" if rest else base)
    return found


def _module_source(module_name: str) -> str:
    return inspect.getsource(importlib.import_module(module_name))


def sayers(name: str) -> list[str]:
    """The modules (actions, bot) that name the message ``name`` in their code."""
    out = []
    for area in SAYER_AREAS:
        for path in sorted((ROOT / area).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if f'"{name}"' in text or f"'{name}'" in text:
                out.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return out


def check_promise(name: str, chain: tuple[str, ...], keepers: list[str]) -> list[str]:
    """Problems with one line's ``kept_by`` chain (empty when the chain is real)."""
    if not keepers:
        return [f"{name}: no action or dialogue module says it, so nothing can keep its promise"]
    problems = []
    known: set[str] = set()
    for module_name in keepers:
        known |= referenced(_module_source(module_name), module_name)
    for position, path in enumerate(chain):
        try:
            obj = resolve(path)
        except AssertionError as error:
            problems.append(str(error))
            continue
        if not callable(obj):
            problems.append(f"{name}: {path} is not callable")
            continue
        module = inspect.getmodule(obj)
        calls: set[str] = set()
        if module is not None:
            module_imports = _imports(ast.parse(inspect.getsource(module)), module.__name__.rpartition(".")[0])
            try:
                calls = referenced(inspect.getsource(obj), module.__name__, extra_imports=module_imports)
            except (OSError, TypeError):
                calls = set()
        # In the flow: called by the code that says the line (or an earlier link), part of that code itself, or
        # the code that runs it (a use case that calls the service that writes the line to the child).
        in_flow = (path in known or (module is not None and module.__name__ in keepers)
                   or any(c.startswith(f"{k}.") for c in calls for k in keepers))
        if not in_flow:
            where = " or ".join(keepers) if position == 0 else f"{' / '.join(chain[:position])} or {keepers}"
            problems.append(f"{name}: {path} is never called by {where}")
        known |= calls
    return problems


def promises() -> list[str]:
    return [name for name in catalogue() if kept_by(name)]


def test_promise_lines_are_marked():
    assert len(promises()) >= 10


@pytest.mark.parametrize("name", promises())
def test_the_code_that_keeps_each_promise_exists_and_runs_where_the_line_is_said(name):
    keepers = [kept_in(name)] if kept_in(name) else sayers(name)
    problems = check_promise(name, kept_by(name), keepers)
    assert not problems, "\n".join(problems)


def test_every_line_that_promises_says_what_keeps_it():
    missing = []
    for name, entry in catalogue().items():
        if is_translation(name) or kept_by(name):
            continue
        for key in ("text", "simple", "older"):
            if entry.get(key) and PROMISE.search(entry[key]):
                missing.append(f"{name}.{key}: {entry[key]!r}")
    assert not missing, "promises with no kept_by:\n" + "\n".join(missing)


def test_the_checker_fails_on_missing_or_unused_code():
    assert check_promise("referral_sent", ("bot.usecases.child_requests.no_such_function",),
                         ["bot.dialogue.submissions"])
    assert check_promise("referral_sent", ("bot.no_such_module.submit",), ["bot.dialogue.submissions"])
    # Real code that the flow saying the line never calls.
    assert check_promise("referral_sent", ("bot.usecases.child_requests.withdraw_sent",), ["bot.dialogue.submissions"])
    assert check_promise("referral_sent", ("bot.usecases.child_requests.submit_referral",), []) != []
    # And passes the real chain.
    assert check_promise("referral_sent", ("bot.usecases.child_requests.submit_referral",
                                           "bot.services.referrals.submit_referral"),
                         ["bot.dialogue.submissions"]) == []
