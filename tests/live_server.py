"""A real govcore server for the tests: uvicorn in its own process on 127.0.0.1, on a free port.

`make` is the app factory uvicorn imports in that process (`--factory live_server:make`): the
database, the configuration folders and a clock file come from the environment. The clock file
holds the time the server takes as now, so that a test can walk a live run through 2021 while the
server stays a separate, real process.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def make() -> Any:
    from govcore.server.app import create_app
    from govcore.server.settings import Settings

    clock_file = Path(os.environ["GOVCORE_TEST_CLOCK_FILE"])

    def clock() -> dt.datetime:
        return dt.datetime.fromisoformat(clock_file.read_text(encoding="utf-8").strip())

    folders = [f for f in os.environ.get("GOVCORE_TEST_CONFIGS", "").split(os.pathsep) if f]
    settings = Settings.from_env(os.environ["GOVCORE_TEST_DB"])
    return create_app(settings, folders=folders, clock=clock)


def stored_config(folder: Path, code: str = "630", **kwargs: Any) -> Path:
    """The small test configuration (conftest) with its rule files copied into the folder, so that
    the run can be rebuilt from the database alone (the server's default)."""
    import shutil

    from conftest import write_config

    (folder / "rules").mkdir(parents=True, exist_ok=True)
    for f in sorted((ROOT / "rules").glob("*.yaml")):
        shutil.copy(f, folder / "rules" / f.name)
    write_config(folder, rules=["rules/*.yaml"], **kwargs)
    if code != "630":
        f = folder / "municipality.yaml"
        f.write_text(f.read_text(encoding="utf-8").replace("municipality: 630", f"municipality: {code}"),
                     encoding="utf-8")
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    """Start with `start()`, stop with `stop()`; `client()` is an httpx client on its base URL."""

    def __init__(self, db: str, configs: list[Path], clock_file: Path, log: Path, *,
                 command: list[str] | None = None, **env: str) -> None:
        """`command` (with {port} in it) runs instead of uvicorn with `make`: `govcore serve` itself."""
        self.db, self.configs, self.clock_file, self.log, self.env = db, configs, clock_file, log, env
        self.command = command
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def set_clock(self, when: str) -> None:
        """Replace the clock file at once (the server reads it from other threads at any moment:
        it must never see it empty)."""
        part = self.clock_file.with_name(self.clock_file.name + ".new")
        part.write_text(when, encoding="utf-8")
        os.replace(part, self.clock_file)

    def start(self, timeout: float = 60.0) -> LiveServer:
        env = {**os.environ, "GOVCORE_TEST_DB": self.db, "GOVCORE_TEST_CLOCK_FILE": str(self.clock_file),
               "GOVCORE_TEST_CONFIGS": os.pathsep.join(str(c) for c in self.configs), **self.env}
        with self.log.open("wb") as out:
            command = [c.format(port=self.port) for c in self.command] if self.command else [
                sys.executable, "-m", "uvicorn", "--factory", "live_server:make", "--app-dir", str(ROOT / "tests"),
                "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
            self.proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.output()}")
            time.sleep(0.1)  # polling interval while waiting for readiness, not a timing assumption

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60.0)

    def login(self, username: str, password: str) -> str:
        r = httpx.post(f"{self.url}/api/v1/token", data={"username": username, "password": password}, timeout=30)
        assert r.status_code == 200, r.text
        token: str = r.json()["access_token"]
        return token
