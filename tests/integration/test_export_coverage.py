"""Subject access (issue 17): every table that can hold data about a child is in the export, or listed as
holding nothing about a child with a reason; the tracker store's transcripts are exported too."""

from __future__ import annotations

import json

from sqlalchemy import insert

from bot.db.engine import session_scope
from bot.db.models import metadata
from bot.db.tracker_db import tracker_scope
from bot.services import alerts, children, export, legal_holds, referrals, transcripts
from bot.usecases.subject_access import export_child_record


def test_every_table_is_exported_or_explained():
    uncovered = []
    for table in metadata.sorted_tables:
        if table.name in export.NAMED:
            continue
        if table.name in export.NOT_ABOUT_A_CHILD:
            assert len(export.NOT_ABOUT_A_CHILD[table.name]) > 10, table.name
            continue
        has_child = "child_id" in table.c
        parents = {fk.column.table.name for fk in table.foreign_keys}
        if not has_child and not parents & (export.NAMED | {t.name for t in export.generic_tables()}):
            uncovered.append(table.name)
    assert uncovered == [], f"tables neither exported nor explained: {uncovered}"
    assert set(export.NOT_ABOUT_A_CHILD) <= set(metadata.tables), "an explained table no longer exists"


def test_export_holds_records_of_every_kind_and_the_transcript(engine, make_child):
    child = make_child()
    with session_scope(engine) as s:
        children.link_conversation(s, "conv-7", child.id, "web")
        referrals.submit_referral(
            s, idempotency_key="r", conversation_id="conv-7", child_id=child.id, reason="other",
            words="i want to see my brother", contact_how=None, contact_when=None, tell_social_worker=False,
        )
        alerts.raise_alert(s, conversation_id="conv-7", child_id=child.id, channel="web", text="scared",
                           category="risk", cue=None)
        legal_holds.place_hold(s, child.id, "court case", "staff:admin")
    with tracker_scope() as conn:
        transcripts.EVENTS.create(conn, checkfirst=True)
        for sender, words in (("conv-7", "hello heard 07700 900123"), ("someone-else", "not this child")):
            conn.execute(insert(transcripts.EVENTS).values(
                sender_id=sender, type_name="user", timestamp=1.0,
                data=json.dumps({"event": "user", "text": transcripts.mask_contacts(words)}),
            ))
    data = export_child_record(child.id, "staff:admin")
    dumped = json.dumps(data, ensure_ascii=False)
    assert "i want to see my brother" in dumped and data["safeguarding_alerts"][0]["text"] == "scared"
    assert data["legal_holds"][0]["reason"] == "court case"
    assert data["transcripts"] == [
        {"conversation": 1, "messages": [{"who": "child", "at": None, "text": "hello heard [phone number]"}]}
    ]
    assert "not this child" not in dumped and "conv-7" not in dumped
    assert "NOT COVERED" not in dumped
    assert set(data["other_records"]) == {t.name for t in export.generic_tables()}


def test_cli_export_writes_a_pdf_and_purge_dry_run_deletes_nothing(engine, make_child, tmp_path, capsys):
    from bot import cli
    from bot.db.models import AdvocacyReferral

    child = make_child()
    with session_scope(engine) as s:
        referrals.submit_referral(
            s, idempotency_key="r", conversation_id="c", child_id=child.id, reason="other",
            words="Żółw likes school", contact_how=None, contact_when=None, tell_social_worker=False,
        )
    pdf = tmp_path / "export.pdf"
    assert cli.main(["export", "--child", child.id, "--pdf", str(pdf)]) == 0
    assert json.loads(capsys.readouterr().out)["advocacy_referrals"][0]["words"] == "Żółw likes school"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    assert cli.main(["purge", "--dry-run"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dry_run"] is True and out["would_delete"]["Test Borough Council"]["advocacy_referrals"] == 0
    with session_scope(engine) as s:
        assert s.query(AdvocacyReferral).count() == 1
