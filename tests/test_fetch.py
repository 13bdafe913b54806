"""`govcore fetch`: the offline example, and a fetch killed with SIGKILL leaving the database as it was.

The kill test runs the real command in a subprocess against a real HTTP server on 127.0.0.1 that
answers with the example's recorded responses and holds one answer back until the test has
killed the process — so the kill lands mid-fetch, after a whole table was already received.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from test_store import dump

from govcore.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "jobindsats"
RECORDED = EXAMPLE / "recorded"


def copy_example(dest: Path, *, base: str | None = None) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("tools", "recorded"))
    p = dest / "municipality.yaml"
    text = p.read_text(encoding="utf-8").replace("../../rules/", str(ROOT / "rules") + "/")
    if base:
        text = text.replace("    api: v2\n", f"    api: v2\n    base_url: {base}\n")
        text = text.replace("    benchmarks: [national]\n", f"    benchmarks: [national]\n    base_url: {base}/v1\n")
    p.write_text(text, encoding="utf-8")
    return dest


def test_the_example_runs_offline_from_its_recorded_responses(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    monkeypatch.delenv("JOBINDSATS_API_KEY", raising=False)
    args = ["fetch", str(EXAMPLE), "--db", db_url, "--replay", str(RECORDED)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "jobindsats Y30R21: 3 new, 0 corrected (updated 2024-10-01T08:00:00)" in first.output
    assert "statbank AUK01: 12 new, 0 corrected" in first.output
    assert "jobindsats SYN_MM17: 60 new, 0 corrected (updated 2024-10-14T08:00:00)" in first.output
    assert "Vejle 2024: 195 observations stored, 0 new events, 11 requests" in first.output
    assert "jobindsats:mm17 2024-08 local = 4.2, known 2024-10-21" in first.output
    assert "#123 jobindsats:benchmark 2024-Q2 rank = 17, known 2024-10-21" in first.output
    assert not (EXAMPLE / "fetched").exists()  # a replay keeps nothing new
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "jobindsats Y36A02: not updated since 2024-10-10T08:00:00" in second.output
    assert "0 observations stored" in second.output
    history = CliRunner().invoke(main, ["observations", "--db", db_url, "--kpi", "jobindsats:benchmark"])
    assert "source jobindsats:Y30R21@2024-10-01T08:00:00, known 2024-10-21" in history.output


def test_fetch_is_documented_with_the_replay_example() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "govcore fetch examples/jobindsats --db" in text and "--replay examples/jobindsats/recorded" in text


# ------------------------------------------------------------------------------- kill -9


class _Recorded(BaseHTTPRequestHandler):
    answers: ClassVar[dict[tuple[str, str], tuple[int, str]]] = {}
    hold: str = ""
    reached = threading.Event()
    release = threading.Event()

    def _answer(self) -> None:
        path = self.path.split("?")[0]
        if path == self.hold:
            type(self).reached.set()
            type(self).release.wait(60)
        status, text = self.answers.get((self.command, path), (404, "not found"))
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Recorded]]]:
    answers = {}
    for f in RECORDED.iterdir():
        rec = json.loads(f.read_text(encoding="utf-8"))
        url = rec["request"]["url"]
        path = url.split("://", 1)[1].split("/", 1)[1]
        answers[(rec["request"]["method"], "/" + path)] = (rec["status"], rec["text"])
    handler = type("Handler", (_Recorded,), {"answers": answers, "hold": "/v2/data/y36a02/json",
                                            "reached": threading.Event(), "release": threading.Event()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        handler.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def govcore(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govcore.cli", *args], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "JOBINDSATS_API_KEY": "k"}, **kw)


@pytest.mark.slow
def test_a_fetch_killed_mid_way_leaves_the_database_as_it_was(
        db_url: str, tmp_path: Path, server: tuple[str, type[_Recorded]], english: None) -> None:
    base, handler = server
    config = copy_example(tmp_path / "cfg", base=base)
    done = govcore("tick", str(config), "--db", db_url, "--now", "2024-03-01")
    assert done.returncode == 0, done.stderr
    before = dump(db_url, "630")
    assert before["govcore_run"] and before["govcore_event"]

    proc = subprocess.Popen([sys.executable, "-m", "govcore.cli", "fetch", str(config), "--db", db_url, "--keep",
                             str(tmp_path / "kept")], env={**os.environ, "JOBINDSATS_API_KEY": "k"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert handler.reached.wait(120), "the fetch never asked for the held table"
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert dump(db_url, "630") == before
    assert any(p.name.startswith("jobindsats-y30r21") for p in (tmp_path / "kept").iterdir())  # it was mid-way

    handler.release.set()
    again = govcore("fetch", str(config), "--db", db_url, "--keep", str(tmp_path / "kept2"))
    assert again.returncode == 0, again.stderr
    assert "195 observations stored" in again.stdout


def test_a_configuration_without_remote_sources_is_a_clear_error(tmp_path: Path, english: None) -> None:
    res = CliRunner().invoke(main, ["fetch", str(ROOT / "examples" / "vejle"), "--db", str(tmp_path / "g.db")])
    assert res.exit_code == 2
    assert "error: the configuration names no remote KPI source under sources: (e.g. jobindsats or statbank)" \
        in res.output
    assert "Traceback" not in res.output


def test_fetch_works_from_the_stored_configuration(db_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    monkeypatch.delenv("JOBINDSATS_API_KEY", raising=False)
    folder = tmp_path / "examples" / "jobindsats"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("tools", "recorded"))
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    started = CliRunner().invoke(main, ["tick", str(folder), "--db", db_url, "--now", "2024-10-20"])
    assert started.exit_code == 0, started.output
    shutil.rmtree(tmp_path / "examples")  # from here on the run's configuration comes from the database alone
    bare = CliRunner().invoke(main, ["fetch", "--db", db_url, "-m", "630"])
    assert bare.exit_code == 2 and "without CONFIG, give --keep DIR for the raw responses" in bare.output
    res = CliRunner().invoke(main, ["fetch", "--db", db_url, "-m", "Vejle", "--replay", str(RECORDED)])
    assert res.exit_code == 0, res.output
    assert "statbank AUK01: 12 new, 0 corrected" in res.output
    assert "Vejle 2024: 195 observations stored" in res.output
    again = CliRunner().invoke(main, ["fetch", "--db", db_url, "--replay", str(RECORDED)])  # the only run
    assert again.exit_code == 0 and "0 observations stored" in again.output, again.output
    other = CliRunner().invoke(main, ["fetch", "--db", db_url, "-m", "219", "--replay", str(RECORDED)])
    assert other.exit_code != 0 and "holds no run of 219" in other.output
