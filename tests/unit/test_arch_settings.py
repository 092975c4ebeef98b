"""One settings module: only bot/config.py reads the environment, and README.md's table lists every variable.

* No ``os.environ``, ``os.getenv`` (or ``from os import environ/getenv``) in any module under bot/ or
  actions/ other than bot/config.py: every other module asks ``bot.config.get_settings()``.
* README.md's Configuration section has one table; every variable bot/config.py reads is in it, and every
  variable in it is read somewhere (bot/config.py, the ./heard script, Rasa's yml files, deploy/ or the tests).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "bot" / "config.py"
PACKAGES = ("bot", "actions")
ENV_NAMES = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})
VARIABLE = re.compile(r"\b(?:HEARD|TWILIO)_[A-Z0-9_]*[A-Z0-9]\b")
# Places outside bot/config.py that may legitimately read a variable named in the table.
OTHER_READERS = ("heard", "*.yml", "deploy/*", "tests/*.py", "tests/*/*.py")


def _python_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def env_reads(tree: ast.AST) -> list[int]:
    """Line numbers where the module touches the process environment through the os module."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ENV_NAMES:
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in ENV_NAMES for alias in node.names):
                lines.append(node.lineno)
    return lines


def test_the_environment_is_read_in_bot_config_only() -> None:
    offenders = []
    for path in _python_files():
        if path == CONFIG:
            continue
        for line in env_reads(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert not offenders, "read settings through bot.config.get_settings(), not os.environ: " + ", ".join(offenders)


def test_the_check_sees_every_way_of_reading_the_environment() -> None:
    samples = {
        "import os\nos.environ.get('X')": 1,
        "import os\nos.environ['X']": 1,
        "import os\nos.getenv('X')": 1,
        "from os import environ": 1,
        "from os import getenv as g": 1,
        "import os\nos.path.join('a')": 0,
        "environ = {}\nenviron.get('X')": 0,
    }
    for source, count in samples.items():
        assert len(env_reads(ast.parse(source))) == count, source


def test_bot_config_reads_the_environment() -> None:
    assert env_reads(ast.parse(CONFIG.read_text(encoding="utf-8")))


def config_variables() -> set[str]:
    """Every HEARD_*/TWILIO_* name bot/config.py reads (its string constants)."""
    tree = ast.parse(CONFIG.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE.fullmatch(node.value)
    }


def configuration_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### Configuration")
    end = text.find("\n#", start + 1)
    return text[start:] if end == -1 else text[start:end]


def table_variables() -> list[str]:
    """The variable named in the first cell of each row of the Configuration table."""
    names = []
    for line in configuration_section().splitlines():
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 2:
            names.extend(VARIABLE.findall(cells[1]))
    return names


def other_readers_text() -> str:
    paths = {path for pattern in OTHER_READERS for path in ROOT.glob(pattern) if path.is_file()}
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(paths) if path != Path(__file__).resolve())


def test_readme_has_one_configuration_table() -> None:
    separators = [line for line in configuration_section().splitlines() if re.fullmatch(r"\|(-+\|)+", line)]
    assert len(separators) == 1
    names = table_variables()
    assert len(names) == len(set(names)), "a variable is listed twice"


def test_every_variable_heard_reads_is_in_the_readme_table() -> None:
    missing = config_variables() - set(table_variables())
    assert not missing, f"add to README.md's Configuration table: {sorted(missing)}"


def test_every_variable_the_heard_script_reads_is_in_the_readme_table() -> None:
    script = (ROOT / "heard").read_text(encoding="utf-8")
    read = set(re.findall(r"\$\{?(HEARD_[A-Z0-9_]+)", script))
    missing = read - set(table_variables())
    assert not missing, f"add to README.md's Configuration table: {sorted(missing)}"


def test_every_variable_in_the_readme_table_is_read_somewhere() -> None:
    read = config_variables() | set(VARIABLE.findall(other_readers_text()))
    unknown = set(table_variables()) - read
    assert not unknown, f"README.md lists variables nothing reads: {sorted(unknown)}"
