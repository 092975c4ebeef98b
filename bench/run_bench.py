"""Heard's benchmark: one run prints every figure README quotes.

- intent accuracy and macro-F1 on the held-out set (tests/data/nlu_heldout.yml);
- reply latency over the REST channel, p50/p95, one conversation at a time and 20 at once, and saturated
  throughput (replies/s), for Heard (whole flows, form submits committed to the database included) and
  for a bare `rasa init` bot trained in a temporary folder, as the baseline on this machine;
- training wall time for both; peak memory (VmHWM) of each server process.

Run: ./heard bench   (or .venv/bin/python bench/run_bench.py [--skip-baseline] [--skip-train])
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.stack import BIN, Process, Stack, base_env, free_port, mint_jwt, new_secret  # noqa: E402

# A conversation a child might have: greet, ask, answer every question, a question at the check step, send (a
# database commit, since the check step came in: "Send it" is pressed), thanks, goodbye.
HEARD_SCRIPT = [
    "hi", "i want an advocate", "1", "nobody asks me what i think about moving", "Sam", "Lancashire",
    '/inform{"choice":"carer"}', '/inform{"choice":"after_school"}', "yes", "what is an iro",
    '/inform{"choice":"send"}', "thanks", "bye",
]
MOODBOT_SCRIPT = ["hi", "i am sad", "yes", "great", "bye", "hello", "very good", "goodbye"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def converse(session: aiohttp.ClientSession, url: str, script: list[str], times: list[float]) -> None:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    for message in script:
        start = time.perf_counter()
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as r:
            await r.read()
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}")
        times.append((time.perf_counter() - start) * 1000)


async def load(url: str, script: list[str], conversations: int, concurrency: int) -> dict[str, float]:
    times: list[float] = []
    queue = list(range(conversations))
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async def worker() -> None:
            while queue:
                queue.pop()
                await converse(session, url, script, times)

        await converse(session, url, script, [])  # warm up
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return {"replies": len(times), "p50_ms": statistics.median(times), "p95_ms": pct(times, 0.95),
            "throughput_rps": len(times) / wall}


def peak_mb(process: Process) -> float:
    try:
        for line in Path(f"/proc/{process.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def train(project: Path, out: Path, name: str) -> float:
    start = time.perf_counter()
    # --force: a full training run, not one served from Rasa's component cache.
    domain = ["--domain", "domain"] if (project / "domain").is_dir() else []  # Heard's domain is a folder
    subprocess.run([str(BIN / "rasa"), "train", *domain, "--force", "--out", str(out), "--fixed-model-name", name,
                    "--quiet"],
                   cwd=project, env=base_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


async def script_sends(url: str, script: list[str] = HEARD_SCRIPT) -> bool:
    """Whether one run of the script ends with the referral sent ("Done!" answers the send): a script that
    stops short of sending would time replies that never reach the database."""
    sender = f"bench-check-{uuid.uuid4().hex[:8]}"
    replies: list[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for message in script:
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as r:
                replies.append(" ".join(str(m.get("text") or "") for m in await r.json()))
    return any(reply.startswith("Done!") for reply in replies)


def measure(url: str, script: list[str]) -> dict[str, Any]:
    return {
        "one_at_a_time": asyncio.run(load(url, script, conversations=15, concurrency=1)),
        "twenty_at_once": asyncio.run(load(url, script, conversations=40, concurrency=20)),
    }


def bench_heard(work: Path, skip_train: bool) -> dict[str, Any]:
    from bench.nlu_eval import evaluate
    from tests.stack import MODEL

    result: dict[str, Any] = {}
    if not skip_train:
        result["train_s"] = train(ROOT, work / "models", "heard-bench")
    nlu = evaluate(MODEL)
    result["nlu"] = {k: nlu[k] for k in ("examples", "accuracy", "macro_f1")}
    db_url = f"sqlite:///{work / 'heard-bench.db'}"
    env = base_env(HEARD_DATABASE_URL=db_url)
    subprocess.run([sys.executable, "-m", "bot.cli", "migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    stack = Stack(database_url=db_url, log_dir=work / "heard-logs").start()
    try:
        if not asyncio.run(script_sends(stack.url)):
            raise RuntimeError("HEARD_SCRIPT no longer sends its referral: fix the script before timing it")
        result.update(measure(stack.url, HEARD_SCRIPT))
        result["peak_mb"] = {"rasa": peak_mb(stack.processes[1]), "actions": peak_mb(stack.processes[0])}
    finally:
        stack.stop()
    return result


def bench_baseline(work: Path) -> dict[str, Any]:
    project = work / "moodbot"
    project.mkdir()
    subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)], env=base_env(),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=project)
    # rasa init trains a model too; train again for a clean wall time.
    seconds = train(project, project / "models", "moodbot")
    port = free_port()
    process = start_rasa_at(project, port, work)
    try:
        result = measure(f"http://127.0.0.1:{port}", MOODBOT_SCRIPT)
        result["peak_mb"] = {"rasa": peak_mb(process)}
    finally:
        process.stop()
    result["train_s"] = seconds
    return result


def start_rasa_at(project: Path, port: int, work: Path) -> Process:
    """The bare baseline bot, set up as Heard's bench stack is: on loopback, its HTTP API opened by a JWT."""
    log = work / "moodbot-rasa.log"
    jwt_secret = new_secret()
    proc = subprocess.Popen([str(BIN / "rasa"), "run", "--model", str(project / "models" / "moodbot.tar.gz"),
                             "--interface", "127.0.0.1", "--port", str(port), "--enable-api",
                             f"--jwt-secret={jwt_secret}", "--jwt-method", "HS256"], cwd=project, env=base_env(),
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    handle = Process(proc, log)
    from tests.stack import wait_http

    wait_http(f"http://127.0.0.1:{port}/", 240, proc)
    headers = {"Authorization": f"Bearer {mint_jwt(jwt_secret)}"}
    for _ in range(480):
        import requests

        if requests.get(f"http://127.0.0.1:{port}/status", headers=headers, timeout=5).json().get("model_id"):
            break
        time.sleep(0.5)
    return handle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-train", action="store_true", help="don't time a fresh training run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as tmp:
        work = Path(tmp)
        heard = bench_heard(work, args.skip_train)
        baseline = None if args.skip_baseline else bench_baseline(work)
    print(json.dumps({"heard": heard, "baseline": baseline}, indent=2))
    print()
    nlu = heard["nlu"]
    print(f"Intent classification (held-out, {nlu['examples']} child-written messages): "
          f"accuracy {nlu['accuracy']:.3f}, macro-F1 {nlu['macro_f1']:.3f}")
    rows = [("Heard", heard)] + ([("bare rasa init", baseline)] if baseline else [])
    print("| bot | 1 at a time p50 / p95 ms | 20 at once p50 / p95 ms | saturated replies/s | train s | peak MB |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        one, twenty = r["one_at_a_time"], r["twenty_at_once"]
        peaks = ", ".join(f"{k} {v:.0f}" for k, v in r["peak_mb"].items())
        train_s = f"{r['train_s']:.0f}" if "train_s" in r else "-"
        print(f"| {name} | {one['p50_ms']:.0f} / {one['p95_ms']:.0f} | {twenty['p50_ms']:.0f} / "
              f"{twenty['p95_ms']:.0f} | {twenty['throughput_rps']:.1f} | {train_s} | {peaks} |")
    if baseline:
        ratio = heard["twenty_at_once"]["throughput_rps"] / baseline["twenty_at_once"]["throughput_rps"]
        print(f"Heard's saturated throughput is {ratio:.2f}x the bare baseline's (target >= 0.8x).")


if __name__ == "__main__":
    main()
