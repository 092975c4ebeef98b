"""The spool folder for safeguarding alerts the database could not take (``var/alert-spool/``).

One JSON file per alert, written atomically and readable only by this user. Nothing here touches the
database: ``bot.usecases.alerts`` writes to the spool when the database is down and moves the files into
it when it is back.
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


def spool(fields: Mapping[str, Any]) -> Path:
    """Write one alert's fields to the spool; returns the file."""
    SPOOL_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    record = {**fields, "spooled_at": datetime.now(timezone.utc).isoformat()}
    path = SPOOL_DIR / f"{uuid.uuid4().hex}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return path


def spooled() -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each spooled alert, oldest name first: its file and the fields it was raised with."""
    if not SPOOL_DIR.exists():
        return
    for path in sorted(SPOOL_DIR.glob("*.json")):
        fields = json.loads(path.read_text(encoding="utf-8"))
        fields.pop("spooled_at", None)
        yield path, fields
