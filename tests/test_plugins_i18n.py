"""The plugins' words: what a plugin records is the same whatever the reader's language (the Danish
record), what it tells a reader follows `--lang` like govcore's own messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from govcore.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("example", "plugin_made"), [("vejle", [b'"budget_area"', b'"survey_area"']),
                                                      ("hilleroed", [b'"initiative"', b'"decision_requested"'])])
def test_the_plugins_record_the_same_events_in_every_readers_language(tmp_path: Path, example: str,
                                                                      plugin_made: list[bytes]) -> None:
    written = {}
    for lang in ("da", "en"):
        out = tmp_path / lang
        result = CliRunner().invoke(main, ["--lang", lang, "simulate", str(ROOT / "examples" / example), "--out",
                                           str(out), "--format", "md"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        written[lang] = {name: (out / name).read_bytes() for name in ("events.jsonl", "summary.json")}
    assert written["da"] == written["en"]
    assert all(word in written["da"]["events.jsonl"] for word in plugin_made)  # the plugins took part


def test_a_plugins_error_at_the_command_line_follows_lang(tmp_path: Path) -> None:
    """The budget plugin's error, through `govcore check`: Danish by default, English with --lang en."""
    import shutil

    folder = tmp_path / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", folder)
    config = folder / "municipality.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  budget:\n", "  budget:\n    sheet: Tal\n", 1),
                      encoding="utf-8")
    danish = CliRunner().invoke(main, ["check", str(folder)])
    english = CliRunner().invoke(main, ["--lang", "en", "check", str(folder)])
    assert danish.exit_code != 0 and english.exit_code != 0
    assert "'sheet: Tal' er sat, men filen er ikke en Excel-projektmappe" in danish.output, danish.output
    assert "'sheet: Tal' is set, but the file is not a workbook" in english.output, english.output


def test_a_plugins_subject_kinds_are_named_in_the_readers_language() -> None:
    """`SubjectKind.label` with the plugin's `translate`: the report and the pages name the kind."""
    from govcore import load_plugins, use_language

    kinds = {name: spec for name, (_plugin, spec) in load_plugins().subject_kinds().items()}
    danish = {name: kinds[name].reader_label() for name in ("budget_area", "initiative", "offer", "survey_area")}
    assert danish == {"budget_area": "budgetområde", "initiative": "indsats", "offer": "tilbud",
                      "survey_area": "tilfredshedsområde"}
    with use_language("en"):
        assert kinds["budget_area"].reader_label() == "budget area"
        assert kinds["survey_area"].reader_label() == "satisfaction area"
