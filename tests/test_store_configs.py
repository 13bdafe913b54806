"""Stored configurations: a run's configuration is kept in the database with it, and rebuilt
from the database alone (`govcore.store.configs`), so that the commands on a stored run need no
configuration folder — and a hostile or changed row is refused, never silently used."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import ROOT, write_config
from test_store import cli, execute, table_dicts

from govcore.config import load_config
from govcore.store.configs import StoredConfigError, live_runs, materialise, stored_configuration
from govcore.store.db import open_database
from govcore.store.run import config_fingerprint, simulate_persistent, tick


def portable(tmp: Path) -> Path:
    """A small configuration at tmp/kommune/cfg whose rules lie outside it, in tmp/rules, allowed
    by `allow_paths: [../../rules]` — as examples/vejle uses the shared rule library."""
    rules = tmp / "rules"
    rules.mkdir(parents=True)
    for f in (ROOT / "rules").glob("*.yaml"):
        shutil.copy(f, rules / f.name)
    folder = write_config(tmp / "kommune" / "cfg", rules=["../../rules/*.yaml"])
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("allow_paths:\n  - ../../rules\n")
    return folder


def rows(url: str, code: str = "630") -> list[dict[str, Any]]:
    return table_dicts(url, "govcore_config_file", code)


def test_every_file_is_stored_with_the_configuration_version(db_url: str, tmp_path: Path) -> None:
    folder = portable(tmp_path)
    cfg = load_config(folder)
    tick(cfg, db_url, now=dt.date(2021, 2, 1))
    stored = {r["path"]: r for r in rows(db_url)}
    rules = sorted(f.name for f in (ROOT / "rules").glob("*.yaml"))
    assert sorted(stored) == sorted([
        *(f"kommune/cfg/{n}" for n in ("goals.yaml", "kpis.yaml", "municipality.yaml", "observations.csv",
                                       "organisation.yaml", "wheel.yaml")),
        *(f"rules/{n}" for n in rules)])
    assert {p for p, r in stored.items() if r["kind"] == "configuration"} == {"kommune/cfg/municipality.yaml"}
    for path, r in stored.items():
        assert bytes(r["content"]) == (tmp_path / path).read_bytes()
        assert r["sha256"] == hashlib.sha256(bytes(r["content"])).hexdigest()
    run = table_dicts(db_url, "govcore_run", "630")[0]
    assert {r["fingerprint"] for r in stored.values()} == {run["fingerprint"]}


def test_the_configuration_is_rebuilt_from_the_database_alone(db_url: str, tmp_path: Path) -> None:
    folder = portable(tmp_path)
    cfg = load_config(folder)
    tick(cfg, db_url, now=dt.date(2021, 2, 1))
    shutil.rmtree(tmp_path / "kommune")
    shutil.rmtree(tmp_path / "rules")  # nothing left on disk: the database alone
    database = open_database(db_url)
    try:
        rebuilt = stored_configuration(database, "Vejle", "2021-01-01")
        assert stored_configuration(database, "630").base_dir.parent.parent.name.startswith("govcore-config-")
        assert live_runs(database) == [("630", "2021-01-01")]
    finally:
        database.close()
    first = dt.date(2021, 1, 1)
    assert config_fingerprint(rebuilt, first) == config_fingerprint(cfg, first)
    assert [g.id for g in rebuilt.goals] == [g.id for g in cfg.goals]
    assert rebuilt.base_dir.is_dir() and rebuilt.base_dir != folder
    # it goes on from the database alone
    result = tick(rebuilt, db_url, now=dt.date(2021, 4, 10))
    assert result.clock.startswith("2021-04-10")


def test_a_simulation_is_not_a_live_run(tmp_path: Path) -> None:
    db = str(tmp_path / "sim.db")
    simulate_persistent(load_config(portable(tmp_path)), db)
    database = open_database(db)
    try:
        assert live_runs(database) == []
        assert stored_configuration(database, "630").municipality.code == "630"
    finally:
        database.close()


def test_commands_work_without_the_configuration_folder(tmp_path: Path, english: None) -> None:
    folder = portable(tmp_path)
    db = str(tmp_path / "live.db")
    assert cli("tick", str(folder), "--db", db, "--now", "2021-02-01").exit_code == 0
    shutil.move(str(tmp_path / "kommune"), str(tmp_path / "gone"))
    out = cli("tick", "--db", db, "--now", "2021-03-03")
    assert out.exit_code == 0, out.output
    assert "clock 2021-03-03T23:59" in out.output
    csv = tmp_path / "new.csv"
    csv.write_text("kpi,period,value\njobrate,2021-02,58\n", encoding="utf-8")
    out = cli("observe", str(csv), "--db", db, "-m", "630")
    assert out.exit_code == 0 and "1 observation added" in out.output, out.output
    demanded = [r["id"] for r in table_dicts(db, "govcore_action", "630")]
    assert demanded, "the small configuration demands an action in February"
    out = cli("respond", "submit", demanded[0], "--db", db, "--text", "Plan", "--at", "2021-03-04T10:00")
    assert out.exit_code == 0 and "submit act-" in out.output, out.output
    out = cli("report", "--db", db, "-m", "630", "--as-of", "2021-03-04", "--out", str(tmp_path / "r1"))
    assert out.exit_code == 0, out.output
    out = cli("audit", "verify", "--db", db, "--replay")
    assert out.exit_code == 0 and "REPLAYED  630 2021" in out.output, out.output
    # the folder, where it is given, gives the very same report
    shutil.move(str(tmp_path / "gone"), str(tmp_path / "kommune"))
    out = cli("report", "--db", db, "-m", "630", "--config", str(folder), "--as-of", "2021-03-04",
              "--out", str(tmp_path / "r2"))
    assert out.exit_code == 0, out.output
    for name in ("events.jsonl", "summary.json", "report.md"):
        assert (tmp_path / "r1" / name).read_bytes() == (tmp_path / "r2" / name).read_bytes()
    assert cli("audit", "verify", "--db", db, "--replay", str(folder)).exit_code == 0
    wrong = cli("tick", str(folder), "--db", db, "-m", "740")
    assert wrong.exit_code == 2 and "not of 740" in wrong.output


def test_a_run_stored_without_files_needs_its_folder_once(db_url: str, tmp_path: Path, english: None) -> None:
    folder = portable(tmp_path)
    tick(load_config(folder), db_url, now=dt.date(2021, 2, 1))
    execute(db_url, "DELETE FROM govcore_config_file")  # as a run stored before configurations were kept
    database = open_database(db_url)
    try:
        with pytest.raises(StoredConfigError, match=r"stored before govcore kept configurations.*--config"):
            stored_configuration(database, "630")
    finally:
        database.close()
    db = db_url
    out = cli("tick", "--db", db, "--now", "2021-02-02")
    assert out.exit_code == 2 and "pass its configuration folder (--config DIR, or CONFIG)" in out.output
    assert cli("tick", str(folder), "--db", db, "--now", "2021-02-02").exit_code == 0  # stores the files
    assert len(rows(db_url)) == 9
    assert cli("tick", "--db", db, "--now", "2021-02-03").exit_code == 0


def _stored(tmp_path: Path) -> str:
    db = str(tmp_path / "live.db")
    tick(load_config(portable(tmp_path)), db, now=dt.date(2021, 2, 1))
    return db


def test_a_changed_stored_file_is_refused(tmp_path: Path, english: None) -> None:
    db = _stored(tmp_path)
    execute(db, "UPDATE govcore_config_file SET content = :c WHERE path LIKE '%goals.yaml' AND path LIKE 'kommune%'",
            c=b"goals: []\n")
    database = open_database(db)
    try:
        with pytest.raises(StoredConfigError, match="does not match its recorded hash"):
            stored_configuration(database, "630")
        text = (tmp_path / "kommune" / "cfg" / "goals.yaml").read_text(encoding="utf-8")
        changed = text.replace("Mindst 50 % i job", "Mindst 60 % i job").encode()
        execute(db, "UPDATE govcore_config_file SET content = :c, sha256 = :h WHERE path = 'kommune/cfg/goals.yaml'",
                c=changed, h=hashlib.sha256(changed).hexdigest())
        with pytest.raises(StoredConfigError, match=r"does not rebuild exactly .*differs: .*goals"):
            stored_configuration(database, "630")
    finally:
        database.close()


def test_other_installed_plugin_rules_are_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          english: None) -> None:
    vejle = ROOT / "examples" / "vejle"
    db = str(tmp_path / "vejle.db")
    tick(load_config(vejle), db, now=dt.date(2021, 1, 5))
    stored = {r["path"] for r in rows(db)}
    assert "rules/escalation.yaml" in stored and "examples/vejle/data/budget.csv" in stored
    assert not any("budget" in p and p.endswith(".yaml") for p in stored)  # a plugin's rules are its own
    database = open_database(db)
    try:
        assert stored_configuration(database, "630").rules.version() == load_config(vejle).rules.version()
        from govcore.plugins import Plugins

        original = Plugins.rule_files
        changed = tmp_path / "plugin" / "budget"
        changed.mkdir(parents=True)

        def other_rules(self: Plugins, plugin: str) -> list[Path]:
            files = original(self, plugin)
            if plugin != "budget":
                return files
            out = []
            for f in files:
                (changed / f.name).write_text(f.read_text(encoding="utf-8").replace("title: ", "title: Ny ", 1),
                                              encoding="utf-8")
                out.append(changed / f.name)
            return out

        monkeypatch.setattr(Plugins, "rule_files", other_rules)
        with pytest.raises(StoredConfigError, match=r"rule files that differ: budget/.*install the plugin versions"):
            stored_configuration(database, "630")
    finally:
        database.close()


def test_absolute_paths_in_a_stored_configuration_are_refused(tmp_path: Path, english: None) -> None:
    db = str(tmp_path / "abs.db")
    tick(load_config(write_config(tmp_path / "cfg")), db, now=dt.date(2021, 2, 1))  # rules named by absolute path
    database = open_database(db)
    try:
        with pytest.raises(StoredConfigError, match="names files by absolute path"):
            stored_configuration(database, "630")
    finally:
        database.close()


# ------------------------------------------------------------------------------ hostile rows

HOSTILE = ["/tmp/govcore-pwned", "../pwned", "a/../../pwned", "kommune/../../pwned", "a\\..\\..\\pwned",
           "C:/pwned", "./pwned", "a//pwned", "", "a/" * 40 + "pwned", "pwned\x00.yaml"]


@pytest.mark.parametrize("path", HOSTILE)
def test_a_hostile_path_cannot_write_outside(tmp_path: Path, path: str, english: None) -> None:
    db = _stored(tmp_path)
    execute(db, "INSERT INTO govcore_config_file (municipality, fingerprint, path, kind, sha256, content) "
                "SELECT municipality, fingerprint, :p, 'file', :h, :c FROM govcore_run", p=path,
            h=hashlib.sha256(b"x").hexdigest(), c=b"x")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = sorted(tmp_path.rglob("*"))
    database = open_database(db)
    try:
        os.environ["TMPDIR"] = str(scratch)
        import tempfile
        tempfile.tempdir = None
        with pytest.raises(StoredConfigError, match="not a plain relative path"):
            stored_configuration(database, "630")
    finally:
        os.environ.pop("TMPDIR")
        tempfile.tempdir = None
        database.close()
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, the temporary folder removed
    assert not Path("/tmp/govcore-pwned").exists()


def test_materialise_does_not_follow_symlinks(tmp_path: Path, english: None) -> None:
    target = tmp_path / "outside"
    target.mkdir()
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a").symlink_to(target, target_is_directory=True)
    (folder / "f.yaml").symlink_to(target / "f.yaml")
    row = {"kind": "configuration", "content": b"x", "sha256": hashlib.sha256(b"x").hexdigest()}
    with pytest.raises(StoredConfigError, match="clashes"):
        materialise([{**row, "path": "a/municipality.yaml"}], folder)
    with pytest.raises(StoredConfigError, match=r"outside its folder|clashes"):
        materialise([{**row, "path": "f.yaml"}], folder)
    assert list(target.iterdir()) == []
    (tmp_path / "fresh").mkdir()
    with pytest.raises(StoredConfigError, match="stored twice"):
        materialise([{**row, "path": "b/m.yaml"}, {**row, "path": "b/m.yaml"}], tmp_path / "fresh")
    assert json.dumps(sorted(p.name for p in target.iterdir())) == "[]"


def test_stored_rows_go_with_their_configuration_version(tmp_path: Path) -> None:
    """Deleting a run leaves the configuration version and its files (shared); the table's foreign
    key keeps a file from existing without its version."""
    db = _stored(tmp_path)
    database = open_database(db)
    try:
        def orphan(conn: sa.Connection) -> None:
            conn.execute(sa.text("INSERT INTO govcore_config_file VALUES ('630', 'nope', 'x', 'file', 'h', :c)"),
                         {"c": b""})
        with pytest.raises(Exception, match=r"(?i)foreign key"):
            database.write(orphan)
    finally:
        database.close()


def test_tick_all_advances_every_live_run_and_reports_one_that_fails(db_url: str, tmp_path: Path,
                                                                      english: None) -> None:
    vejle = portable(tmp_path / "a")
    aarhus = portable(tmp_path / "b")
    text = (aarhus / "municipality.yaml").read_text(encoding="utf-8")
    (aarhus / "municipality.yaml").write_text(text.replace("municipality: 630", "municipality: 751"), encoding="utf-8")
    for folder in (vejle, aarhus):
        assert cli("tick", str(folder), "--db", db_url, "--now", "2021-02-01").exit_code == 0
    simulated = cli("simulate", str(vejle), "--db", db_url, "--from", "2021-06-01", "--to", "2021-06-30",
                    "--out", str(tmp_path / "sim"))
    assert simulated.exit_code == 0, simulated.output  # a simulation is not live: --all leaves it alone
    assert cli("tick", "--all", "-m", "630", "--db", db_url).exit_code == 2
    execute(db_url, "UPDATE govcore_config_file SET content = :c WHERE municipality = '630' AND path LIKE "
            "'%goals.yaml' AND path LIKE 'kommune%'", c=b"goals: []\n")

    res = cli("tick", "--all", "--db", db_url, "--now", "2021-03-01")
    assert res.exit_code == 1
    assert "Vejle (630) 2021: FAILED: " in res.output and "does not match its recorded hash" in res.output
    assert "Aarhus 2021: " in res.output and "clock 2021-03-01T23:59" in res.output
    assert "1 of 2 live runs advanced" in res.output and "1 failed: Vejle (630) 2021" in res.output
    clocks = {r["municipality"]: r["clock"][:10] for r in table_dicts(db_url, "govcore_run", "630")
              + table_dicts(db_url, "govcore_run", "751") if r["start"] == "2021-01-01"}
    assert clocks == {"630": "2021-02-01", "751": "2021-03-01"}  # the failing run changed nothing

    good = (vejle / "goals.yaml").read_bytes()
    execute(db_url, "UPDATE govcore_config_file SET content = :c WHERE municipality = '630' AND path LIKE "
            "'%goals.yaml' AND path LIKE 'kommune%'", c=good)
    again = cli("tick", "--all", "--db", db_url, "--now", "2021-03-01")
    assert again.exit_code == 0, again.output
    assert "2 of 2 live runs advanced" in again.output
    assert "Aarhus 2021: 0 new events" in again.output  # already there: a second tick adds nothing
