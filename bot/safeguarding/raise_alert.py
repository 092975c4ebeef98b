"""Record a safeguarding alert so that a person is told; never lose it, even with the database down.

If the case database cannot take the alert, it is written to a spool folder on disk
(`var/alert-spool/`) and moved into the database by `flush_spool()` when it is back
(the web side's notifier loop calls it every few seconds).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.config import VAR_DIR
from bot.db.engine import session_scope
from bot.services import alerts

logger = logging.getLogger(__name__)
SPOOL_DIR = VAR_DIR / "alert-spool"


def record_alert(*, conversation_id: str, child_id: str | None, channel: str, text: str,
                 category: str | None, cue: str | None) -> str:
    """Store the alert (and its notifications); returns 'stored' or 'spooled'."""
    fields = dict(conversation_id=conversation_id, child_id=child_id, channel=channel, text=text,
                  category=category, cue=cue)
    try:
        with session_scope() as session:
            alerts.raise_alert(session, **fields)
        return "stored"
    except SQLAlchemyError as error:
        logger.error("safeguarding alert spooled to disk, database unavailable: %s", type(error).__name__)
        _spool(fields)
        return "spooled"


def _spool(fields: dict[str, Any]) -> Path:
    SPOOL_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    fields = {**fields, "spooled_at": datetime.now(timezone.utc).isoformat()}
    path = SPOOL_DIR / f"{uuid.uuid4().hex}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(fields), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return path


def flush_spool() -> int:
    """Move spooled alerts into the database; returns how many were moved."""
    if not SPOOL_DIR.exists():
        return 0
    moved = 0
    for path in sorted(SPOOL_DIR.glob("*.json")):
        fields = json.loads(path.read_text(encoding="utf-8"))
        fields.pop("spooled_at", None)
        try:
            with session_scope() as session:
                alerts.raise_alert(session, **fields)
        except SQLAlchemyError:
            break
        path.unlink()
        moved += 1
    return moved
