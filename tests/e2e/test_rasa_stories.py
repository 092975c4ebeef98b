"""Rasa's own story test: every flow, button path, digression, stop and mid-form disclosure
(tests/stories/test_stories.yml, made by scripts/make_test_stories.py) predicted exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.make_test_stories import build
from tests.stack import MODEL, ROOT, base_env

STORIES = ROOT / "tests" / "stories" / "test_stories.yml"


def test_story_file_is_current() -> None:
    assert STORIES.read_text(encoding="utf-8") == build(), "run python scripts/make_test_stories.py"


def test_rules_file_is_current() -> None:
    from scripts.make_rules import build_rules

    assert (ROOT / "data/rules/rules.yml").read_text(encoding="utf-8") == build_rules()


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train")
def test_every_story_predicted(tmp_path: Path) -> None:
    rasa = Path(sys.executable).with_name("rasa")
    proc = subprocess.run(
        [str(rasa), "test", "core", "--stories", str(STORIES), "--model", str(MODEL), "--out", str(tmp_path),
         "--no-plot"],
        cwd=ROOT, env=base_env(), capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((tmp_path / "story_report.json").read_text())
    failed = tmp_path / "failed_test_stories.yml"
    failures = failed.read_text() if failed.exists() else ""
    assert "story:" not in failures, failures[:4000]
    assert report["conversation_accuracy"]["accuracy"] == 1.0
