"""libyaml's parser (ruamel.yaml.clib) reads a YAML text to exactly what ruamel's pure-Python parser does.

`sourcefile._parse_in_c` lets libyaml read the texts the two parsers are known to read alike and
hands everything else (and every problem) to the pure parser. What must hold: the same data (types
and values) and the same positions for every YAML text of the repository, for YAML 1.1/1.2 edge
cases and for damaged texts; the same errors with the same file, line and column; a configuration
loaded either way is the same configuration; a deep document is refused as before (and never
crashes: libyaml's own composer, which recurses in C, is not used); without the extension everything
still loads.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from govcore import sourcefile
from govcore.config import load_config
from govcore.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    sourcefile._PARSED.clear()
    yield
    sourcefile._PARSED.clear()


def _typed(data: Any) -> Any:
    """The data with every value's type: 1 and 1.0 and True differ here, as they do to pydantic."""
    if isinstance(data, dict):
        return ("dict", [(k, _typed(v)) for k, v in data.items()])
    if isinstance(data, list):
        return ("list", [_typed(v) for v in data])
    return (type(data).__name__, repr(data))


def _outcome(text: str, keys_as_text: bool = False) -> tuple[Any, ...]:
    try:
        doc = sourcefile._parse(text, "f.yaml", keys_as_text)
    except ConfigError as err:
        return ("error", [(p.file, p.line, p.column, p.message, p.hint, p.field) for p in err.problems])
    except Exception as err:  # e.g. a merge key's KeyError in `_plain`: the same either way
        return ("exception", type(err).__name__, str(err))
    return ("ok", _typed(doc.data), sorted(doc.positions.items(), key=repr))


def _both(text: str, keys_as_text: bool = False) -> tuple[tuple[Any, ...], tuple[Any, ...], bool]:
    """(with libyaml, pure only, whether libyaml read it)."""
    assert sourcefile._CParser is not None
    fast = _outcome(text, keys_as_text)
    used = sourcefile._parse_in_c(text, "f.yaml", keys_as_text) is not None
    real = sourcefile._CParser
    sourcefile._CParser = None
    try:
        pure = _outcome(text, keys_as_text)
    finally:
        sourcefile._CParser = real
    return fast, pure, used


def _repository_files() -> list[str]:
    """The repository's files, found by walking it (CI's second leg runs in a copy without `.git`):
    hidden folders (`.git`, `.venv`), build output and caches are left out."""
    found: list[str] = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in {"build", "dist", "__pycache__",
                                                                                   "node_modules"}
                         and not d.endswith(".egg-info")]
        found += [str((Path(folder) / n).relative_to(ROOT)) for n in names]
    return found


def _repository_texts() -> list[tuple[str, str]]:
    files = _repository_files()
    texts = [(name, (ROOT / name).read_text(encoding="utf-8-sig")) for name in sorted(files)
             if name.endswith((".yaml", ".yml"))]
    for name in sorted(files):  # the examples in the documentation
        if name.endswith(".md"):
            blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / name).read_text(encoding="utf-8"), re.S)
            texts += [(f"{name}#{i}", block) for i, block in enumerate(blocks)]
    return texts


def test_the_extension_is_installed() -> None:
    """A declared dependency (pyproject.toml): without it every other test here would compare the
    pure parser with itself."""
    assert sourcefile._CParser is not None


def test_every_yaml_text_of_the_repository_reads_alike() -> None:
    texts = _repository_texts()
    assert len(texts) > 150
    read_by_c = 0
    for name, text in texts:  # keys_as_text changes only `_plain`, which both paths share: the edge cases try it
        fast, pure, used = _both(text)
        assert fast == pure, name
        read_by_c += used
    assert read_by_c > len(texts) * 3 // 4  # the rest have anchors, tabs or problems


def test_the_example_configurations_are_read_by_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    pure: list[str] = []
    real = sourcefile._load_pure

    def counting(text: str, path: str) -> Any:
        pure.append(path)
        return real(text, path)

    monkeypatch.setattr(sourcefile, "_load_pure", counting)
    for name in ("vejle", "hilleroed", "jobindsats"):
        load_config(ROOT / "examples" / name)
    assert pure == []


EDGE_CASES = [
    # booleans and nulls, YAML 1.1 and 1.2 spellings
    "a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: Yes\nh: NO\ni: On\nj: OFF\n",
    "a: true\nb: True\nc: TRUE\nd: false\ne: False\nf: FALSE\ng: tRUE\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL\n- \n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\n",
    "- ~\n- null\n-\n- ''\n- \"\"\n",
    # integers: octal, hexadecimal, binary, underscores, signs, leading zeros, big
    "a: 010\nb: 0o10\nc: 0x1F\nd: 0b101\ne: 1_000\nf: +12\ng: -0\nh: 007\ni: 0o_7\nj: 08\nk: 0x_A\n",
    "a: 123456789012345678901234567890\nb: -99999999999999999999\nc: 0\nd: 00\ne: +0o17\nf: -0x10\n",
    "a: 1_0_0\nb: _1\nc: 1__0\nd: 0b\ne: 0x\nf: 0o\n",
    # floats: exponents, dots, infinities, nan, underscores
    "a: 1.5\nb: .5\nc: 5.\nd: 1e3\ne: 1E-3\nf: -1.5e+3\ng: .inf\nh: -.Inf\ni: +.INF\nj: .nan\nk: .NaN\nl: 1_000.5\n",
    "a: 1.0\nb: 1.50\nc: 0.1e1\nd: 6.8523015e+5\ne: 685.230_15e+03\nf: 1.\ng: -.5\nh: +.5e2\n",
    # sexagesimal and other 1.1-only numbers (text in 1.2)
    "a: 1:20\nb: 190:20:30\nc: 1:20.5\nd: -1:20\n",
    # dates and timestamps (kept as text)
    "a: 2021-01-01\nb: 2021-1-1\nc: 2021-01-01T10:00:00Z\nd: 2021-01-01 10:00:00.5 +01:00\ne: 2021-02-30\n"
    "f: 2001-12-14t21:59:43.10-05:00\ng: 2021-13-45\nh: '2021-01-01'\n",
    "- 2021-09-30\n- 30.09.2021\n- 2021-09\n- 20210930\n",
    # quoting styles and escapes
    "a: 'single ''quoted'''\nb: \"double \\\"quoted\\\"\"\nc: \"\\u00e6\\x41\\U0001F600\"\nd: \"tab\\there\"\n"
    "e: \"\\N\\_\\L\\P\\e\\0\\a\\b\\v\\f\\r\\/\"\n",
    "a: \"line\\\n  continued\"\nb: \"two\n\n  lines\"\nc: 'fold\n  ed'\n",
    # block scalars: literal, folded, chomping, indentation indicators
    "a: |\n  one\n  two\n\nb: >\n  folded\n  text\n\n  para\nc: |-\n  strip\nd: |+\n  keep\n\n"
    "e: >2\n   indented\nf: x\n",
    "a: |\n    deeper\n  shallow\n",
    "- |\n  item\n- >-\n  folded item\n- last\n",
    # plain scalars with indicators inside
    "a: b:c\nb: http://example.com/x?y=1#frag\nc: a - b\nd: -x\ne: '- x'\nf: x#y\ng: x #comment\nh: ?x\ni: a, b\n",
    "url: https://www.jobindsats.dk/api/v2/data/y30r21/json\nratio: 3:1\nkey with spaces: value with spaces\n",
    "a: multi\n  line\n  plain\nb: next\n",
    # flow collections
    "a: [1, two, 3.0, true, null, [nested, {k: v}]]\nb: {x: 1, y: [2], z: {}}\nc: []\nd: {}\n",
    "a: [a, b,]\nb: {a: 1,}\nc: [a: 1, b]\nd: {a, b: c}\ne: [ 'q', \"r\" ]\n",
    "a: {a:1}\nb: [a:1]\nc: {\"a\":1}\nd: [http://x, y]\n",
    "[1, 2, 3]\n",
    "{a: 1}\n",
    "a: [\n  1,\n  2\n]\nb: {\n  c: 3\n}\n",
    # keys: numbers, booleans, null, complex, quoted, long
    "2021: a\n2022.5: b\ntrue: c\nnull: d\n'2023': e\n010: f\n1_000: g\n",
    "? complex\n: value\n? [a, b]\n: seq key\n",
    "\"quoted key\": 1\n'single': 2\nplain key: 3\n",
    "k" * 1100 + ": long key\n",
    "a: " + "x" * 20_000 + "\n",
    "a: \"" + "y " * 10_000 + "\"\n",
    "a: >\n" + "  z z z z z z z z\n" * 1_000,
    # merge keys without anchors, duplicates, documents
    "a:\n  <<: {b: 1}\n  c: 2\n",
    "<<: [{a: 1}, {b: 2}]\nc: 3\n",
    "a: 1\na: 2\n",
    "a: {b: 1, b: 2}\n",
    "---\na: 1\n",
    "---\na: 1\n...\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.1\n---\na: yes\nb: 010\n",
    "%YAML 1.2\n---\na: yes\n",
    "%TAG !e! tag:example.com,2000:\n---\na: 1\n",
    "",
    "# only a comment\n",
    "---\n",
    "plain scalar document\n",
    "'quoted document'\n",
    "- a\n- b\n",
    # comments and blank lines everywhere
    "# head\na: 1 # tail\n\n# between\nb:\n  # inside\n  - x # item\n  # after\n  - y\n\n# end\n",
    "a:    1\nb:\t2\n",
    # indentation variants
    "a:\n- 1\n- 2\nb:\n    - 3\n    -   4\n",
    "a:\n  - b: 1\n    c: 2\n  -   d: 3\n      e: 4\n",
    "- - - x\n    - y\n  - z\n- w\n",
    "a:\n  b:\n    c:\n      d:\n        e: deep\n",
    # non-ASCII text, keys and positions after it
    "æøå: ÆØÅ\nnavn: Beskæftigelsesplan 2020–23\nflow: {æ: 1, ø: 2, å: [ü, é, 😀]}\n'😀': emoji\n",
    "- [Århus, Ærø, Ølstykke]\n- {by: København, område: Østerbro}\n",
    "a: \u00a0nbsp\nb: x\u2003y\nc: \u200b\n",
    # line endings, tabs and characters the two parsers treat differently
    "a: 1\r\nb:\r\n  - 2\r\n  - 3\r\nc: {d: 4}\r\n",
    "a: 1\rb: 2\r",
    "a:\n\t- 1\n",
    "a: x\tafter tab\n",
    "\ufeffa: 1\n",
    "a: 1\n\ufeffb: 2\n",
    "a: x\x85b: 2\n",
    "a: x\u2028y\nb: 2\n",
    "a: x\u2029y\n",
    "a: \x07bell\n",
    "a: \x00\n",
    "a: \ud800\n",
    "a: \ufffe\n",
    # tags, anchors and aliases (read by the pure parser, and refused or accepted as before)
    "a: !!python/object:os.system ls\n",
    "a: !!str 1\nb: !!int '2'\nc: !!float 3\n",
    "a: !custom x\n",
    "a: &x true\nb: *x\n",
    "base: &b {owner: chef}\nuse: *b\n",
    "a: &a 1\nb: &a 2\nc: *a\n",
    "a: !!set {x, y}\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!timestamp 2021-01-01\n",
    # syntax errors
    "a: [1, 2\n",
    "a: {b: 1\n",
    "a: b: c\n",
    "a:\n  - 1\n - 2\n",
    "a: 'unterminated\n",
    "a: \"unterminated\n",
    "- a\nb: 1\n",
    "a: 1\n  b: 2\n",
    "key: value\n: no key\n",
    "a: @reserved\n",
    "a: `reserved\n",
    "a: %x\n",
    "a: |\n text\n  more\n wrong\n",
    "*undefined\n",
    "a: *undefined\n",
    "[a, b]]\n",
    "a: 1\n...\nb: 2\n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_read_alike(text: str) -> None:
    for keys_as_text in (False, True):
        fast, pure, _used = _both(text, keys_as_text)
        assert fast == pure


def test_the_edge_cases_of_values_are_read_by_libyaml() -> None:
    """The value cases above must really go through libyaml, or the comparison proves nothing."""
    plain = [t for t in EDGE_CASES[:27] if _both(t)[2]]
    assert len(plain) >= 24


def _mutations(text: str, rng: random.Random, count: int) -> Iterator[str]:
    pieces = [":", ": ", "-", "- ", " ", "  ", "\n", "\n  ", "'", '"', "[", "]", "{", "}", "#", " #", "|", ">",
              "?", ",", "æ", "\r\n", "\\", "0", "0o", ".", "e", "~", "&", "*", "!", "%", "@", "---\n", "...\n"]
    lines = text.splitlines(keepends=True)
    for _ in range(count):
        start = rng.randrange(max(len(lines) - 8, 1))
        window = "".join(lines[start:start + 8])
        pos = rng.randrange(len(window) + 1)
        kind = rng.randrange(4)
        if kind == 0:
            yield window[:pos] + rng.choice(pieces) + window[pos:]
        elif kind == 1:
            yield window[:pos] + window[pos + rng.randint(1, 3):]
        elif kind == 2:
            yield window[:pos] + rng.choice(pieces) + window[pos + 1:]
        else:
            cut = window.splitlines(keepends=True)
            i = rng.randrange(len(cut))
            yield "".join([*cut[:i], " " * rng.randint(1, 3) + cut[i], *cut[i + 1:]])


def test_damaged_texts_read_alike_or_fail_alike() -> None:
    """Seeded random damage to the example files: where libyaml reads a text, the pure parser must
    read it to the same data; where either refuses, the problem is the pure parser's."""
    rng = random.Random(12)
    names = ["examples/vejle/goals.yaml", "examples/vejle/kpis.yaml", "examples/vejle/organisation.yaml",
             "examples/vejle/wheel.yaml", "examples/vejle/municipality.yaml", "examples/hilleroed/goals.yaml",
             "rules/goals.yaml"]
    checked = read_by_c = 0
    for name in names:
        text = (ROOT / name).read_text(encoding="utf-8")
        for damaged in _mutations(text, rng, 40):
            fast, pure, used = _both(damaged)
            assert fast == pure, (name, damaged)
            checked += 1
            read_by_c += used
    assert checked == 40 * len(names) and read_by_c > checked // 5


def test_a_located_problem_has_the_same_place_either_way(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", folder)
    goals = folder / "goals.yaml"
    text = goals.read_text(encoding="utf-8")
    assert "    followup:" in text and "    owner:" in text
    goals.write_text(text.replace("    followup:", "    folowup:", 1).replace("    owner:", "    ownr:", 1),
                     encoding="utf-8")

    def problems() -> list[str]:
        sourcefile._PARSED.clear()
        with pytest.raises(ConfigError) as err:
            load_config(folder)
        return [p.format() for p in err.value.problems]

    fast = problems()
    monkeypatch.setattr(sourcefile, "_CParser", None)
    pure = problems()
    assert fast == pure
    assert any("goals.yaml:" in p and "folowup" in p for p in fast), fast
    assert any("goals.yaml:" in p and "ownr" in p for p in fast), fast


def test_a_configuration_loads_to_the_same_configuration_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    def loaded() -> list[tuple[str, str, str]]:
        sourcefile._PARSED.clear()
        cfg = load_config(ROOT / "examples" / "vejle")
        return [(v.fingerprint(), v.version(), repr(_typed(v.sources))) for v in cfg.versions]

    fast = loaded()
    monkeypatch.setattr(sourcefile, "_CParser", None)
    assert loaded() == fast


def test_a_deep_document_is_refused_and_never_crashes() -> None:
    """30,000 nested block sequences (60 kB, under the size and node limits): libyaml's composer,
    which recurses in C, crashed the process on it (a segmentation fault), and libyaml's path must
    leave it to the pure parser's depth check. In a child process, so a crash fails this test only."""
    code = ("from govcore.sourcefile import parse_yaml\n"
            "from govcore.errors import ConfigError\n"
            "try:\n    parse_yaml('- ' * 30_000 + 'x', 'deep.yaml')\n"
            "except ConfigError as err:\n    print(err.problems[0].format())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("deep.yaml:1:129: ") and " 64 " in done.stdout


def test_texts_beyond_plain_data_take_the_pure_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    pure: list[str] = []
    real = sourcefile._check_shape

    def counting(text: str, path: str) -> None:
        pure.append(text)
        real(text, path)

    monkeypatch.setattr(sourcefile, "_check_shape", counting)
    outside = ["a: &x 1\nb: *x\n", "a: !!str 1\n", "%YAML 1.1\n---\na: 1\n", "a: 1\n---\nb: 2\n", "a:\t1\n",
               "a: x\u2028y\n", "a: [1, 2\n", "a: 1\na: 2\n", "- " * 65 + "x\n"]
    inside = ["a: 1\n", "a: [1, {b: æ}]\r\n", "- 2021-01-01\n", "- " * 64 + "x\n"]
    for text in outside + inside:
        with contextlib.suppress(ConfigError):
            sourcefile.parse_yaml(text, "f.yaml")
    assert pure == outside


def test_without_the_extension_every_text_takes_the_pure_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[str] = []
    real: Callable[[str, str], Any] = sourcefile._load_pure
    monkeypatch.setattr(sourcefile, "_load_pure", lambda text, path: called.append(path) or real(text, path))
    monkeypatch.setattr(sourcefile, "_CParser", None)
    assert sourcefile.parse_yaml("a: [1, 2.5, yes]\n", "f.yaml").data == {"a": [1, 2.5, "yes"]}
    assert called == ["f.yaml"]


def test_dates_stay_text_when_libyaml_reads_the_first_text_of_a_process() -> None:
    """The pure parser's constructor is changed in place when it first runs; libyaml's path must not
    depend on that having happened. In a child process, where no text was parsed before."""
    code = ("from govcore.sourcefile import _parse_in_c\n"
            "doc = _parse_in_c('a: 2021-01-01\\nb: 2021-01-01 10:00:00\\n', 'f.yaml', False)\n"
            "print(repr(doc.data))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "{'a': '2021-01-01', 'b': '2021-01-01 10:00:00'}"


def test_a_document_over_the_node_limit_is_refused_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain values past `yaml_nodes` (no aliases needed): libyaml's path must not accept what the
    pure path refuses. The limit lowered so the text stays small."""
    monkeypatch.setattr(sourcefile, "limits", lambda: sourcefile.Limits(yaml_nodes=20))
    text = "a: [" + ", ".join(["1"] * 30) + "]\n"
    fast, pure, used = _both(text)
    assert fast == pure and not used
    assert fast[0] == "error" and "20" in fast[1][0][3]
    assert _both("a: [" + ", ".join(["1"] * 10) + "]\n")[2]
