"""Check the audit trail's hash chain (``python -m bot.cli verify-audit``)."""

from __future__ import annotations

from bot.db.engine import session_scope
from bot.services.audit_chain import ChainCheck, verify_page


def verify_audit_chain() -> ChainCheck:
    """Walk the whole chain in id order, a page per transaction (on SQLite each holds the writer lock only
    briefly, so children's messages are not held up); stops at the first broken row."""
    walk = ChainCheck()
    more = True
    while more:
        with session_scope() as session:
            more = verify_page(session, walk)
    return walk
