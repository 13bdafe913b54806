"""Guards that keep the Danish administrator docs (docs/da/) true to the English ones and to govcore.

The Danish pages are written for administrators, adapted rather than translated line by line; these
tests fail when a configuration key or a vocabulary word documented in English is missing from the
Danish page, when a Danish word govcore accepts is documented nowhere, when a YAML example in
Danish stops loading, or when a link goes nowhere.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from test_docs_examples import FENCE, _validate

from govcore.config import GoalFile
from govcore.danish_words import DANISH
from govcore.sourcefile import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
DA = ROOT / "docs" / "da"
# Each Danish page and the English page it is adapted from.
PAGES = {"konfiguration.md": "configuration.md", "aarshjul.md": "wheel.md", "succeskriterier.md": "targets.md",
         "regler.md": "rules.md", "regeltest.md": "rule-testing.md"}
IDENT = re.compile(r"[a-z_][a-z0-9_]*")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _keys(data: object, into: set[str]) -> set[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            into.add(str(key))
            _keys(value, into)
    elif isinstance(data, list):
        for item in data:
            _keys(item, into)
    return into


def documented_keys(english: str) -> set[str]:
    """The configuration keys an English page documents: every key of its YAML examples and every
    name in the first column of its tables (fields, settings, operators, words)."""
    keys: set[str] = set()
    for m in FENCE.finditer(english):
        try:
            _keys(parse_yaml(textwrap.dedent(m.group(1)), "docs").data, keys)
        except Exception:  # an example of a fragment no plain YAML reader reads (a scenario's 2021: key)
            continue
    keys |= set(re.findall(r"^\| `([^`|]+)`", english, re.M))
    return {k for k in keys if IDENT.fullmatch(k)}


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


@pytest.mark.parametrize(("danish", "english"), PAGES.items())
def test_every_key_of_the_english_page_is_in_the_danish_one(danish: str, english: str) -> None:
    da_text = _text(DA / danish)
    missing = sorted(k for k in documented_keys(_text(ROOT / "docs" / english)) if not _mentions(da_text, k))
    assert not missing, f"docs/da/{danish} does not mention {missing} (documented in docs/{english})"


@pytest.mark.parametrize(("danish", "english"), PAGES.items())
def test_every_vocabulary_word_of_the_english_page_is_shown_in_danish(danish: str, english: str) -> None:
    """Where the English page names a word the configuration accepts in Danish too, the Danish page
    shows the Danish word (the first spelling, the one govcore's own table shows)."""
    en_text, da_text = _text(ROOT / "docs" / english), _text(DA / danish).lower()
    named = [en for en in DANISH if f"`{en}`" in en_text]
    missing = sorted(f"{en} → {DANISH[en][0]}" for en in named if DANISH[en][0].lower() not in da_text)
    assert not missing, f"docs/da/{danish} does not show the Danish words {missing}"


def test_every_danish_word_govcore_accepts_is_documented() -> None:
    """And the other way round: each spelling govcore.danish_words accepts stands in the Danish
    configuration page beside its English word."""
    text = _text(DA / "konfiguration.md")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z_0-9]+)` \| (.+) \|$", text, re.M)}
    for english, spellings in DANISH.items():
        assert english in rows, f"docs/da/konfiguration.md has no row for {english}"
        assert [w.strip() for w in rows[english].split(",")] == list(spellings), english


def _blocks() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted(DA.glob("*.md")):
        text = _text(path)
        source = PAGES.get(path.name, "configuration.md")
        for m in FENCE.finditer(text):
            line = text[:m.start()].count("\n") + 2
            out.append((f"{path.name}:{line}", source, m.group(1)))
    return out


BLOCKS = _blocks()


@pytest.mark.parametrize(("name", "source", "text"), BLOCKS, ids=[n for n, _, _ in BLOCKS])
def test_every_danish_yaml_example_loads(name: str, source: str, text: str, tmp_path: Path) -> None:
    """Loaded by govcore as what it shows, exactly as the English examples are (test_docs_examples)."""
    data = None if source == "rule-testing.md" else parse_yaml(textwrap.dedent(text), name).data
    if isinstance(data, dict) and list(data) == ["target"]:
        # A target alone is read as part of its goal, which is where the Danish words are translated.
        goal = {"id": "eksempel", "title": "Eksempel", "level": "team", "owner": "team", "kpi": "k",
                "target": data["target"]}
        GoalFile.model_validate({"goals": [goal]})
        return
    _validate(f"{source}:{name}", text, tmp_path)


def test_every_page_has_examples_and_the_words_are_danish() -> None:
    pages = {n.split(":")[0] for n, _, _ in BLOCKS}
    assert set(PAGES) | {"README.md"} <= pages
    examples = "\n".join(t for _, _, t in BLOCKS)
    for word in ("followup: kvartalsvis", "roll: næste", "kind: mindst", "every: månedlig", "type: frist"):
        assert word in examples, word


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'."""
    out = set()
    for heading in re.findall(r"^#+ (.+)$", _text(path), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


@pytest.mark.parametrize("page", sorted(p.name for p in DA.glob("*.md")))
def test_every_link_resolves(page: str) -> None:
    for target in LINK.findall(_text(DA / page)):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (DA / file).resolve() if file else DA / page
        assert path.exists(), f"docs/da/{page}: the link {target} goes nowhere"
        if anchor:
            assert anchor in _anchors(path), f"docs/da/{page}: no heading for #{anchor} in {path.name}"


def test_the_readme_links_the_danish_docs() -> None:
    readme = _text(ROOT / "README.md")
    assert "(docs/da/README.md)" in readme
    index = _text(DA / "README.md")
    for page in PAGES:
        assert f"]({page})" in index, page
