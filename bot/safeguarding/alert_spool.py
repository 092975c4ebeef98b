"""The spool folder for safeguarding alerts and concerns the database could not take (``var/alert-spool/``;
concerns, the check-ins and messages in another language, in its ``concerns/`` folder).

One JSON file per record, written atomically and readable only by this user. Nothing here touches the
database: ``bot.usecases.alerts`` and ``bot.usecases.concerns`` write to the spool when the database is down and
move the files into it when it is back.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.config import VAR_DIR

SPOOL_DIR = VAR_DIR / "alert-spool"
ALERT = "alert"
CONCERN = "concern"
_FOLDERS = {ALERT: "", CONCERN: "concerns"}


def _folder(kind: str) -> Path:
    return SPOOL_DIR / _FOLDERS[kind]


def spool(fields: Mapping[str, Any], kind: str = ALERT) -> Path:
    """Write one alert's (or concern's) fields to the spool; returns the file."""
    folder = _folder(kind)
    SPOOL_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    record = {**fields, "spooled_at": datetime.now(timezone.utc).isoformat()}
    path = folder / f"{uuid.uuid4().hex}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return path


def spooled(kind: str = ALERT) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each spooled alert (or concern), oldest first: its file and the fields it was raised with."""
    folder = _folder(kind)
    if not folder.exists():
        return
    for path in sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name)):
        fields = json.loads(path.read_text(encoding="utf-8"))
        fields.pop("spooled_at", None)
        yield path, fields
