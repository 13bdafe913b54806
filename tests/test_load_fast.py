"""What a configuration load does once for all its dated versions (load-fast): rule files checked
once per load when the versions name the same files with the same vocabulary."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import pytest

import govcore.rules.loader as loader
from govcore.config import load_config
from govcore.errors import RuleError
from govcore.rules.loader import RuleSet, load_rules
from govcore.rules.vocabulary import Vocabulary

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"

RULE = """rules:
  - id: watch
    when: {{observation: {kpi}}}
    then: [flag_deviation]
"""


def _vocab(*kpis: str) -> Vocabulary:
    vocab = Vocabulary.build()
    vocab.kpi_ids = frozenset(kpis)
    return vocab


def test_a_load_checks_each_rule_file_once_per_vocabulary(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    check_text = loader.check_text

    def counted(text: str, path: str, vocab: Vocabulary) -> object:
        checked.append(path)
        return check_text(text, path, vocab)

    monkeypatch.setattr(loader, "check_text", counted)
    config = load_config(VEJLE)
    files = {p for v in config.versions for p in v.rules.files}
    # five versions; the last one's year adds a plugin wheel event, so its words differ
    assert len(config.versions) == 5
    assert sorted(checked) == sorted([*files, *files])


def test_the_versions_rules_are_those_each_would_get_alone() -> None:
    config = load_config(VEJLE)
    first = config.versions[0].rules
    for v in config.versions:
        alone = load_rules(list(v.rules.files), _words_of(v))
        assert v.rules.rules == alone.rules and v.rules.files == alone.files
        assert v.rules is not first or v is config.versions[0]  # each version its own RuleSet
        assert v.rules.rules is not first.rules or v is config.versions[0]


def _words_of(v: object) -> Vocabulary:
    from govcore.config import Configuration, vocabulary

    assert isinstance(v, Configuration)
    return vocabulary(v.plugins, v.wheel, v.kpis, v.organisation, v.deliverables, v.year)


def test_a_kept_rule_set_is_used_only_for_the_same_texts_and_words(tmp_path: Path, english: None) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(RULE.format(kpi="a"), encoding="utf-8")
    kept: dict[Hashable, RuleSet] = {}
    one = load_rules([path], _vocab("a"), kept)
    again = load_rules([path], _vocab("a"), kept)
    assert again.rules == one.rules and again is not one and again.rules is not one.rules
    again.rules.clear()
    assert load_rules([path], _vocab("a"), kept).rules == one.rules  # a caller's change is its own
    with pytest.raises(RuleError, match="no KPI has the id 'a'"):
        load_rules([path], _vocab("b"), kept)  # other words: checked again
    path.write_text(RULE.format(kpi="b"), encoding="utf-8")
    changed = load_rules([path], _vocab("a", "b"), kept)  # another text: checked again
    assert changed.rules[0].trigger_values == ("b",)
    path.write_text(RULE.format(kpi="c"), encoding="utf-8")
    with pytest.raises(RuleError, match="no KPI has the id 'c'"):
        load_rules([path], _vocab("a", "b"), kept)


def test_a_missing_rule_file_is_reported_every_time(tmp_path: Path, english: None) -> None:
    kept: dict[Hashable, RuleSet] = {}
    for _ in range(2):
        with pytest.raises(RuleError, match="file not found"):
            load_rules([tmp_path / "nowhere.yaml"], _vocab(), kept)
    assert kept == {}


def test_a_load_reads_each_configuration_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import govcore.config as config_module
    from govcore.wheel import Wheel

    read: list[str] = []
    from govcore.sourcefile import load_yaml

    wheel_load = Wheel.load

    def counted(path: str | Path) -> object:
        read.append(Path(path).name)
        return load_yaml(path)

    def wheel_counted(path: str | Path) -> Wheel:
        read.append(Path(path).name)
        return wheel_load(path)

    monkeypatch.setattr(config_module, "load_yaml", counted)
    monkeypatch.setattr(Wheel, "load", wheel_counted)
    config = load_config(VEJLE)
    assert len(config.versions) == 5
    assert sorted(read) == sorted(set(read))
    assert {"municipality.yaml", "organisation.yaml", "kpis.yaml", "wheel.yaml", "responses.yaml",
            "goals.yaml", "goals-2021.yaml"} <= set(read)
    first, later = config.versions[0], config.versions[-1]
    assert later.wheel is first.wheel
    assert later.organisation.roles == first.organisation.roles
    shared = [g for g in first.goals if g.id.startswith("fo")]  # goals.yaml's, named by every version
    assert shared and all(later.goal(g.id) is g for g in shared)


def _versions_naming(folder: Path, goals: str, bad: str) -> None:
    (folder / "goals-b.yaml").write_text(bad, encoding="utf-8")
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write(f"goals: {goals}\nversions:\n  - from: 2021-06-01\n    goals: [goals.yaml, goals-b.yaml]\n"
                "  - from: 2021-09-01\n    description: later\n")


BAD_GOAL = "goals:\n  - id: g-b\n    title: B\n    level: nowhere\n    owner: chef\n    kpi: jobrate\n"


@pytest.mark.parametrize("goals", ["[goals.yaml, goals-b.yaml]", "goals.yaml"],
                         ids=["several versions name it: reported once", "only a later version names it"])
def test_a_problem_in_a_file_is_reported_once_where_it_is(goals: str, make_config: object, english: None) -> None:
    from govcore.errors import ConfigError

    assert callable(make_config)
    folder = make_config()
    _versions_naming(folder, goals, BAD_GOAL)
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    where = [(Path(p.file).name, p.line, p.field) for p in err.value.problems]
    assert where == [("goals-b.yaml", 4, "goals[0].level")]
