"""Attacks on the audit trail (issue 13 item 12): rows chained by a keyed hash, so an edit, a deletion or a
forged row is found by ``python -m bot.cli verify-audit``.

The append-only triggers stop the application and a careless administrator. These tests play someone who
goes round them: on SQLite whoever can write the database file drops the trigger first; on PostgreSQL the
table's owner disables it. Without the "audit-chain" key they cannot make the hashes agree again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.cli import main
from bot.db.engine import session_scope
from bot.services import audit


def _is_postgres(db_url: str) -> bool:
    return make_url(db_url).get_backend_name() == "postgresql"


def _write_events(engine, count: int, per_transaction: int = 1) -> None:
    for i in range(count):
        with session_scope(engine) as s:
            for j in range(per_transaction):
                audit.record(s, "staff:sw.test", "read", "child", f"c{i}-{j}", {"screen": "record"})


def _as_attacker(engine, db_url: str, statement: str) -> None:
    """Run ``statement`` with the append-only triggers out of the way, as someone with database access."""
    if _is_postgres(db_url):
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        return
    raw = sqlite3.connect(make_url(db_url).database)  # straight to the file, not through Heard
    try:
        raw.execute("DROP TRIGGER IF EXISTS trg_audit_events_no_update")
        raw.execute("DROP TRIGGER IF EXISTS trg_audit_events_no_delete")
        raw.execute(statement)
        raw.commit()
    finally:
        raw.close()


def _verify(capsys) -> tuple[int, str]:
    code = main(["verify-audit"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _ids(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM audit_events ORDER BY id")).scalars())


# --- an intact chain ---------------------------------------------------------------------------------------------


def test_an_untouched_trail_verifies(engine, capsys):
    _write_events(engine, 5, per_transaction=2)
    code, out = _verify(capsys)
    assert code == 0, out
    assert "10 rows, chain intact" in out


def test_an_empty_trail_verifies(engine, capsys):
    code, out = _verify(capsys)
    assert code == 0 and "0 rows, chain intact" in out


def test_a_rolled_back_savepoint_does_not_break_the_chain(engine, capsys):
    with session_scope(engine) as s:
        audit.record(s, "system", "create", "thing", 1)
        s.flush()
        savepoint = s.begin_nested()
        audit.record(s, "system", "create", "thing", 2)
        s.flush()
        savepoint.rollback()
        audit.record(s, "system", "create", "thing", 3)
    code, out = _verify(capsys)
    assert code == 0 and "2 rows, chain intact" in out, out


def test_the_triggers_still_refuse_an_update_of_the_chain(engine):
    _write_events(engine, 1)
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET row_hash = :h"), {"h": "0" * 64})


# --- edits, deletions, forgeries ------------------------------------------------------------------------------


def test_an_edited_row_is_found_and_named(engine, db_url, capsys):
    _write_events(engine, 6)
    target = _ids(engine)[3]
    _as_attacker(engine, db_url, f"UPDATE audit_events SET actor = 'staff:someone.else' WHERE id = {target}")
    code, out = _verify(capsys)
    assert code == 1, out
    assert f"row {target}" in out and "chain intact" not in out


def test_an_edit_that_recomputes_an_unkeyed_hash_is_found(engine, db_url, capsys):
    """The attacker rewrites the detail and fills in a plain SHA-256 of the row (they do not have the key)."""
    _write_events(engine, 4)
    target = _ids(engine)[1]
    forged = hashlib.sha256(json.dumps({"detail": "nothing to see"}).encode()).hexdigest()
    _as_attacker(engine, db_url,
                 f"UPDATE audit_events SET detail = 'nothing to see', row_hash = '{forged}' WHERE id = {target}")
    code, out = _verify(capsys)
    assert code == 1 and f"row {target}" in out, out


def test_a_deleted_row_is_found(engine, db_url, capsys):
    _write_events(engine, 6)
    ids = _ids(engine)
    _as_attacker(engine, db_url, f"DELETE FROM audit_events WHERE id = {ids[2]}")
    code, out = _verify(capsys)
    assert code == 1, out
    assert f"row {ids[3]}" in out and "missing" in out


def test_deleting_the_first_row_is_found(engine, db_url, capsys):
    _write_events(engine, 3)
    ids = _ids(engine)
    _as_attacker(engine, db_url, f"DELETE FROM audit_events WHERE id = {ids[0]}")
    code, out = _verify(capsys)
    assert code == 1 and f"row {ids[1]}" in out, out


def test_a_forged_row_appended_with_raw_sql_is_found(engine, capsys):
    """INSERT is allowed by the triggers, so no need to go round them: but the hash cannot be made."""
    _write_events(engine, 3)
    with engine.begin() as conn:
        last = conn.execute(text("SELECT row_hash FROM audit_events ORDER BY id DESC LIMIT 1")).scalar_one()
        conn.execute(
            text("INSERT INTO audit_events (actor, action, entity_type, entity_id, at, detail, prev_hash, row_hash) "
                 "VALUES ('staff:sw.test', 'read', 'child', 'c0', CURRENT_TIMESTAMP, NULL, :prev, :row)"),
            {"prev": last, "row": hashlib.sha256(b"forged").hexdigest()},
        )
    code, out = _verify(capsys)
    assert code == 1 and f"row {_ids(engine)[-1]}" in out, out


def test_two_rows_swapped_are_found(engine, db_url, capsys):
    _write_events(engine, 4)
    a, b = _ids(engine)[1:3]
    _as_attacker(engine, db_url, f"UPDATE audit_events SET id = -1 WHERE id = {a}")
    _as_attacker(engine, db_url, f"UPDATE audit_events SET id = {a} WHERE id = {b}")
    _as_attacker(engine, db_url, f"UPDATE audit_events SET id = {b} WHERE id = -1")
    code, out = _verify(capsys)
    assert code == 1 and f"row {a}" in out, out


def test_a_whole_chain_rebuilt_with_another_key_is_found(engine, db_url, capsys, monkeypatch):
    """The attacker edits a row and then rebuilds every hash after it, consistently, with a key of their own
    (the chain's method is public; the key is not)."""
    import secrets

    from sqlalchemy import select

    from bot.db.models import AuditEvent
    from bot.services.audit_chain import GENESIS, row_hash

    _write_events(engine, 4)
    real_key = os.environ["HEARD_SECRET_KEY"]
    monkeypatch.setenv("HEARD_SECRET_KEY", secrets.token_hex(32))  # the attacker's key
    with engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(select(AuditEvent.__table__).order_by("id")).mappings()]
    rows[1]["actor"] = "staff:someone.else"
    prev = GENESIS
    for row in rows:
        digest = row_hash(row, prev)
        _as_attacker(engine, db_url, f"UPDATE audit_events SET actor = '{row['actor']}', prev_hash = '{prev}', "
                                     f"row_hash = '{digest}' WHERE id = {row['id']}")
        prev = digest
    monkeypatch.setenv("HEARD_SECRET_KEY", real_key)
    code, out = _verify(capsys)
    assert code == 1 and f"row {rows[0]['id']}" in out and "HEARD_SECRET_KEY" in out, out


# --- writers at once ----------------------------------------------------------------------------------------


def test_concurrent_writers_never_fork_the_chain(engine, db_url, capsys):
    """Eight writers at once (each its own transaction, several rows each): one chain, no two rows after the
    same row. On PostgreSQL the advisory lock serialises them; on SQLite the writer lock does."""
    writers, transactions, per_transaction = 8, 6, 3
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            start.wait()
            for t in range(transactions):
                with session_scope(engine) as s:
                    for r in range(per_transaction):
                        audit.record(s, f"staff:w{n}", "read", "child", f"{n}-{t}-{r}")
                        s.flush()
                        time.sleep(0.002)  # hold the transaction open: a second writer must wait, not fork
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    total = writers * transactions * per_transaction
    with engine.connect() as conn:
        prevs = conn.execute(text("SELECT count(DISTINCT prev_hash), count(*) FROM audit_events")).one()
    assert tuple(prevs) == (total, total)  # a fork would give two rows the same prev_hash
    code, out = _verify(capsys)
    assert code == 0 and f"{total} rows, chain intact" in out, out


# --- rows written before the chain existed ---------------------------------------------------------------------


def test_rows_from_before_migration_0005_are_chained_by_it(db_url, capsys):
    from bot.db.engine import get_engine
    from bot.db.migrate import downgrade, upgrade

    upgrade(db_url, "0004")
    engine = get_engine(db_url)
    with engine.begin() as conn:
        for i in range(7):
            conn.execute(
                text("INSERT INTO audit_events (actor, action, entity_type, entity_id, at, detail) "
                     "VALUES ('system', 'create', 'thing', :i, :at, :d)"),
                {"i": str(i), "at": f"2026-01-0{i + 1} 10:00:00.{i:06d}", "d": None if i % 2 else '{"a": 1}'},
            )
    upgrade(db_url)
    _write_events(engine, 2)
    code, out = _verify(capsys)
    assert code == 0 and "9 rows, chain intact" in out, out
    downgrade(db_url, "0004")  # back down: the append-only triggers still hold
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    upgrade(db_url)
    code, out = _verify(capsys)
    assert code == 0 and "9 rows, chain intact" in out, out
