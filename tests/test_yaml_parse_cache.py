"""A YAML text parsed before in the process is not parsed again, and nothing about the result changes.

`parse_yaml` keeps the plain data and positions of texts that parsed without a problem
(`sourcefile._Parsed`). What must hold: every caller gets its own copy, the options and limits that
decide a result are part of the key, errors are reported every time, the memory is bounded, and a
configuration loaded from kept texts is the same configuration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from govcore import sourcefile
from govcore.config import load_config
from govcore.errors import ConfigError
from govcore.sourcefile import YamlDoc, parse_yaml
from govcore.store.run import fingerprint_parts

ROOT = Path(__file__).resolve().parents[1]

TEXT = """\
name: Vejle
goals:
  - id: g1
    targets: [1, 2.5, true, null]
    owner: {role: leder}
  - id: g2
    due: 2021-03-01
"""


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    sourcefile._PARSED.clear()
    yield
    sourcefile._PARSED.clear()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts actually handed to the parser."""
    seen: list[str] = []
    real: Callable[[str, str, bool], YamlDoc] = sourcefile._parse

    def counting(text: str, path: str, keys_as_text: bool) -> YamlDoc:
        seen.append(text)
        return real(text, path, keys_as_text)

    monkeypatch.setattr(sourcefile, "_parse", counting)
    return seen


def test_a_text_parsed_again_is_an_equal_copy_of_its_own(parses: list[str]) -> None:
    first = parse_yaml(TEXT, "a.yaml")
    second = parse_yaml(TEXT, "b.yaml")
    assert parses == [TEXT]
    assert second.data == first.data and second.positions == first.positions
    assert second.path == "b.yaml" and second.problem(("goals", 1, "due"), "x").line == 7
    assert second.data["goals"][1]["due"] == "2021-03-01"
    first.data["goals"][0]["targets"].append(99)
    first.data["goals"][0]["owner"]["role"] = "changed"
    first.positions[("goals",)] = (40, 1)
    second.data["name"] = "changed too"
    third = parse_yaml(TEXT, "c.yaml")
    assert parses == [TEXT]
    assert third.data["goals"][0]["targets"] == [1, 2.5, True, None]
    assert third.data["goals"][0]["owner"] == {"role": "leder"}
    assert third.data["name"] == "Vejle"
    assert third.positions[("goals",)] == (2, 1)


def test_another_text_is_parsed(parses: list[str]) -> None:
    parse_yaml(TEXT)
    other = parse_yaml(TEXT.replace("Vejle", "Hillerød"))
    assert len(parses) == 2 and other.data["name"] == "Hillerød"


def test_numeric_keys_are_refused_when_the_text_was_accepted_with_them_as_text(english: None) -> None:
    text = "2021: 5\n2022: 6\n"
    assert parse_yaml(text, keys_as_text=True).data == {"2021": 5, "2022": 6}
    with pytest.raises(ConfigError) as err:
        parse_yaml(text, "figures.yaml")
    assert "must be text" in err.value.problems[0].message


def test_a_lower_limit_applies_to_a_text_parsed_before(monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    text = "values:\n" + "".join(f"  - value {i}\n" for i in range(200))
    assert len(parse_yaml(text).data["values"]) == 200
    monkeypatch.setenv("GOVCORE_MAX_YAML_MB", "0.001")
    with pytest.raises(ConfigError) as err:
        parse_yaml(text, "big.yaml")
    assert err.value.problems[0].file == "big.yaml"
    assert "larger than the limit" in err.value.problems[0].message


def test_an_error_is_reported_every_time(parses: list[str]) -> None:
    bad = "name: Vejle\ngoals:\n  - id: g1\n   owner: x\n"
    found = []
    for _ in range(2):
        with pytest.raises(ConfigError) as err:
            parse_yaml(bad, "bad.yaml")
        found.append([(p.file, p.line, p.column, p.message) for p in err.value.problems])
    assert len(parses) == 2 and found[0] == found[1] and found[0][0][1] == 4
    assert len(sourcefile._PARSED) == 0


def test_a_document_refused_for_its_content_is_not_kept() -> None:
    with pytest.raises(ConfigError):
        parse_yaml("when: !!python/object:os.system x\n")
    assert len(sourcefile._PARSED) == 0


def test_the_kept_texts_are_bounded_by_count_and_size(monkeypatch: pytest.MonkeyPatch, parses: list[str]) -> None:
    kept = sourcefile._Parsed()
    kept.MAX_DOCS = 3
    kept.MAX_TEXT = 60
    monkeypatch.setattr(sourcefile, "_PARSED", kept)
    texts = [f"n: {i}\n" for i in range(5)]
    for t in texts:
        parse_yaml(t)
    assert len(kept) == 3
    parse_yaml(texts[4])
    parse_yaml(texts[0])
    assert parses == [*texts, texts[0]]
    parse_yaml("long: " + "x" * 50 + "\n")
    assert len(kept) == 1
    parse_yaml("huge: " + "x" * 100 + "\n")
    assert len(kept) == 1


def _vejle_parts(start: dt.date) -> dict[str, Any]:
    return fingerprint_parts(load_config(ROOT / "examples" / "vejle"), start)


def test_a_configuration_loaded_from_kept_texts_is_the_same(parses: list[str]) -> None:
    start = dt.date(2021, 1, 1)
    fresh = _vejle_parts(start)
    distinct = len(set(parses))
    assert distinct == len(parses), "each text of examples/vejle is parsed once"
    assert distinct >= 10
    again = _vejle_parts(start)
    assert len(parses) == distinct, "a second load parses nothing"
    assert again == fresh
