"""Shared fixtures: a small municipality configuration written to a temporary folder."""

from __future__ import annotations

import dataclasses
import os
import textwrap
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from govcore.config import Configuration
    from govcore.store.db import Database

ROOT = Path(__file__).resolve().parent.parent

ORGANISATION = """
roles:
  - {id: udvalg, title: Arbejdsmarkedsudvalget, kind: committee}
  - {id: direktoer, title: Direktør, kind: director, superior: udvalg}
  - {id: chef, title: Arbejdsmarkedschef, kind: head, superior: direktoer}
  - {id: center, title: Centerleder, kind: centre, superior: chef}
"""

KPIS = """
kpis:
  - {id: jobrate, name: Andel i job, unit: "%", higher_is_better: true}
  - {id: ledige, name: Antal ledige, unit: personer, higher_is_better: false}
"""

GOALS = """
goals:
  - id: g-job
    title: Mindst 50 % i job
    level: administrative
    owner: center
    kpi: jobrate
    target: {kind: at_least, value: 50, tolerance: 2}
    followup: monthly
  - id: g-ledige
    title: Højst 1000 ledige
    level: political
    owner: chef
    kpi: ledige
    target: {kind: at_most, value: 1000}
    followup: monthly
deliverables:
  - {id: plan, title: Beskæftigelsesplan, owner: chef}
"""

WHEEL = """
timezone: Europe/Copenhagen
roll: next
milestones:
  - id: plan-frist
    title: Beskæftigelsesplan
    date: "30.09"
    type: due
    roll: previous
    deliverables: [plan]
    responsible: chef
followups:
  - id: maanedsmoede
    title: Opfølgningsmøde
    every: monthly
    on: first_working_day
    responsible: chef
"""

OBSERVATIONS = """kpi,period,value,known_at
jobrate,2020-12,52,2021-01-02
jobrate,2021-01,47,2021-02-02
jobrate,2021-02,46,2021-03-02
jobrate,2021-03,53,2021-04-02
ledige,2020-12,950,2021-01-02
"""


def write_config(folder: Path, *, responses: str | None = None, observations: str = OBSERVATIONS,
                 rules: list[str] | None = None, goals: str = GOALS, wheel: str = WHEEL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"organisation.yaml": ORGANISATION, "kpis.yaml": KPIS, "goals.yaml": goals, "wheel.yaml": wheel}
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (folder / "observations.csv").write_text(observations, encoding="utf-8")
    rule_entries = rules if rules is not None else [str(ROOT / "rules" / "*.yaml")]
    cfg = ["municipality: 630", "year: 2021", "observations: [observations.csv]", "national_goals: none",
           "rules:", *[f"  - {r}" for r in rule_entries]]
    outside = sorted({str(Path(r).parent) for r in rule_entries if Path(r).is_absolute()})
    if outside:  # rule files outside the folder must be allowed explicitly
        cfg += ["allow_paths:", *[f"  - {d}" for d in outside]]
    if responses is not None:
        (folder / "responses.yaml").write_text(textwrap.dedent(responses), encoding="utf-8")
        cfg.append("responses: responses.yaml")
    (folder / "municipality.yaml").write_text("\n".join(cfg) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    def make(**kwargs: object) -> Path:
        return write_config(tmp_path / "config", **kwargs)  # type: ignore[arg-type]
    return make


# ------------------------------------------------------------------ the Vejle example, loaded once


def _as_loaded(config: Configuration) -> list[tuple[object, ...]]:
    """What `vejle_config` checks after each test: every version's fingerprint (its files, goals,
    KPIs, organisation, deliverables, rules and wheel, compared by value) and which object each of
    its fields holds, with the length of those that have one (a field set anew, a list or dict
    grown or cut in place); not the private memos (`_fingerprint`, ...), which a read may fill."""
    return [(v._fresh_fingerprint(), *((id(x := getattr(v, f.name)), len(x) if hasattr(x, "__len__") else None)
                                       for f in dataclasses.fields(v) if not f.name.startswith("_")))
            for v in config.versions]


@pytest.fixture(scope="session")
def _vejle_once() -> tuple[Configuration, list[tuple[object, ...]]]:
    from govcore.config import load_config

    config = load_config(ROOT / "examples" / "vejle")
    return config, _as_loaded(config)


@pytest.fixture
def vejle_config(_vejle_once: tuple[Configuration, list[tuple[object, ...]]]) -> Iterator[Configuration]:
    """The Vejle example as `load_config` gives it, loaded once for the whole session: loading takes
    about 2 s of CPU, and many tests only read it (to run engines on it or on `dataclasses.replace`
    copies of its versions). A test that must see a load of its own, or changes what it got, loads
    it itself: after each test this checks that the shared one is still as loaded (`_as_loaded`)
    and fails the test that changed it."""
    config, loaded = _vejle_once
    yield config
    assert _as_loaded(config) == loaded, "the test changed the shared Vejle configuration"


# ------------------------------------------------------------------ databases (SQLite, PostgreSQL)


def ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pg_base_url() -> str:
    """The PostgreSQL server to test against; skip without one, unless under CI (then fail)."""
    url = os.environ.get("GOVCORE_TEST_PG_URL", "").strip()
    if not url:
        if ci():
            pytest.fail("CI is set but GOVCORE_TEST_PG_URL is not: run `eval \"$(.ci/postgres.sh)\"` first")
        pytest.skip("no PostgreSQL server: set GOVCORE_TEST_PG_URL (see docs/persistence.md)")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections use a fresh PostgreSQL schema (dropped afterwards)."""
    base = pg_base_url()
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "govcore.db")
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open store with govcore's schema, on SQLite and on PostgreSQL (`db_url`)."""
    from govcore.store import schema
    from govcore.store.db import open_database

    database = open_database(db_url)
    schema.init(database)
    try:
        yield database
    finally:
        database.close()


# ------------------------------------------------------------------ a real browser (Debian's chromium)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """The system's Chromium, found as `--format pdf` finds it (govcore.pdf.find_chromium), with
    Playwright for Python to drive it; skip without them, unless under CI (then fail: .ci/run
    installs both)."""
    from govcore.pdf import find_chromium

    path = find_chromium()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if ci():
            pytest.fail("CI is set but Chromium or Playwright is missing: .ci/run installs the chromium package, "
                        "scripts/setup.sh --test the playwright package")
        pytest.skip("no Chromium or no Playwright: apt-get install chromium; scripts/setup.sh --test")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    """One headless Chromium (a playwright.sync_api.Browser) for the tests of a session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium_path))
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Messages in English, in this process and in the processes a test starts: for tests that pin the
    logic of a message by its English id. What Danish readers see is pinned by tests without it, and
    tests/test_i18n.py checks that every message has its Danish translation."""
    from govcore.i18n import use_language

    monkeypatch.setenv("GOVCORE_LANG", "en")
    with use_language("en"):
        yield


@pytest.fixture(autouse=True)
def _danish_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own GOVCORE_LANG must not change what the tests see: Danish is the default."""
    monkeypatch.delenv("GOVCORE_LANG", raising=False)


@pytest.fixture
def danish(english: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Danish inside a module whose other tests use `english`: for a test that pins what a Danish
    reader sees (it asks for `english` so that it is set up after, and wins over, the module's mark)."""
    from govcore.i18n import use_language

    monkeypatch.setenv("GOVCORE_LANG", "da")
    with use_language("da"):
        yield


@pytest.fixture
def rule_refs_given(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[str | None, Any]]]:
    """Every call of `govcore.store.facts.rule_refs` recorded: the (rule, details) pairs it was
    given — to see which stored events a check parses."""
    from govcore.store import facts

    given: list[list[tuple[str | None, Any]]] = []
    real = facts.rule_refs

    def spy(events: Iterable[tuple[str | None, Any]]) -> set[tuple[str, str]]:
        pairs = list(events)
        given.append(pairs)
        return real(pairs)

    monkeypatch.setattr(facts, "rule_refs", spy)
    return given
