"""Errors that users see.

Every error a user can cause carries a location (file, line, column, field) and, when a fix is
likely, a hint: administrators act on messages, not tracebacks. Errors are collected rather than
raised one at a time, so a broken file reports every root cause in one run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from govcore.i18n import _
from govcore.text import normalise_name


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input, in the author's terms."""

    file: str = ""
    line: int = 0
    column: int = 0
    message: str = ""
    rule: str = ""
    field: str = ""
    hint: str = ""

    def format(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = f"{where}: "
        if self.rule:
            text += _("rule '{rule}'").format(rule=self.rule) + ": "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += " (" + _("hint: {hint}").format(hint=self.hint) + ")"
        return text


class GovcoreError(Exception):
    """Base class of every error govcore raises on purpose."""


class InputError(GovcoreError):
    """Bad input: one or more problems, each with a location."""

    def __init__(self, problems: Sequence[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems)
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(p.format() for p in self.problems)


class ConfigError(InputError):
    """A configuration, wheel or data file is invalid."""


class RuleError(InputError):
    """A rule file is invalid."""


class PluginError(GovcoreError):
    """A plugin failed to load or raised inside a hook."""

    def __init__(self, plugin: str, hook: str, error: BaseException) -> None:
        self.plugin = plugin
        self.hook = hook
        self.error = error
        super().__init__(_("plugin '{plugin}' failed in {hook}: {error}").format(
            plugin=plugin, hook=hook, error=f"{type(error).__name__}: {error}"))


class EngineError(GovcoreError):
    """The engine was asked to do something impossible (e.g. move its clock backwards)."""


class DecisionError(EngineError):
    """An answer names no open decision, or an option the decision does not offer; `field` says
    which ('decision' or 'option')."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def did_you_mean(word: str, choices: Iterable[str], list_all: bool = True) -> str:
    """A hint naming the closest known word ("did you mean 'Vejle'?"), or listing up to 12 choices
    when none is close (unless `list_all` is false), or ''. Names are also compared loosely
    (`normalise_name`), so "Koebenhavn" finds "København". In the reader's language."""
    options = sorted(set(choices))
    close = closest(word, options)
    if close is not None:
        return _("did you mean '{word}'?").format(word=close)
    if list_all and 0 < len(options) <= 12:
        return one_of(options)
    return ""


def titled(title: str, ident: str) -> str:
    """A role, goal or KPI as a reader knows it: its title, with the id a person types in parentheses
    ("Arbejdsmarkedschef (arbejdsmarkedschef)"); only the id when it has no other title."""
    return f"{title} ({ident})" if title and title != ident else f"'{ident}'"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The known word closest to `word` (exactly as `did_you_mean` finds it), or None: for callers
    that build their own hint around it."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        by_key = {normalise_name(o): o for o in options}
        close = [by_key[k] for k in difflib.get_close_matches(normalise_name(word), list(by_key), n=1, cutoff=0.6)]
    return close[0] if close else None


def one_of(options: Iterable[str]) -> str:
    """"expected one of: a, b, c" in the reader's language."""
    return _("expected one of: {choices}").format(choices=", ".join(options))
