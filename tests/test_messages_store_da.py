"""The store's and the access layer's messages in Danish by default and in English on request: one
test per family (stored runs, the database and its upgrades, the audit log, accounts and passwords,
API keys, permissions, live runs and their answers, calendar feed tokens, the run lock, fetching),
each reading the same failure in both languages.

The logic of each message is pinned by the tests of its module; these pin what a Danish reader sees
(and that English is still there for those who ask)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import write_config
from english_words import untranslated

from govcore.access import accounts, calendar_feed, keys
from govcore.access.live import InvalidInput, LiveRuns, NotFound
from govcore.access.permissions import Operation, authorize
from govcore.access.principal import Principal
from govcore.config import Configuration, load_config
from govcore.i18n import use_language
from govcore.remote import FetchError
from govcore.store import audit, chain, schema
from govcore.store.configs import stored_configuration
from govcore.store.db import Database, open_database, resolve_url
from govcore.store.fetch import fetch
from govcore.store.locks import run_lock
from govcore.store.run import report_as_of, simulate_persistent, tick

PASSWORD = "korrekt hest batteri"


def _both(fail: Callable[[], object]) -> tuple[str, str]:
    """The message of the same failure read in Danish (the default) and in English."""
    messages = []
    for lang in ("da", "en"):
        with use_language(lang), pytest.raises(Exception) as err:
            fail()
        messages.append(str(err.value))
    return messages[0], messages[1]


@pytest.fixture
def cfg(tmp_path: Path) -> Configuration:
    return load_config(write_config(tmp_path / "config"))


# ------------------------------------------------------------------ the database and its upgrades


def test_database_errors_are_danish(tmp_path: Path) -> None:
    da, en = _both(lambda: resolve_url("mysql://x@host/db"))
    assert da.startswith("govcore kan ikke gemme i 'mysql'-databaser (angiv en filsti (SQLite), "), da
    assert en.startswith("govcore cannot store in 'mysql' databases (give a file path (SQLite), "), en
    missing = str(tmp_path / "ingen.db")
    da, en = _both(lambda: open_database(missing, create=False))
    assert da == f"databasen {missing} findes ikke (opret en med `govcore db init` eller `govcore simulate … --db`)"
    assert en == f"there is no database {missing} (create one with `govcore db init` or `govcore simulate … --db`)"
    assert untranslated(da) == []


def test_schema_messages_and_the_upgrade_list_are_danish(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "ny.db"))
    try:
        created = schema.upgrade(database)
        assert created == [f"oprettede govcore-skemaet (version {schema.SCHEMA_VERSION}) i {database.display}"]
        with use_language("en"):
            assert schema.upgrade(database) == [
                f"{database.display} is up to date (schema version {schema.SCHEMA_VERSION})"]
        assert schema.init(database) == \
            f"{database.display} har allerede govcore-skemaet (version {schema.SCHEMA_VERSION})"
    finally:
        database.close()
    assert schema._summary("0004", "Accounts for the server: ...") == (
        "Konti til serveren: personer (lokale adgangskoder eller OpenID Connect), API-nøgler med rettigheder "
        "til andre systemer, og sessioner")
    with use_language("en"):
        assert schema._summary("0004", None).startswith("Accounts for the server: people")


def test_every_migration_has_a_translated_summary() -> None:
    from alembic.script import ScriptDirectory

    revisions = [r.revision for r in ScriptDirectory.from_config(schema._config()).walk_revisions()]
    assert sorted(revisions) == sorted(schema.SUMMARIES)
    for revision in revisions:
        da = schema._summary(revision, None)
        with use_language("en"):
            assert da != schema._summary(revision, None)
        assert untranslated(da) == [], da


def test_a_database_newer_than_govcore_is_refused_in_danish(db: Database) -> None:
    def too_new() -> None:
        raise schema._too_new(db, 99)

    da, en = _both(too_new)
    assert da == f"{db.display} har skemaversion 99, som er nyere end den, denne govcore forstår " \
        f"({schema.SCHEMA_VERSION}): opgradér govcore"
    assert en.endswith(f"newer than this govcore understands ({schema.SCHEMA_VERSION}): upgrade govcore")


# ------------------------------------------------------------------ stored runs


def test_stored_run_errors_are_danish(cfg: Configuration, tmp_path: Path) -> None:
    url = str(tmp_path / "govcore.db")
    simulate_persistent(cfg, url, until=dt.date(2021, 1, 31))
    da, en = _both(lambda: simulate_persistent(cfg, url, until=dt.date(2021, 1, 31)))
    assert f"{tmp_path / 'govcore.db'} rummer allerede en kørsel for Vejle (630) 2021 (" in da, da
    assert "hændelser, afsluttet): tilføj --resume for at fortsætte den, eller slet den med `govcore db delete-run " \
        "--municipality 630 --start 2021-01-01`" in da
    assert f"{tmp_path / 'govcore.db'} already holds a run of Vejle (630) 2021 (" in en, en
    assert untranslated(da) == []
    da, en = _both(lambda: report_as_of(cfg, url, start=dt.date(2021, 5, 1)))
    assert da.endswith("rummer ingen kørsel for Vejle (630) fra 2021-05-01"), da
    assert en.endswith("holds no run of Vejle (630) from 2021-05-01"), en


def test_a_run_with_no_stored_configuration_is_named_in_danish(db: Database) -> None:
    da, en = _both(lambda: stored_configuration(db, "630"))
    assert da == f"{db.display} rummer ingen kørsel for 630"
    assert en == f"{db.display} holds no run of 630"


def test_a_run_being_advanced_elsewhere_is_refused_in_danish(db: Database) -> None:
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with run_lock(db, "630", "2021-01-01"):
            holding.set()
            release.wait()

    other = threading.Thread(target=hold)
    other.start()
    try:
        holding.wait()

        def busy() -> None:
            with run_lock(db, "630", "2021-01-01", wait=False):
                pass

        da, en = _both(busy)
    finally:
        release.set()
        other.join()
    assert da == "kørslen for kommune 630 fra 2021-01-01 føres frem af en anden tråd i denne proces; prøv igen senere"
    assert en == "the run of municipality 630 from 2021-01-01 is being advanced by another thread of this process; " \
        "try again later"


def test_fetching_without_a_remote_source_says_so_in_danish(cfg: Configuration, tmp_path: Path) -> None:
    da, en = _both(lambda: fetch(cfg, str(tmp_path / "govcore.db")))
    assert da == "konfigurationen angiver ingen ekstern KPI-kilde under sources: (fx jobindsats eller statbank); " \
        "se `govcore plugins`"
    assert en.startswith("the configuration names no remote KPI source")
    with pytest.raises(FetchError):
        fetch(cfg, str(tmp_path / "govcore.db"))


# ------------------------------------------------------------------ the audit log


def test_audit_errors_and_chain_problems_are_danish(cfg: Configuration, tmp_path: Path) -> None:
    url = str(tmp_path / "govcore.db")
    simulate_persistent(cfg, url, until=dt.date(2021, 3, 31))
    database = open_database(url)
    try:
        da, en = _both(lambda: audit.explain(database, "hvad"))
        assert da == "'hvad' er ikke et hændelses-id (skriv fx e000042 eller 630/2021/e000042)"
        assert en == "'hvad' is not an event id (write e.g. e000042, or 630/2021/e000042)"
        da, en = _both(lambda: audit.explain(database, "e999999"))
        assert da.startswith("Vejle (630) 2021 har ingen hændelse e999999 (dens log har "), da
        assert en.startswith("Vejle (630) 2021 has no event e999999 (its log has "), en
        da, en = _both(lambda: audit.parse_checkpoint("intet her"))
        assert da == "ingen `govcore-checkpoint`-linje fundet (skriv dem med `govcore audit checkpoint`)"
        assert en == "no `govcore-checkpoint` line found (write them with `govcore audit checkpoint`)"
        run = audit.one_run(database, "630", 2021)
        rows = [dict(r) for r in audit.explain(database, "e000001").rows]
    finally:
        database.close()
    rows[1]["details"] = "{"
    start = dt.date(2021, 1, 1)
    report = chain.verify_rows("630", start, rows, run.events, run.head_hash, run.chain)
    assert report.problem == "posten e000002 er ændret (dens detaljer er ikke gyldig JSON)"
    with use_language("en"):
        report = chain.verify_rows("630", start, rows, run.events, run.head_hash, run.chain)
    assert report.problem == "entry e000002 was changed (its details are not valid JSON)"
    report = chain.verify_rows("630", start, rows[:1], run.events, run.head_hash, run.chain)
    assert report.problem is not None and report.problem.startswith("posten e000002") and \
        f"(kørslen har registreret {run.events} hændelser, 1 er tilbage)" in report.problem


# ------------------------------------------------------------------ accounts, keys, permissions, tokens


def test_account_errors_are_danish(db: Database) -> None:
    da, en = _both(lambda: accounts.add_user(db, "jens", "630", ["team"], password="kort"))
    assert da == "adgangskoden skal have mindst 10 tegn"
    assert en == "the password must have at least 10 characters"
    da, en = _both(lambda: accounts.add_user(db, "Jens Hansen", "630", ["team"], password=PASSWORD))
    assert da == "ugyldigt brugernavn 'Jens Hansen': 2–64 tegn, små bogstaver, cifre og . _ @ -"
    assert en.startswith("invalid username 'Jens Hansen'")
    da, en = _both(lambda: accounts.add_user(db, "jens", "630", ["teem"], password=PASSWORD,
                                             known_roles=["team"]))
    assert da == "ukendt rolle 'teem' (mente du 'team'?)"
    assert en == "unknown role 'teem' (did you mean 'team'?)"
    accounts.add_user(db, "jens", "630", ["team"], password=PASSWORD)
    da, en = _both(lambda: accounts.authenticate(db, "jens", "forkert forkert"))
    assert da == "forkert brugernavn eller adgangskode (eller kontoen er deaktiveret eller låst et stykke tid)"
    assert en == "wrong username or password (or the account is disabled or locked for a while)"
    da, en = _both(lambda: accounts.set_disabled(db, "jens", acting="jens"))
    assert (da, en) == ("du kan ikke deaktivere din egen konto", "you cannot disable your own account")


def test_api_key_errors_are_danish(db: Database) -> None:
    da, en = _both(lambda: keys.create_key(db, "630", "esdh", ["status:reed"]))
    assert da.startswith("ukendt rettighed 'status:reed' (mente du 'status:read'?); rettigheder: status:read, "), da
    assert en.startswith("unknown scope 'status:reed' (did you mean 'status:read'?); scopes: status:read, "), en
    da, en = _both(lambda: keys.revoke_key(db, "abc"))
    assert (da, en) == ("ingen nøgle 'abc'", "no key 'abc'")


def test_permission_refusals_are_danish() -> None:
    other = Principal("user", "x", "615", frozenset({"center"}))
    da, en = _both(lambda: authorize(other, Operation.VIEW, "630"))
    assert da == "ingen adgang: dette hører til en anden kommune eller findes ikke"
    assert en == "forbidden: this belongs to another municipality or does not exist"
    key = Principal("key", "k1", "630", scopes=frozenset({"status:read"}))
    da, en = _both(lambda: authorize(key, Operation.SUBMIT, "630"))
    assert da == "ingen adgang: nøglen mangler rettigheden 'actions:submit'"
    assert en == "forbidden: the key lacks the scope 'actions:submit'"
    own = Principal("user", "c", "630", frozenset({"center"}))
    da, en = _both(lambda: authorize(own, Operation.DECIDE, "630", owner_roles=["center"]))
    assert da == "ingen adgang: du kan ikke godkende eller afvise en handling, som er krævet af din egen rolle"
    assert en == "forbidden: you cannot accept or reject an action demanded of your own role"


def test_calendar_token_errors_are_danish(db: Database) -> None:
    da, en = _both(lambda: calendar_feed.new_calendar_token(db, "ingen"))
    assert (da, en) == ("ingen konto 'ingen'", "no account 'ingen'")


# ------------------------------------------------------------------ live runs and their answers


def test_live_run_answers_are_danish(cfg: Configuration, tmp_path: Path) -> None:
    url = str(tmp_path / "govcore.db")
    tick(cfg, url, now=dt.date(2021, 3, 1))  # act-0001 demanded of center
    database = open_database(url)
    try:
        live = LiveRuns(database, lambda m, s: cfg, clock=lambda: dt.datetime(2021, 3, 2, 9, 0, tzinfo=dt.UTC))
        center = Principal("user", "c", "630", frozenset({"center"}))
        chef = Principal("user", "b", "630", frozenset({"chef"}))
        admin = Principal("user", "a", "630", frozenset({"udvalg"}), admin=True)
        da, en = _both(lambda: live.submit(center, "630", "act-0099", "x"))
        assert da == "ingen korrigerende handling 'act-0099' i den levende kørsel for Vejle (630)"
        assert en == "no corrective action 'act-0099' in the live run of Vejle (630)"
        da, en = _both(lambda: live.accept(chef, "630", "act-0001"))
        assert da == "den korrigerende handling act-0001 har status krævet: kun en indsendt handling kan godkendes"
        assert en == "corrective action act-0001 is demanded: only a submitted action can be accepted"
        da, en = _both(lambda: live.goals(Principal("user", "u", "851", frozenset({"udvalg"})), "851"))
        assert (da, en) == ("kommune 851 har ingen levende kørsel", "municipality 851 has no live run")

        def bad_rows() -> object:
            return live.add_observations(admin, "630", [{"kpi": "jobrat", "period": "2021-02", "value": "x"},
                                                        {"kpi": "jobrate", "period": "2021-02", "value": 1,
                                                         "hvad": 2}])

        with pytest.raises(InvalidInput) as err:
            bad_rows()
        assert str(err.value) == "3 problemer i forespørgslen; intet blev gemt"
        problems = {p.loc: p.message for p in err.value.problems}
        assert problems[("observations", 0, "value")] == "skal være et endeligt tal"
        assert problems[("observations", 0, "kpi")] == "ukendt KPI 'jobrat' (mente du 'jobrate'?)"
        assert problems[("observations", 1, "hvad")].startswith("ukendt felt (forventede en af: ")
        with use_language("en"), pytest.raises(InvalidInput) as err:
            bad_rows()
        assert str(err.value) == "3 problems in the request; nothing was stored"
        assert {p.loc: p.message for p in err.value.problems}[("observations", 0, "value")] == \
            "must be a finite number"
        with pytest.raises(NotFound):
            live.deliver(center, "630", "ingen")
    finally:
        database.close()
