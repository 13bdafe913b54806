"""Errors that users see.

Every error a user can cause carries a location (file, line, column, field) and, when a fix is
likely, a hint: administrators act on messages, not tracebacks. Errors are collected rather than
raised one at a time, so a broken file reports every root cause in one run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
            text += f"rule '{self.rule}': "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" (hint: {self.hint})"
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
        super().__init__(f"plugin '{plugin}' failed in {hook}: {type(error).__name__}: {error}")


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
    (`normalise_name`), so "Koebenhavn" finds "København"."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        by_key = {normalise_name(o): o for o in options}
        close = [by_key[k] for k in difflib.get_close_matches(normalise_name(word), list(by_key), n=1, cutoff=0.6)]
    if close:
        return f"did you mean '{close[0]}'?"
    if list_all and 0 < len(options) <= 12:
        return "expected one of: " + ", ".join(options)
    return ""
