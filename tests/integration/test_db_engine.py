"""Engine settings: SQLite pragmas, UTC timestamps, session_scope commit/rollback."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.db.engine import get_engine, session_scope
from bot.db.models import LocalAuthority


def test_engine_is_cached_per_url(engine):
    assert get_engine(str(engine.url.render_as_string(hide_password=False))) is engine
    assert get_engine() is engine  # default URL comes from HEARD_DATABASE_URL


def test_sqlite_pragmas(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_sqlite_creates_parent_folder(tmp_path):
    from bot.db.engine import dispose_engines

    url = f"sqlite:///{tmp_path / 'a' / 'b' / 'heard.db'}"
    try:
        with get_engine(url).connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
        assert (tmp_path / "a" / "b" / "heard.db").exists()
    finally:
        dispose_engines()


def test_session_scope_commits_and_rolls_back(engine):
    with session_scope(engine) as s:
        s.add(LocalAuthority(name="Kept"))
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        s.add(LocalAuthority(name="Lost"))
        s.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as s:
        names = s.execute(select(LocalAuthority.name)).scalars().all()
    assert names == ["Kept"]


def test_timestamps_come_back_aware_utc(engine):
    when = datetime(2026, 1, 2, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    with session_scope(engine) as s:
        s.add(LocalAuthority(name="Tz", created_at=when))
    with session_scope(engine) as s:
        got = s.execute(select(LocalAuthority.created_at)).scalar_one()
        older = s.execute(
            select(func.count())
            .select_from(LocalAuthority)
            .where(LocalAuthority.created_at < when + timedelta(seconds=1))
        ).scalar_one()
    assert got == when
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)
    assert older == 1


def test_savepoint_rollback_keeps_outer_transaction(engine):
    with session_scope(engine) as s:
        s.add(LocalAuthority(name="Outer"))
        s.flush()
        with pytest.raises(IntegrityError), s.begin_nested():
            s.add(LocalAuthority(name="Outer"))  # duplicate name -> IntegrityError
            s.flush()
        s.add(LocalAuthority(name="After"))
    with session_scope(engine) as s:
        names = sorted(s.execute(select(LocalAuthority.name)).scalars().all())
    assert names == ["After", "Outer"]
