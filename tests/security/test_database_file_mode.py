"""Who can read the case database on disk (issue 13 item 12): the SQLite file and its journal are 0600, the
directory Heard keeps its files in (var/: database, secret key, audio, alert spool) is 0700."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_is_private(tmp_path):
    from bot.db.engine import dispose_engines, get_engine

    directory = tmp_path / "fresh" / "var"
    database = directory / "heard.db"
    old_umask = os.umask(0o022)  # a usual umask: without care the file would be 0644
    try:
        engine = get_engine(f"sqlite:///{database}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        files = [database, *directory.glob("heard.db-*")]  # the WAL and shared-memory files too
        assert {path.name: _mode(path) for path in files} == {path.name: 0o600 for path in files}
        assert _mode(directory) == 0o700
    finally:
        os.umask(old_umask)
        dispose_engines()


def test_an_existing_readable_database_is_made_private(tmp_path):
    from bot.db.engine import dispose_engines, get_engine

    database = tmp_path / "heard.db"
    database.touch()
    database.chmod(0o644)
    try:
        with get_engine(f"sqlite:///{database}").connect() as conn:
            conn.execute(text("SELECT 1"))
        assert _mode(database) == 0o600
    finally:
        dispose_engines()


def test_the_heard_script_makes_var_private(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    result = subprocess.run([str(ROOT / "heard"), "no-such-command"], cwd=ROOT, capture_output=True, text=True,
                            env=dict(os.environ, HEARD_VAR_DIR=str(var)), timeout=60, check=False)
    assert result.returncode == 2
    assert _mode(var) == 0o700
