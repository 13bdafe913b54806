"""A scan for English left in Danish output: the words below are common in govcore's English messages and
are not Danish words, so one of them in Danish output is an untranslated message.

Words that are also Danish ("for", "have", "status", "deadline", "test", "version", "database", "data", "plan") are
not in the list. Identifiers a person must type (`no_data`, `g-job`, `--lang`) are skipped: only plain
words of letters count, and text inside `backticks` or 'quotes' is left out.
"""

from __future__ import annotations

import re

_WORDS = """
the of in on and or not with without from into which when where while this that these those there their is
are was were has had will would should must can cannot could been being does did goal goals
target targets action actions owner owners approver deviation deviations escalated escalation
follow-up followup follow-ups review reviewed overdue accepted rejected submitted demanded unknown
missing expected invalid error errors warning found file line column field value values period
periods figure figures latest older newer than every each none nothing only already yet rule rules
fired matched message messages passed failed scenario scenarios yes no true false day days week
weeks month months year years today tomorrow yesterday run runs stored configuration municipality
report wheel milestone milestones monthly quarterly yearly annual weekly daily previous next wrote chart
charts events
"""
ENGLISH = frozenset(re.findall(r"\S+", _WORDS))

_QUOTED = re.compile(r"`[^`]*`|'[^'\n]*'|\"[^\"\n]*\"")
_WORD = re.compile(r"(?<![\w\-./])[A-Za-z][a-z]+(?:-[a-z]+)?(?![\w\-./])")


def untranslated(text: str) -> list[str]:
    """The English words of the list in `text`, in order of appearance (lower-cased, repeats kept)."""
    plain = _QUOTED.sub(" ", text)
    return [w.lower() for w in _WORD.findall(plain) if w.lower() in ENGLISH]
