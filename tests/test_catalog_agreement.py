"""One English message, one Danish wording: a message that govcore's catalogs and a plugin's catalog
(or two of govcore's domains) both hold reads the same to a Danish reader.

The catalogs are kept apart by owner (scripts/i18n.py), so nothing made them agree: on main the
initiatives plugin's table said "Plads" where govcore's charts say "Placering" for "Rank" (the
target kind `rank` is `placering` in the configuration, too), and "starten" where govcore says
"begyndelsen" for "the start".
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted([*(ROOT / "govcore" / "locale").glob("da/LC_MESSAGES/*.po"),
                   *(ROOT / "plugins").glob("*/govcore_*/locale/da/LC_MESSAGES/*.po")])


def _danish() -> dict[str, dict[str, set[str]]]:
    """English message -> Danish wording -> the catalogs that give it."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in CATALOGS:
        with path.open("rb") as f:
            for m in read_po(f):
                if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string:
                    out[m.id][m.string].add(str(path.relative_to(ROOT)))
    return out


def test_the_catalogs_include_govcores_and_the_plugins() -> None:
    assert len(CATALOGS) > 5
    assert any("plugins" in p.parts for p in CATALOGS) and any("plugins" not in p.parts for p in CATALOGS)


def test_a_message_in_several_catalogs_has_one_danish_wording() -> None:
    found = _danish()
    differ = {msg: {s: sorted(c) for s, c in wordings.items()} for msg, wordings in found.items() if len(wordings) > 1}
    assert differ == {}
    assert set(found["Rank"]) == {"Placering"} and set(found["the start"]) == {"begyndelsen"}
