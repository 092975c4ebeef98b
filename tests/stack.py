"""Start Heard's Rasa server and action server as real processes, for tests and benchmarks.

They start the way every launcher starts them: ``python -m bot.action_server`` (which needs
``HEARD_ACTION_SECRET``, and Rasa sends it) and ``python -m bot.rasa_server``. Rasa's HTTP API is off by
default; a test stack turns it on for itself (``/model/parse``, ``/conversations/<id>/tracker``) with a JWT
secret of its own, and its requests carry a JWT (``mint_jwt``), never ``?token=``.
"""

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

import jwt
import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# HEARD_TEST_MODEL points the tests and benches at another trained model (e.g. one trained into a folder of
# your own) without touching the shared models/current.tar.gz.
MODEL = Path(os.environ.get("HEARD_TEST_MODEL") or ROOT / "models" / "current.tar.gz")


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


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def mint_jwt(secret: str, role: str = "admin", username: str = "heard-tests", seconds: int = 3600) -> str:
    """A JWT for Rasa's HTTP API (HS256, as ``bot.rasa_server`` sets it up)."""
    payload = {"user": {"username": username, "role": role}, "exp": int(time.time()) + seconds}
    return jwt.encode(payload, secret, algorithm="HS256")


def start_actions(env: dict[str, str], port: int, log_dir: Path) -> Process:
    """``python -m bot.action_server`` on 127.0.0.1:``port``; ``env`` must hold ``HEARD_ACTION_SECRET``."""
    log = log_dir / f"actions-{port}.log"
    env = {**env, "HEARD_ACTION_PORT": str(port), "HEARD_ACTION_HOST": "127.0.0.1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    handle = Process(proc, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 90, proc)
    except Exception as error:
        handle.stop()
        raise RuntimeError(f"action server did not start: {error}\n{handle.tail()}") from error
    return handle


def start_rasa(env: dict[str, str], port: int, log_dir: Path, jwt_secret: str) -> Process:
    """``python -m bot.rasa_server`` on 127.0.0.1:``port`` with the trained model and the HTTP API on, opened
    by JWTs signed with ``jwt_secret``; returns once the model is loaded."""
    log = log_dir / f"rasa-{port}.log"
    env = {**env, "HEARD_RASA_PORT": str(port), "HEARD_RASA_HOST": "127.0.0.1", "HEARD_ENABLE_API": "1",
           "HEARD_API_JWT_SECRET": jwt_secret}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.rasa_server", "--model", str(MODEL), "--endpoints", "endpoints.yml",
         "--credentials", "credentials.yml"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    handle = Process(proc, log)
    try:
        wait_http(f"http://127.0.0.1:{port}/", 240, proc)
        # "/" answers before the model is loaded; /status needs the model.
        deadline = time.monotonic() + 240
        headers = {"Authorization": f"Bearer {mint_jwt(jwt_secret)}"}
        while time.monotonic() < deadline:
            status = requests.get(f"http://127.0.0.1:{port}/status", headers=headers, timeout=5)
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
    action_secret: str = field(default_factory=new_secret)
    jwt_secret: str = field(default_factory=new_secret)
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
            HEARD_ACTION_SECRET=self.action_secret,
            HEARD_VAR_DIR=str(self.log_dir),
            **self.extra_env,
        )

    def start(self) -> Stack:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes.append(start_actions(self.env(), self.action_port, self.log_dir))
        self.processes.append(start_rasa(self.env(), self.rasa_port, self.log_dir, self.jwt_secret))
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

    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_jwt(self.jwt_secret)}"}

    def parse(self, text: str) -> dict[str, Any]:
        reply = requests.post(f"{self.url}/model/parse", headers=self.api_headers(), json={"text": text},
                              timeout=30)
        reply.raise_for_status()
        return reply.json()

    def tracker(self, sender: str) -> dict[str, Any]:
        reply = requests.get(f"{self.url}/conversations/{sender}/tracker", headers=self.api_headers(), timeout=30)
        reply.raise_for_status()
        return reply.json()
