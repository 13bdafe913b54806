"""Values that only ruamel's pure-Python path reads (anchors, aliases, merge keys): the data is what
the text says, positions point where a value is written, and ruamel's own classes stay untouched."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor

from govcore.sourcefile import parse_yaml, round_trip_yaml


def test_an_anchored_boolean_is_a_boolean_not_the_number_one() -> None:
    doc = parse_yaml("a: &yes true\nb: *yes\nc: &no false\nd: *no\n", "flags.yaml")
    assert doc.data == {"a": True, "b": True, "c": False, "d": False}
    assert [type(v) for v in doc.data.values()] == [bool, bool, bool, bool]


def test_a_merge_key_merges_and_a_merged_value_is_located_where_it_is_written() -> None:
    text = "base: &base\n  x: 1\n  y: two\nother:\n  <<: *base\n  y: 2\n"
    doc = parse_yaml(text, "merged.yaml")
    assert doc.data == {"base": {"x": 1, "y": "two"}, "other": {"y": 2, "x": 1}}
    assert doc.positions[("other", "y")] == (6, 3)
    assert doc.positions[("other", "x")] == (2, 3)


def test_a_merge_key_with_one_merged_key_and_an_inline_mapping() -> None:
    one = parse_yaml("base: &base\n  x: 1\nother:\n  <<: *base\n", "one.yaml")
    assert one.data == {"base": {"x": 1}, "other": {"x": 1}}
    assert one.positions[("other", "x")] == (2, 3)
    inline = parse_yaml("other:\n  <<: {x: 1, z: 3}\n  y: 2\n", "inline.yaml")
    assert inline.data == {"other": {"y": 2, "x": 1, "z": 3}}


def test_ruamels_shared_constructor_is_left_as_it_is() -> None:
    parse_yaml("when: &d 2021-03-01\nagain: *d\n", "dates.yaml")  # an anchor: the pure path
    assert YAML(typ="rt").load("d: 2021-03-01\n")["d"] == dt.date(2021, 3, 1)
    assert RoundTripConstructor.yaml_constructors["tag:yaml.org,2002:timestamp"] is (
        RoundTripConstructor.construct_yaml_timestamp)
    assert round_trip_yaml().load("d: 2021-03-01\n")["d"] == "2021-03-01"


def test_an_anchor_defined_again_means_the_latest_and_prints_no_warning() -> None:
    """YAML allows it; ruamel's warning went to a command's standard error raw, naming no file."""
    code = ("from govcore.sourcefile import parse_yaml; "
            "print(parse_yaml('a: &x 1\\nb: &x 2\\nc: *x\\n', 'again.yaml').data)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'a': 1, 'b': 2, 'c': 2}"
    assert done.stderr == ""
