"""Safeguarding figures (issue 14): what a child gets through the running pipeline, then the lexicon alone.

Run from the repo root:  python bench/safeguarding_bench.py [--part dev|frozen|both] [--lexicon-only]

1. The pipeline (``bench/safeguarding_pipeline.py``): the evaluation set's messages (tests/data/safeguarding_eval,
   written by independent writers) through a running stack (Rasa REST with the trained model, the action server,
   a migrated SQLite database), each in a fresh conversation, 8 at a time: the tier of the reply each child got
   (clear answer / check-in / nothing) and whether an alert row or a concern row was written. Then one
   conversation's reply latency (p50/p95, ``./heard bench`` style). ``HEARD_TEST_MODEL`` picks another model.
   By default only the development part (the one used to choose); the frozen part is scored, never tuned on.
2. The lexicon alone on the same part (the figure this bench used to print), and on the labelled regression set
   (tests/data/safeguarding_labelled.yml: recall, false alarms, per-category counts and detection time), the
   check for a lexicon change (see lexicon.yml, "HOW TO PROPOSE A CHANGE").
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "tests" / "data" / "safeguarding_labelled.yml"


def labelled_set() -> int:
    """The lexicon alone on the labelled regression set."""
    from bot.safeguarding.detector import get_detector
    from bot.safeguarding.lexicon import CATEGORIES

    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    disclosures: list[dict] = data["disclosures"]
    benign: list[str] = data["benign"]

    t0 = time.perf_counter()
    detector = get_detector()
    build_ms = (time.perf_counter() - t0) * 1000

    texts = [d["text"] for d in disclosures] + benign
    for text in texts[:50]:  # warm-up
        detector.detect(text)

    timings: list[float] = []
    results = []
    for text in texts:
        started = time.perf_counter()
        results.append(detector.detect(text))
        timings.append((time.perf_counter() - started) * 1000)

    dis_results = results[: len(disclosures)]
    ben_results = results[len(disclosures):]

    per_cat_total: Counter[str] = Counter(d["category"] for d in disclosures)
    per_cat_hit: Counter[str] = Counter()
    per_cat_exact: Counter[str] = Counter()
    misses = []
    for d, r in zip(disclosures, dis_results, strict=True):
        if r.is_harm:
            per_cat_hit[d["category"]] += 1
            if r.category == d["category"]:
                per_cat_exact[d["category"]] += 1
        else:
            misses.append(d)
    alarms = [(t, r) for t, r in zip(benign, ben_results, strict=True) if r.is_harm]

    recall = sum(per_cat_hit.values()) / len(disclosures)
    far = len(alarms) / len(benign)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]

    print(f"Labelled set: {len(disclosures)} disclosures, {len(benign)} benign look-alikes")
    print(f"Detector build: {build_ms:.0f} ms")
    print(f"Recall:           {recall:.1%} ({sum(per_cat_hit.values())}/{len(disclosures)})")
    print(f"False-alarm rate: {far:.1%} ({len(alarms)}/{len(benign)})")
    print(f"Category agreement: {sum(per_cat_exact.values()) / len(disclosures):.1%}")
    print()
    print(f"{'category':<14}{'labelled':>9}{'detected':>10}{'same cat':>10}")
    for cat in CATEGORIES:
        print(f"{cat:<14}{per_cat_total[cat]:>9}{per_cat_hit[cat]:>10}{per_cat_exact[cat]:>10}")
    print()
    print(f"Detection time over {len(texts)} messages: mean {statistics.fmean(timings):.3f} ms, "
          f"p95 {p95:.3f} ms, max {timings[-1]:.3f} ms")
    if misses:
        print("\nMissed disclosures:")
        for d in misses:
            print(f"  [{d['category']}] {d['text']}")
    if alarms:
        print("\nFalse alarms:")
        for text, r in alarms:
            print(f"  [{r.category}: {r.cue}] {text}")
    return 0


def pipeline(parts: list[str]) -> None:
    """The evaluation parts through a running stack, then one conversation's reply latency."""
    import os
    import secrets
    import tempfile

    from bench import safeguarding_pipeline as sp
    from bench.run_bench import HEARD_SCRIPT, load, script_sends
    from bot.db.migrate import upgrade
    from tests.stack import MODEL, Stack

    os.environ.setdefault("HEARD_SECRET_KEY", secrets.token_hex(32))  # the stack and this process share it
    with tempfile.TemporaryDirectory(prefix="heard-sg-bench-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'heard.db'}"
        upgrade(db_url)
        print(f"Model: {MODEL}")
        stack = Stack(database_url=db_url, log_dir=Path(tmp) / "logs").start()
        try:
            for part in parts:
                everyday, disclosures = sp.load_part(part)
                started = time.perf_counter()
                outcomes = sp.run(stack.say, db_url, [r["text"] for r in everyday + disclosures])
                print(sp.report(part, outcomes[: len(everyday)], outcomes[len(everyday):]))
                print(f"  ({len(outcomes)} messages in {time.perf_counter() - started:.0f} s)")
                missed = sp.missed_targets(sp.figures(outcomes[: len(everyday)], outcomes[len(everyday):]))
                print(f"  targets missed: {', '.join(missed)}" if missed else "  all targets met")
            if not asyncio.run(script_sends(stack.url)):
                raise RuntimeError("HEARD_SCRIPT no longer sends its referral: fix the script before timing it")
            one = asyncio.run(load(stack.url, HEARD_SCRIPT, conversations=15, concurrency=1))
            print(f"One conversation at a time: p50 {one['p50_ms']:.0f} ms, p95 {one['p95_ms']:.0f} ms "
                  f"over {one['replies']} replies (target p95 <= 100 ms)")
        finally:
            stack.stop()


def main() -> int:
    if str(REPO_ROOT) not in sys.path:  # run as a script from the repo root
        sys.path.insert(0, str(REPO_ROOT))
    from bench import safeguarding_pipeline as sp

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["dev", "frozen", "both"], default="dev")
    parser.add_argument("--lexicon-only", action="store_true", help="no stack: the lexicon figures only")
    args = parser.parse_args()
    parts = ["dev", "frozen"] if args.part == "both" else [args.part]
    if not args.lexicon_only:
        pipeline(parts)
        print()
    for part in parts:
        print(sp.lexicon_report(part, sp.lexicon_only(*sp.load_part(part))))
    print()
    return labelled_set()


if __name__ == "__main__":
    raise SystemExit(main())
