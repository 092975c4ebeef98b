"""Database fixtures shared by the tests.

``HEARD_DATABASE_URL`` chooses the database: unset = a temporary SQLite file per test; a PostgreSQL URL
(e.g. ``postgresql+psycopg2://postgres@127.0.0.1:5432/test``) = a fresh schema per test, dropped after.
Every test gets its own database migrated to head with Alembic: the migrations run once per session into a
template (a SQLite file; a PostgreSQL database), and each test that uses ``engine`` gets a copy of it (a file copy;
``CREATE DATABASE ... TEMPLATE``), the same schema in a few milliseconds instead of the whole chain each time. A
test that uses ``db_url`` without ``engine`` gets an empty database (tests/integration/test_migrations.py runs the
migrations up and down there).

Fixtures: ``db_url`` (empty database, also set as ``HEARD_DATABASE_URL``), ``engine`` (migrated),
``session`` (a Session on it; commit yourself), ``people`` (council + staff), ``make_child`` (factory).
Tests using ``db_url`` are marked ``db`` automatically. On SQLite writers queue (BEGIN IMMEDIATE): commit
``session`` before writing through another ``session_scope(engine)`` or the second waits 5 s and fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

BASE_DATABASE_URL = os.environ.get("HEARD_DATABASE_URL") or None
# Every test process (and every server a test starts) uses this key, never a developer's own: 32 random bytes
# as 64 hex characters, the form bot/keys.py accepts (it refuses a missing, short or made-up key).
TEST_SECRET_KEY = "3c5e8a1f9b2d47e6a0c4f81d2b6e9a3c7f05d8b1e4a92c6f3d7b0e5a8c1f4d29"
os.environ["HEARD_SECRET_KEY"] = TEST_SECRET_KEY


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: uses the case database (also run on PostgreSQL by ./heard test)")
    config.addinivalue_line("markers", "database_only_scaffolding: the module's database fixture is there only for "
                            "the servers under test to start: its tests run once, on SQLite, except those asking "
                            "for session, people, make_child or demo (marked db)")


# A test asking for one of these reads or writes the database itself.
DATABASE_FIXTURES = frozenset({"session", "people", "make_child", "demo"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that uses a database fixture is marked ``db`` (``./heard test`` reruns those on PG), unless its
    module says the database is only scaffolding (``database_only_scaffolding``) and the test asks for none of
    ``DATABASE_FIXTURES``."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "db_url" not in names or item.get_closest_marker("db"):
            continue
        if not item.get_closest_marker("database_only_scaffolding") or names & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.db)


def _pg_schema_url(base: str, schema: str) -> str:
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _pg_database_url(base: str, database: str) -> str:
    return make_url(base).set(database=database).render_as_string(hide_password=False)


def _on_postgres() -> bool:
    return bool(BASE_DATABASE_URL) and make_url(BASE_DATABASE_URL).get_backend_name() == "postgresql"


# URLs of test databases copied from the migrated template: ``engine`` does not migrate them again.
_COPIED_FROM_TEMPLATE: set[str] = set()


def _drop_database(admin: Engine, database: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per session, never used by a test itself: the path of a SQLite file, or
    the name of a PostgreSQL database (dropped at the end). ``db_url`` copies it for each test using ``engine``."""
    from bot.db.engine import dispose_engines
    from bot.db.migrate import upgrade

    if _on_postgres():
        name = f"heard_tmpl_{uuid.uuid4().hex[:12]}"
        admin = create_engine(BASE_DATABASE_URL, future=True, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            upgrade(_pg_database_url(BASE_DATABASE_URL, name))
            dispose_engines()  # CREATE DATABASE ... TEMPLATE needs the template to have no connection
            yield name
        finally:
            dispose_engines()
            _drop_database(admin, name)
            admin.dispose()
    else:
        path = tmp_path_factory.mktemp("migrated-template") / "heard-template.db"
        upgrade(f"sqlite:///{path}")
        dispose_engines()  # the last connection closed: the WAL is checkpointed into the file and removed
        assert not Path(f"{path}-wal").exists()
        yield str(path)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> Iterator[str]:
    """URL of a database for this test (also put in ``HEARD_DATABASE_URL``): a copy of ``migrated_template`` when
    the test uses ``engine``, else an empty one."""
    from bot.db.engine import dispose_engines

    monkeypatch.setenv("HEARD_SECRET_KEY", TEST_SECRET_KEY)
    for name in ("HEARD_NOTIFY_WEBHOOK", "HEARD_SMTP_HOST", "HEARD_SMTP_TO", "HEARD_SMTP_FROM"):
        monkeypatch.delenv(name, raising=False)
    template = request.getfixturevalue("migrated_template") if "engine" in request.fixturenames else None
    if _on_postgres():
        admin = create_engine(BASE_DATABASE_URL, future=True, isolation_level="AUTOCOMMIT")
        if template:
            database = f"heard_t_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
            url = _pg_database_url(BASE_DATABASE_URL, database)
            _COPIED_FROM_TEMPLATE.add(url)
        else:
            schema = f"heard_t_{uuid.uuid4().hex[:12]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = _pg_schema_url(BASE_DATABASE_URL, schema)
        monkeypatch.setenv("HEARD_DATABASE_URL", url)
        try:
            yield url
        finally:
            _COPIED_FROM_TEMPLATE.discard(url)
            dispose_engines()
            if template:
                _drop_database(admin, database)
            else:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    else:
        path = tmp_path / "heard-test.db"
        url = f"sqlite:///{path}"
        if template:
            shutil.copyfile(template, path)
            path.chmod(0o600)  # as bot/db/engine.py makes a database file: this user only
            _COPIED_FROM_TEMPLATE.add(url)
        monkeypatch.setenv("HEARD_DATABASE_URL", url)
        try:
            yield url
        finally:
            _COPIED_FROM_TEMPLATE.discard(url)
            dispose_engines()


@pytest.fixture
def engine(db_url: str) -> Engine:
    """The engine of a database migrated to head (a copy of ``migrated_template``, else migrated here)."""
    from bot.db.engine import get_engine
    from bot.db.migrate import upgrade

    if db_url not in _COPIED_FROM_TEMPLATE:
        upgrade(db_url)
    return get_engine(db_url)


@pytest.fixture
def demo(engine: Engine) -> dict:
    """The demo council, staff and children (``bot.services.seed``), committed."""
    from bot.db.engine import session_scope
    from bot.services.seed import seed_demo

    with session_scope(engine) as s:
        return seed_demo(s)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated test database. Tests commit explicitly when they need to."""
    s = Session(bind=engine, future=True, expire_on_commit=False)
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture
def people(session: Session) -> dict:
    """A local authority, a social worker, an IRO and an advocacy worker (committed)."""
    from bot.db.models import LocalAuthority, StaffUser

    la = LocalAuthority(name="Test Borough Council")
    session.add(la)
    session.flush()
    staff = {}
    for username, role in (("sw.test", "social_worker"), ("iro.test", "iro"), ("adv.test", "advocacy")):
        user = StaffUser(username=username, display_name=username, role=role, local_authority_id=la.id)
        session.add(user)
        staff[role] = user
    session.commit()
    return {"la": la, **staff}


@pytest.fixture
def make_child(session: Session, people: dict):
    """Factory: ``make_child(name="Sam", phone=None)`` -> committed Child."""
    from bot.services.children import create_child

    def _make(name: str = "Sam", age_band: str = "11-13", phone: str | None = None):
        child = create_child(
            session,
            chosen_name=name,
            age_band=age_band,
            local_authority_id=people["la"].id,
            social_worker_id=people["social_worker"].id,
            iro_id=people["iro"].id,
            phone=phone,
            actor="staff:sw.test",
        )
        session.commit()
        return child

    return _make
