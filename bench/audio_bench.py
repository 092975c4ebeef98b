"""Benchmark: time to the first audio byte for a reply, cached and not yet cached.

Run from the repo root:  python bench/audio_bench.py [--samples 12] [--engine espeak|gtts]
Starts the audio routes on an aiohttp test server on loopback with an empty cache in a temporary folder,
asks for the audio of catalogue replies over HTTP (first: spoken on request; second: from the disk
cache) and prints the median and worst time to the first byte in milliseconds.
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


async def first_byte_ms(session, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    async with session.get(url) as response:
        chunk = await response.content.readany()
        elapsed = (time.perf_counter() - start) * 1000
        rest = await response.read()
        if response.status != 200 or not chunk:
            raise RuntimeError(f"GET {url}: {response.status}")
        return elapsed, len(chunk) + len(rest)


async def run(samples: int) -> int:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.accessibility import tts
    from bot.dialogue.messages import catalogue
    from bot.web import audio

    with tempfile.TemporaryDirectory() as folder:
        service = tts.TtsService(tts.engines_from_env(), Path(folder) / "audio", "bench-secret")
        tts.set_service(service)
        app = web.Application()
        audio.setup(app)
        texts = [e["text"] for e in catalogue().values() if "{" not in e["text"]]
        texts = sorted(texts, key=len)[:: max(1, len(texts) // samples)][:samples]
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            urls = [audio.audio_url_for(text) for text in texts]
            uncached = [await first_byte_ms(client.session, str(client.make_url(u))) for u in urls]
            cached = [await first_byte_ms(client.session, str(client.make_url(u))) for u in urls]
        tts.set_service(None)
    engines = "+".join(e.name for e in service.engines)
    words = statistics.median(len(t.split()) for t in texts)
    size = statistics.median(n for _, n in uncached) / 1024
    print(f"audio bench: engine {engines}, {len(texts)} replies "
          f"(median {words:.0f} words, {size:.0f} KiB MP3)")
    for label, results in (("uncached (spoken on request)", uncached), ("cached (from disk)", cached)):
        times = [ms for ms, _ in results]
        print(f"  time to first byte, {label:29s} median {statistics.median(times):7.1f} ms"
              f"   worst {max(times):7.1f} ms")
    return 0


def main() -> int:
    if str(REPO_ROOT) not in sys.path:  # run as a script from the repo root
        sys.path.insert(0, str(REPO_ROOT))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--engine", choices=["espeak", "gtts"])
    args = parser.parse_args()
    if args.engine:
        os.environ["HEARD_TTS_ENGINE"] = args.engine
    return asyncio.run(run(args.samples))


if __name__ == "__main__":
    sys.exit(main())
