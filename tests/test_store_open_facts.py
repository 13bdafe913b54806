"""Opening a stored run again checks its fact rows against the run's record, which needs the rule
versions its events name. Only an event that names a rule names one, so only those events'
details are parsed for it (`PersistentRun._load_facts`): before, every stored event's details
were parsed again at every opening (a 10-year run of examples/vejle: 3,849 of them, 384 naming a rule)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from govcore.config import Configuration
from govcore.store import facts
from govcore.store.db import Database
from govcore.store.run import EVENT, RUN, PersistentRun, simulate_persistent


def test_reopening_parses_only_the_details_of_events_naming_a_rule(vejle_config: Configuration, db: Database,
                                                                   rule_refs_given: list[list[tuple[str | None, Any]]]
                                                                   ) -> None:
    simulate_persistent(vejle_config, db, year=2021)
    with db.engine.connect() as conn:
        stored = [(r.rule, r.details) for r in conn.execute(sa.select(EVENT.c.rule, EVENT.c.details))]
    named = {(str(json.loads(d).get("rule_hash", "")), rule) for rule, d in stored if rule}
    ruled = sum(1 for rule, _ in stored if rule)
    assert named and ruled < len(stored)

    given = rule_refs_given
    given.clear()  # the simulation's own calls: only what follows counts
    with PersistentRun.open(db, vejle_config, year=2021, create=False) as run:
        assert run._refs == named  # the record checked and kept: the same rule versions as from every row
    assert [len(pairs) for pairs in given] == [ruled]  # seen to fail with every stored event (845) given
    assert all(rule for rule, _ in given[0])


def test_the_run_records_the_rule_versions_its_events_name(vejle_config: Configuration, db: Database) -> None:
    """Each commit adds the rule versions its events name to the run's record, taken only from the
    events that name a rule (`PersistentRun._next_facts`): the record is the one made from every
    stored row."""
    simulate_persistent(vejle_config, db, year=2021)
    with db.engine.connect() as conn:
        run_row = conn.execute(sa.select(RUN).where(RUN.c.municipality == "630")).one()
        stored = [(r.rule, json.loads(r.details)) for r in conn.execute(sa.select(EVENT.c.rule, EVENT.c.details))]
        digests = facts.load(conn, "630", "2021-01-01", run_row.fingerprint)
    refs = {(str(d.get("rule_hash", "")), rule) for rule, d in stored if rule}
    assert refs
    assert run_row.facts == facts.summarize(digests, refs)  # seen to fail with the rules of events without one
