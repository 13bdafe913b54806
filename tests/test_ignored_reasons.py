"""Why an answer had no effect: recorded in English (stored runs hold these texts), read in the
reader's language in the report and on the pages (`govcore.event_labels.ignored_reason`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from english_words import untranslated
from test_engine_workflow import LOW, _decision_rules, _types

from govcore.config import load_config
from govcore.engine import Engine
from govcore.event_labels import ignored_reason
from govcore.i18n import use_language
from govcore.report import render_report
from govcore.simulate import simulate

RESPONSES = """
responses:
  - {date: 2021-02-10, submit: {subject: g-ledige, text: Hvad?}}
  - {date: 2021-03-02, decide: {subject: g-ledige, option: close}}
  - {date: 2021-03-03, decide: {decision: dec-0009, option: close}}
  - {date: 2021-03-04, decide: {subject: g-job, option: close}}
  - {date: 2021-03-05, decide: {decision: dec-0001, option: continue}}
"""

DANISH = [
    "ingen åben korrigerende handling passer",
    "der er ingen åben beslutning om 'g-ledige'",
    "ukendt beslutning 'dec-0009' (mente du 'dec-0001'?)",
    "beslutningen 'dec-0001' blev truffet den 2021-03-04: close",
]


def _ignored(cfg_path: Path) -> list[str]:
    with Engine(load_config(cfg_path)) as engine:
        engine.advance_to(dt.date(2021, 6, 30))
        return [str(e.details["reason"]) for e in _types(engine.events, "response_ignored")]


def test_recorded_reasons_stay_english_and_read_danish(make_config: Callable[..., Path], tmp_path: Path) -> None:
    path = make_config(rules=_decision_rules(tmp_path), observations=LOW, responses=RESPONSES)
    recorded = _ignored(path)
    with use_language("en"):
        assert _ignored(path) == recorded  # the record does not follow the reader
        assert [ignored_reason(r) for r in recorded] == recorded
    assert recorded == [
        "no open corrective action matches", "no decision about 'g-ledige' is open",
        "unknown decision 'dec-0009' (did you mean 'dec-0001'?)",
        "decision 'dec-0001' was taken on 2021-03-04: close"]
    assert [ignored_reason(r) for r in recorded] == DANISH
    assert untranslated(" ".join(DANISH)) == []


def test_action_states_and_hints_are_reworded_and_other_texts_kept(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 3, 2))
        (action,) = engine.open_actions()
        (no_accept,) = engine.accept_action(action.id)
        (no_reject,) = engine.reject_action(action.id)
        engine.submit_action(action.id, "Plan A")
        (no_resubmit,) = engine.submit_action(action.id, "Plan B")
    reasons = [str(e.details["reason"]) for e in (no_accept, no_reject, no_resubmit)]
    assert [ignored_reason(r) for r in reasons] == [
        "kun en indsendt handling kan godkendes", "kun en indsendt handling kan afvises", "handlingen er indsendt"]
    assert ignored_reason("'lukk' is not an option of decision 'dec-0002' (did you mean 'luk'?)") == (
        "'lukk' er ikke en mulighed i beslutningen 'dec-0002' (mente du 'luk'?)")
    assert ignored_reason("unknown decision 'x' (no decision is open)") == (
        "ukendt beslutning 'x' (ingen beslutning er åben)")
    assert ignored_reason("unknown decision 'x' (open decisions: dec-0001, dec-0002)") == (
        "ukendt beslutning 'x' (åbne beslutninger: dec-0001, dec-0002)")
    assert ignored_reason("'x' is not an option of decision 'dec-0002' (expected one of: adjust, close)") == (
        "'x' er ikke en mulighed i beslutningen 'dec-0002' (forventede en af: adjust, close)")
    assert ignored_reason("the action is weird") == "handlingen er weird"  # a state it does not know: as recorded
    assert ignored_reason("Besvaret i telefonen") == "Besvaret i telefonen"  # not one of the templates


def test_the_danish_report_gives_the_reasons_in_danish(make_config: Callable[..., Path], tmp_path: Path) -> None:
    cfg = load_config(make_config(rules=_decision_rules(tmp_path), observations=LOW, responses=RESPONSES))
    result = simulate(cfg)
    md = render_report(result, "md")
    for text in DANISH:
        assert text in md
    assert "no open corrective action matches" not in md
    with use_language("en"):
        english = render_report(result, "md")
    assert "no open corrective action matches" in english and DANISH[0] not in english


def test_the_explanation_pages_give_the_reason_in_the_readers_language() -> None:
    from govcore.web.views.decisions import why

    recorded = {"response": "accept", "reason": "only a submitted action can be accepted"}
    view: Any = None  # an event without a rule does not consult the run's view
    assert why(view, "response_ignored", None, recorded, {}) == ("–", "kun en indsendt handling kan godkendes")
    with use_language("en"):
        assert why(view, "response_ignored", None, recorded, {}) == ("–", "only a submitted action can be accepted")
