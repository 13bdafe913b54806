"""The catalogs and the choice of language: every message has Danish, the compiled catalogs are the
.po files' own, and the language follows the context, GOVCORE_LANG and the browser's header."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from english_words import untranslated

from govcore import i18n
from govcore.i18n import LanguageError, _, from_accept_language, language, parse_language, set_language, use_language

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


def test_every_message_in_the_code_has_a_danish_translation() -> None:
    assert SCRIPT.missing() == []


def test_the_catalogs_hold_no_message_the_code_no_longer_uses() -> None:
    used = SCRIPT.extracted()
    for po in SCRIPT.po_files():
        stale = sorted(str(m.id) for m in SCRIPT.read(po.stem) if m.id and m.id not in used[po.stem])
        assert stale == [], f"{po.name}: run scripts/i18n.py update"


def test_every_compiled_catalog_is_compiled_from_its_po_file() -> None:
    pos = SCRIPT.po_files()
    assert pos, "no Danish catalog"
    for po in pos:
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.read_bytes() == SCRIPT.compiled(SCRIPT.read(po.stem)), \
            f"{mo.name} is stale: run scripts/i18n.py compile"


def test_every_source_file_belongs_to_one_domain() -> None:
    for path in SCRIPT.sources():
        assert SCRIPT.domain_of(path) in SCRIPT.domains()


def test_every_plugin_has_its_own_catalog_inside_its_package() -> None:
    """The guards above cover the plugins' catalogs too: each plugin package is a domain, its Danish
    catalog lies in the package (so its wheel carries it) and holds its messages."""
    packages = SCRIPT.plugin_packages()
    assert {p.name for p in packages} >= {"govcore_budget", "govcore_initiatives", "govcore_jobindsats",
                                          "govcore_ministermaal", "govcore_statbank", "govcore_surveys"}
    for package in packages:
        po = SCRIPT.po_path(package.name)
        assert po == package / "locale" / "da" / "LC_MESSAGES" / f"{package.name}.po"
        assert po in SCRIPT.po_files() and len(SCRIPT.read(package.name)) > 0, f"{package.name} has no catalog"
    assert SCRIPT.domain_of(packages[0] / "plugin.py") == packages[0].name


def test_a_plugins_translations_follow_govcores_language(tmp_path: Path) -> None:
    """govcore.translations: a plugin's own catalog, in the language govcore's reader chose (asked at
    every call); English, or a language the plugin has no catalog for, gives the message ids."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    import govcore

    catalog = Catalog(locale="da", domain="govcore_demo")
    catalog.add(("{n} row is wrong", "{n} rows are wrong"), ("{n} række er forkert", "{n} rækker er forkerte"))
    catalog.add("unknown area", "ukendt område")
    folder = tmp_path / "locale" / "da" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "govcore_demo.mo").open("wb") as handle:
        write_mo(handle, catalog)
    t = govcore.translations("govcore_demo", tmp_path / "locale")
    assert isinstance(t, govcore.Translations)
    assert t.gettext("unknown area") == "ukendt område"
    assert t.ngettext("{n} row is wrong", "{n} rows are wrong", 2) == "{n} rækker er forkerte"
    with govcore.use_language("en"):
        assert govcore.language() == "en"
        assert t.gettext("unknown area") == "unknown area"
        assert t.ngettext("{n} row is wrong", "{n} rows are wrong", 1) == "{n} row is wrong"
    assert t.gettext("a message it has no Danish for") == "a message it has no Danish for"
    empty = govcore.translations("govcore_none", tmp_path / "nowhere")
    assert empty.gettext("unknown area") == "unknown area"


def test_danish_is_the_default_and_english_is_there_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVCORE_LANG", raising=False)
    assert language() == "da"
    assert _("the language setting") == "sprogindstillingen"
    with use_language("en-GB"):
        assert language() == "en"
        assert _("the language setting") == "the language setting"
        with use_language("dansk"):
            assert _("the language setting") == "sprogindstillingen"
        assert language() == "en"
    assert language() == "da"


def test_govcore_lang_decides_when_nothing_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVCORE_LANG", "en_US.UTF-8")
    assert language() == "en"
    assert i18n.env_language() == "en"
    with use_language("da"):
        assert language() == "da"
    monkeypatch.setenv("GOVCORE_LANG", "klingon")
    assert language() == "da"
    with pytest.raises(LanguageError) as caught:
        i18n.env_language()
    assert str(caught.value) == "ukendt sprog 'klingon' i GOVCORE_LANG: vælg da eller en"


def test_an_unknown_language_is_refused_in_the_readers_language() -> None:
    with pytest.raises(LanguageError) as caught:
        set_language("fr", "--lang")
    assert str(caught.value) == "ukendt sprog 'fr' i --lang: vælg da eller en"
    with use_language("en"), pytest.raises(LanguageError) as english:
        set_language("fr")
    assert str(english.value) == "unknown language 'fr' in the language setting: choose da or en"


@pytest.mark.parametrize(("text", "expected"), [
    ("da", "da"), ("da-DK", "da"), ("da_DK.UTF-8", "da"), ("Dansk", "da"), ("en", "en"), ("en-US", "en"),
    ("English", "en"), ("fr", None), ("", None), (None, None), ("dan", None),
])
def test_language_names(text: str | None, expected: str | None) -> None:
    assert parse_language(text) == expected


@pytest.mark.parametrize(("header", "expected"), [
    ("en-US,en;q=0.9,da;q=0.8", "en"),
    ("da-DK,da;q=0.9,en;q=0.8", "da"),
    ("fr-FR, de;q=0.9, en;q=0.5, da;q=0.4", "en"),
    ("fr-FR, de;q=0.9", "da"),
    ("en;q=0, da;q=0.1", "da"),
    ("en;q=0.5, da;q=0.5", "en"),
    ("da;q=abc, en;q=0.2", "en"),
    ("", "da"),
    (None, "da"),
])
def test_the_browsers_preferred_language(header: str | None, expected: str) -> None:
    assert from_accept_language(header) == expected


def test_the_english_word_scan_finds_english_and_spares_danish_and_identifiers() -> None:
    assert untranslated("Vejle (630) 2021: configuration OK — 22 goals") == ["configuration", "goals"]
    assert untranslated("Mål i risiko: 24,8 mod kravet 25 for g-job (no_data), se `the file`") == []
