"""Benchmark of the safeguarding harm detector on the labelled set.

Run from the repo root:  python bench/safeguarding_bench.py
Prints recall, false-alarm rate, per-category counts and mean/p95 detection time (ms).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "tests" / "data" / "safeguarding_labelled.yml"


def main() -> int:
    if str(REPO_ROOT) not in sys.path:  # run as a script from the repo root
        sys.path.insert(0, str(REPO_ROOT))
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


if __name__ == "__main__":
    raise SystemExit(main())
