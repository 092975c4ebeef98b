"""Start Heard's Rasa server and action server as real processes, for tests and benchmarks."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
    }
    env.update(extra)
    return env


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


@dataclass
class Process:
    proc: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_actions(env: dict[str, str], port: int, log_dir: Path) -> Process:
    log = log_dir / f"actions-{port}.log"
    proc = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    handle = Process(proc, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 90, proc)
    except Exception as error:
        handle.stop()
        raise RuntimeError(f"action server did not start: {error}\n{handle.tail()}") from error
    return handle


def start_rasa(env: dict[str, str], port: int, log_dir: Path, token: str) -> Process:
    log = log_dir / f"rasa-{port}.log"
    proc = subprocess.Popen(
        [str(BIN / "rasa"), "run", "--model", str(MODEL), "--enable-api", f"--auth-token={token}",
         "--port", str(port), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    handle = Process(proc, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/", 240, proc)
        # "/" answers before the model is loaded; /status needs the model.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            status = requests.get(f"http://127.0.0.1:{port}/status", params={"token": token}, timeout=5)
            if status.ok and status.json().get("model_id"):
                break
            time.sleep(0.5)
    except Exception as error:
        handle.stop()
        raise RuntimeError(f"rasa server did not start: {error}\n{handle.tail()}") from error
    return handle


@dataclass
class Stack:
    """One Rasa server and one action server sharing a case database."""

    database_url: str
    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    processes: list[Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> dict[str, str]:
        return base_env(
            HEARD_DATABASE_URL=self.database_url,
            HEARD_ACTION_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            HEARD_API_TOKEN=self.token,
            HEARD_VAR_DIR=str(self.log_dir),
            **self.extra_env,
        )

    def start(self) -> Stack:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes.append(start_actions(self.env(), self.action_port, self.log_dir))
        self.processes.append(start_rasa(self.env(), self.rasa_port, self.log_dir, self.token))
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict[str, Any]]:
        reply = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                              timeout=timeout)
        reply.raise_for_status()
        return reply.json()

    def parse(self, text: str) -> dict[str, Any]:
        reply = requests.post(f"{self.url}/model/parse", params={"token": self.token}, json={"text": text},
                              timeout=30)
        reply.raise_for_status()
        return reply.json()

    def tracker(self, sender: str) -> dict[str, Any]:
        reply = requests.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30)
        reply.raise_for_status()
        return reply.json()
