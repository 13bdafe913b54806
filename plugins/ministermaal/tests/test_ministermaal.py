"""The ministermål plugin: shipped data, loader checks with located errors, and entry-point discovery."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from english_words import untranslated
from govcore_ministermaal import available_years, load_file, load_year
from govcore_ministermaal.loader import LOCAL_AMBITION
from govcore_ministermaal.plugin import govcore_national_goals, govcore_wheel_events

from govcore import InputError, load_plugins, use_language

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

# Seed 002 (Vejle, Beskæftigelsesplan 2020-23, 2021 part and its annex): title, status, and the
# measures of the annex's "Det måles ved" without Vejle's own direction and ambition.
SEED_2021 = [
    ("Alle ledige skal have en værdig sagsbehandling", "new",
     ["Borgere spørges om deres erfaringer med jobcentret gennem brugeroplevelse",
      "Stadfæstelsesprocenten"]),
    ("Flere ledige skal opkvalificeres", "new",
     ["Andel ledige, der er i beskæftigelse 3 mdr. efter endt ordinær uddannelse",
      "Andelen af ledige, der opkvalificeres"]),
    ("Flere flygtninge og familiesammenførte skal være selvforsørgende", "continued",
     ["Andelen af beskæftigede flygtninge og familiesammenførte til flygtninge"]),
    ("Flere personer med handicap skal i beskæftigelse", "continued",
     ["Andelen af borgere på ledighedsydelse samt andelen af borgere i job og uddannelse på "
      "jobafklaring og ressourceforløbsydelse"]),
    ("Virksomhederne skal sikres den nødvendige og kvalificerede arbejdskraft", "continued",
     ["Den procentvise andel af forgæves rekrutteringer",
      "Andelen af afsluttede jobåbninger med ansættelse af formidlet kandidat"]),
]


def test_2021_matches_seed_002() -> None:
    goals = govcore_national_goals(2021)
    assert goals is not None
    assert len(goals) == 5
    for goal, (title, status, measures) in zip(goals, SEED_2021, strict=True):
        assert goal.title == title
        assert goal.status == status
        assert goal.measures == measures
        assert goal.year == 2021
    assert [g.id for g in goals] == [f"mm2021-{n}" for n in range(1, 6)]
    assert [g.measure_ids for g in goals] == [[], ["MM17"], ["MM13"], [], []]


def test_every_year_2015_to_2024_is_shipped() -> None:
    assert available_years() == list(range(2015, 2025))


@pytest.mark.parametrize("year", range(2015, 2025))
def test_year_loads_with_unique_ids_numbers_and_sources(year: int) -> None:
    goal_set = load_year(year)
    assert goal_set is not None
    goals = goal_set.goals
    assert goals, f"{year} has no goals"
    assert [g.number for g in goals] == list(range(1, len(goals) + 1))
    assert len({g.id for g in goals}) == len(goals)
    assert all(g.year == year for g in goals)
    for g in goals:
        assert g.source.strip(), f"{g.id} has no source"
        assert g.title.strip()
        # an unknown measure must be said out loud, not left silently empty
        assert g.measures or goal_set.goal_notes.get(g.id), f"{g.id}: no measures and no note"


def test_no_goals_for_a_year_without_a_file() -> None:
    assert govcore_national_goals(1999) is None
    assert load_year(2099) is None


def test_announcement_of_2024_goals_is_a_dated_as_of_event_in_2023() -> None:
    events = govcore_wheel_events(2023)
    assert events is not None and len(events) == 1
    event = events[0]
    assert event.kind == "as_of"
    assert event.date == dt.date(2023, 6, 30)
    assert "2024" in event.title
    assert "star.dk" in event.description and "star.dk" in event.source
    # the minister announces; it is a date to know, not a deadline for any municipal role
    assert (event.by_others, event.responsible) == ("Beskæftigelsesministeren", None)
    # no cited announcement date, no event
    assert govcore_wheel_events(2020) is None


def test_plugin_is_found_through_the_entry_point() -> None:
    plugins = load_plugins()
    assert not plugins.failures, [str(f) for f in plugins.failures]
    assert "ministermaal" in plugins.names()
    answer = plugins.national_goals(2021)
    assert answer is not None
    name, goals = answer
    assert name == "ministermaal"
    assert [g.title for g in goals] == [t for t, _, _ in SEED_2021]
    assert [e.date for _, e in plugins.wheel_events(2023)] == [dt.date(2023, 6, 30)]


GOOD = """\
year: 2030
goals:
  - id: mm2030-1
    number: 1
    title: "Et mål"
    status: new
    measures: ["En måling"]
    source: "En kilde"
confidence: high
checked_against:
  - {source: "STAR, nyhed", kind: agency, finding: "Et mål"}
"""


def test_a_valid_file_in_tmp_path_loads(tmp_path: Path) -> None:
    path = tmp_path / "ministermaal-2030.yaml"
    path.write_text(GOOD, encoding="utf-8")
    goal_set = load_file(path)
    assert [g.id for g in goal_set.goals] == ["mm2030-1"]
    assert load_year(2030, tmp_path) == goal_set


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_file(path)
    return [p.format() for p in info.value.problems]


def test_a_broken_file_gives_located_errors(tmp_path: Path) -> None:
    path = tmp_path / "ministermaal-2030.yaml"
    path.write_text(
        "year: 2030\n"                       # 1
        "goals:\n"                           # 2
        "  - id: mm2030-1\n"                 # 3
        "    number: 1\n"                    # 4
        "    titel: Et mål\n"                # 5  unknown field (typo of title)
        "    status: nyt\n"                  # 6  not new|continued
        "    source: En kilde\n"             # 7
        "  - id: mm2030-7\n"                 # 8  id must be mm<year>-<number>
        "    number: 3\n"                    # 9  out of order
        "    title: Et andet mål\n"          # 10
        "    status: continued\n"            # 11
        "    measure_ids: [MM-13]\n",        # 12 not a Jobindsats id; no measures and no note
        encoding="utf-8",
    )
    problems = _problems(path)
    text = "\n".join(problems)
    assert f"{path}:5:5: goals[0].titel: unknown field 'titel'" in text
    assert "did you mean 'title'" in text
    assert f"{path}:6:5: goals[0].status: 'nyt' is not allowed" in text
    assert any(p.startswith(f"{path}:9:") and "out of order" in p for p in problems)
    assert any(p.startswith(f"{path}:8:") and "use 'mm2030-3'" in p for p in problems)
    assert any(p.startswith(f"{path}:12:") and "measure id 'MM-13'" in p for p in problems)
    assert any("no measures are given" in p for p in problems)


def test_an_administrator_reads_the_errors_of_a_goal_file_in_danish(tmp_path: Path, danish: None) -> None:
    """Danish by default (the module's other tests pin the English ids); English on request."""
    path = tmp_path / "ministermaal-2031.yaml"
    path.write_text(GOOD.replace('    source: "En kilde"\n', "").replace("number: 1", "number: 2"), encoding="utf-8")
    text = "\n".join(_problems(path))
    assert f"{path}:1:1: year: året 2030 passer ikke med filnavnet (tip: kald filen ministermaal-2030.yaml)" in text
    assert "hvert mål skal have en offentlig kilde" in text
    assert "mål nummer 2 står uden for rækkefølgen; forventede 1" in text
    with pytest.raises(InputError) as err:
        load_file(path)
    assert untranslated(" ".join(f"{p.message} {p.hint}" for p in err.value.problems)) == []  # fields are keys
    with use_language("en"):
        assert "year 2030 does not match the file name" in "\n".join(_problems(path))


def test_missing_source_and_year_mismatch_are_located(tmp_path: Path) -> None:
    path = tmp_path / "ministermaal-2031.yaml"
    path.write_text(GOOD.replace('    source: "En kilde"\n', ""), encoding="utf-8")
    problems = _problems(path)
    assert any(p.startswith(f"{path}:1:1:") and "does not match the file name" in p for p in problems)
    assert any(p.startswith(f"{path}:3:") and "public source" in p for p in problems)


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "ministermaal-2030.yaml"
    path.write_text("year: 2030\ngoals:\n  - id: mm2030-1\n    title: [unclosed\n", encoding="utf-8")
    problems = _problems(path)
    assert problems and problems[0].startswith(f"{path}:")
    assert "YAML syntax error" in problems[0]


def test_a_wrongly_named_file_is_an_error_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "ministermaal-2030.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "ministermal-2031.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(InputError, match=r"ministermaal-YYYY\.yaml"):
        available_years(tmp_path)


def test_the_ministers_words_are_kept_apart_from_vejles_ambitions() -> None:
    """Vejle's plan quotes the minister's letter ("Mit tredje mål videreføres fra 2020") and, in its
    annex, adds its own ambitions ("skal stige, og ambitionen er top 20 i landet"). The data keeps
    the letter and the measurements; the ambitions are Vejle's goals, in the example."""
    goal_set = load_year(2021)
    assert goal_set is not None
    assert set(goal_set.minister_words) == {f"mm2021-{n}" for n in range(1, 6)}
    assert goal_set.minister_words["mm2021-3"].startswith("Mit tredje mål videreføres fra 2020.")
    for year in range(2015, 2025):
        ys = load_year(year)
        assert ys is not None
        for g in ys.goals:
            for text in (g.title, *g.measures):
                assert not LOCAL_AMBITION.search(text), f"{g.id}: {text}"


@pytest.mark.parametrize("year", range(2015, 2025))
def test_each_year_says_what_it_was_checked_against_and_how_sure_it_is(year: int) -> None:
    goal_set = load_year(year)
    assert goal_set is not None and goal_set.checked_against
    kinds = {c.kind for c in goal_set.checked_against}
    if goal_set.confidence == "high":
        assert kinds & {"minister", "agency"}, "only the minister or an agency makes a set certain"
    else:
        assert goal_set.note, "an uncertain set says why"
    for d in goal_set.disagreements:
        assert len(d.says) >= 2 and d.about


def test_the_early_years_are_the_least_certain() -> None:
    rank = {"low": 0, "medium": 1, "high": 2}
    sets = [load_year(y) for y in range(2015, 2025)]
    levels = [rank[s.confidence] for s in sets if s is not None]
    assert levels[:2] == [0, 0] and max(levels[:3]) < 2
    assert {s.year for s in sets if s is not None and s.disagreements} == {2019, 2020}


def test_an_ambition_a_high_set_without_an_agency_and_a_missing_check_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "ministermaal-2030.yaml"
    path.write_text(GOOD.replace('["En måling"]', '["Andelen skal stige, og ambitionen er top 20 i landet"]')
                    .replace("kind: agency", "kind: municipal_plan"), encoding="utf-8")
    problems = "\n".join(_problems(path))
    assert "'skal stige' is a municipality's ambition" in problems
    assert "checked only against municipal plans is not 'high'" in problems
    path.write_text(GOOD.split("confidence:")[0], encoding="utf-8")
    problems = "\n".join(_problems(path))
    assert "how sure the set is" in problems and "what the set was checked against" in problems
