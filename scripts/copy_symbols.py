"""Copy the OpenMoji symbols Heard uses (bot/dialogue/symbols.yml) into bot/web/static/symbols/.

Run after adding a symbol:
    npm ci --prefix scripts/symbols          # OpenMoji from the npm registry (pinned in package-lock.json)
    .venv/bin/python scripts/copy_symbols.py
Only the symbols named in symbols.yml are copied, with OpenMoji's licence (CC BY-SA 4.0); the copies are
committed, so nothing is downloaded when Heard is set up or runs.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scripts" / "symbols" / "node_modules" / "openmoji"
TARGET = ROOT / "bot" / "web" / "static" / "symbols"
REGISTRY = ROOT / "bot" / "dialogue" / "symbols.yml"


def main() -> int:
    if not (SOURCE / "color" / "svg").is_dir():
        print(f"OpenMoji is not installed: run  npm ci --prefix {SOURCE.parent.parent.relative_to(ROOT)}")
        return 1
    symbols = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))["symbols"]
    TARGET.mkdir(parents=True, exist_ok=True)
    wanted = {f"{slug}.svg" for slug in symbols}
    for stale in TARGET.glob("*.svg"):
        if stale.name not in wanted:
            stale.unlink()
    for slug, entry in symbols.items():
        shutil.copyfile(SOURCE / "color" / "svg" / f"{entry['openmoji']}.svg", TARGET / f"{slug}.svg")
    shutil.copyfile(SOURCE / "LICENSE.txt", TARGET / "LICENSE.txt")
    print(f"copied {len(symbols)} OpenMoji symbols to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
