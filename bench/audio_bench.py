"""Benchmark: time to the first audio byte for a reply, cached and not yet cached, per voice.

Run from the repo root:  python bench/audio_bench.py [--samples 12] [--engine espeak|hibari|gtts] [--no-baseline]
Starts the audio routes on an aiohttp test server on loopback with an empty cache in a temporary folder,
asks for the audio of catalogue replies over HTTP (first: spoken on request; second: from the disk
cache), then of a 15-word line that is not in the catalogue (a filled-in reply: always spoken on request),
and prints the median and worst time to the first byte in milliseconds. espeak is run in the same process
as the baseline, and each figure of another engine is printed as a ratio to espeak's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# 15 words, with a name filled in: never in the catalogue, so never prerendered.
FIFTEEN_WORDS = "Thank you Jade. Your advocate will call you this week to hear what you want to say."


async def first_byte_ms(session, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    async with session.get(url) as response:
        chunk = await response.content.readany()
        elapsed = (time.perf_counter() - start) * 1000
        rest = await response.read()
        if response.status != 200 or not chunk:
            raise RuntimeError(f"GET {url}: {response.status}")
        return elapsed, len(chunk) + len(rest)


def _texts(samples: int) -> list[str]:
    from bot.dialogue.messages import catalogue

    texts = [e["text"] for e in catalogue().values() if "{" not in e["text"]]
    return sorted(texts, key=len)[:: max(1, len(texts) // samples)][:samples]


async def measure(engine_name: str, texts: list[str], repeats: int = 5) -> dict[str, list[float]]:
    """Times to first byte (ms) for one engine: catalogue lines uncached then cached, and the 15-word line."""
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.accessibility import tts
    from bot.web import audio

    os.environ["HEARD_TTS_ENGINE"] = engine_name
    with tempfile.TemporaryDirectory() as folder:
        service = tts.TtsService(tts.engines_from_env(), Path(folder) / "audio", "bench-secret")
        tts.set_service(service)
        service.speak_sync("Warm up.")  # load the voice once, as a running server has
        app = web.Application()
        audio.setup(app)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            urls = [audio.audio_url_for(text) for text in texts]
            uncached = [await first_byte_ms(client.session, str(client.make_url(u))) for u in urls]
            cached = [await first_byte_ms(client.session, str(client.make_url(u))) for u in urls]
            fifteen = []
            for n in range(repeats):
                url = audio.audio_url_for(FIFTEEN_WORDS.replace("Jade", ("Jade", "Leo", "Mo", "Riya", "Sam")[n % 5]))
                service.purge_private(now=time.time() + 10**9)  # forget it: spoken on request every time
                fifteen.append((await first_byte_ms(client.session, str(client.make_url(url))))[0])
        tts.set_service(None)
    return {"engine": "+".join(e.name for e in service.engines), "uncached": [ms for ms, _ in uncached],
            "cached": [ms for ms, _ in cached], "fifteen": fifteen,
            "kib": [statistics.median(n for _, n in uncached) / 1024]}


def report(result: dict, baseline: dict | None) -> None:
    print(f"audio bench: engine {result['engine']} (median MP3 {result['kib'][0]:.0f} KiB)")
    for key, label in (("uncached", "catalogue line, uncached"), ("cached", "catalogue line, cached"),
                       ("fifteen", "15-word line, uncached")):
        times = result[key]
        line = f"  first byte, {label:26s} median {statistics.median(times):7.1f} ms   worst {max(times):7.1f} ms"
        if baseline and baseline is not result:
            ratio = statistics.median(times) / max(statistics.median(baseline[key]), 0.001)
            line += f"   {ratio:5.2f}x espeak's median"
        print(line)


async def run(samples: int, engine: str, with_baseline: bool) -> int:
    texts = _texts(samples)
    words = statistics.median(len(t.split()) for t in texts)
    print(f"{len(texts)} catalogue replies (median {words:.0f} words); 15-word line: {FIFTEEN_WORDS!r}")
    baseline = await measure("espeak", texts) if with_baseline or engine == "espeak" else None
    result = baseline if engine == "espeak" else await measure(engine, texts)
    if baseline and baseline is not result:
        report(baseline, None)
    report(result, baseline)
    return 0


def main() -> int:
    if str(REPO_ROOT) not in sys.path:  # run as a script from the repo root
        sys.path.insert(0, str(REPO_ROOT))
    from bot.config import get_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--engine", choices=["espeak", "hibari", "gtts"], default=get_settings().tts.engine)
    parser.add_argument("--no-baseline", action="store_true", help="do not run espeak as the baseline")
    args = parser.parse_args()
    return asyncio.run(run(args.samples, args.engine, not args.no_baseline))


if __name__ == "__main__":
    sys.exit(main())
