"""``bench/sms_bench.py`` (issue 19) fails the run when a flow misses its target: an advocate referral not
completed, or completed in more than 12 segments, makes the bench exit non-zero. The stack, Twilio and the flows
are stood in for; ``tests/e2e/test_sms_flows.py`` runs the advocate flow for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import sms_bench


class _Twilio:
    url = "http://127.0.0.1:9"

    def shutdown(self) -> None:
        pass


class _Stack:
    def __init__(self, **_: object) -> None:
        pass

    def start(self) -> _Stack:
        return self

    def stop(self) -> None:
        pass


@pytest.mark.parametrize(("segments", "completed", "status"), [(12, True, 0), (13, True, 1), (11, False, 1)])
def test_the_bench_exits_non_zero_when_the_advocate_target_is_missed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], segments: int,
    completed: bool, status: int,
) -> None:
    monkeypatch.setenv("HEARD_DATABASE_URL", "")  # main() sets it for its stack; put back afterwards
    monkeypatch.setattr(sms_bench, "MODEL", tmp_path)  # a model that exists
    monkeypatch.setattr(sms_bench.tempfile, "mkdtemp", lambda prefix: str(tmp_path))
    monkeypatch.setattr("bot.db.migrate.upgrade", lambda url: None)
    monkeypatch.setattr(sms_bench, "FakeTwilio", _Twilio)
    monkeypatch.setattr(sms_bench, "Stack", _Stack)

    def run_flow(stack: object, twilio: object, name: str, script: list[str]) -> dict[str, object]:
        ours = name == "advocate"
        return {"flow": name, "completed": completed if ours else True, "texts": 9,
                "segments": segments if ours else 40, "baseline_texts": 10, "baseline_segments": 13,
                "no_header_segments": 8}

    monkeypatch.setattr(sms_bench, "run_flow", run_flow)
    assert sms_bench.main() == status
    out = capsys.readouterr().out
    assert ("NOT met" in out) == bool(status) and ("target missed: advocate" in out) == bool(status)
    assert "wishes" in out and "target missed: advocate," not in out, "only flows with a target can fail it"
