"""The command line in the reader's language: help texts, click's own words, `--lang`.

Help texts are set when the commands are defined (at import, before anyone has chosen a language),
so they are message ids: `Command` and `Group` below read a command's help and its options' help in
the reader's language when the help is shown. click's own words (Usage, Options, error prefixes …) go
through govcore's catalog instead of the process-wide gettext. Nothing here loads Babel: the catalogs
are read with the standard library's gettext, so `govcore --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

from govcore.i18n import N_, LanguageError, _, env_language, ngettext, set_language

F = TypeVar("F", bound=Callable[..., Any])
EXIT_USAGE = 2

for _module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                click.types):
    if hasattr(_module, "_"):
        _module._ = _  # type: ignore[attr-defined]
    if hasattr(_module, "ngettext"):
        _module.ngettext = ngettext  # type: ignore[attr-defined]


def _click_words() -> None:  # pragma: no cover - never called: lists click's own words for the catalog
    N_("Usage:")
    N_("[OPTIONS]")
    N_("COMMAND [ARGS]...")
    N_("[COMMAND] [ARGS]...")
    N_("COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]...")
    N_("[COMMAND1] [ARGS]... [COMMAND2 [ARGS]...]...")
    N_("Options")
    N_("Commands")
    N_("Positional arguments")
    N_("Show this message and exit.")
    N_("Show the version and exit.")
    N_("Error: {message}")
    N_("Try '{command} {option}' for help.")
    N_("Invalid value: {message}")
    N_("Invalid value for {param_hint}: {message}")
    N_("Missing argument")
    N_("Missing option")
    N_("Missing parameter")
    N_("Missing {param_type}")
    N_("Missing parameter: {param_name}")
    N_("Missing command.")
    N_("No such option {name!r}.")
    N_("No such command {name!r}.")
    N_("Option {name!r} does not take a value.")
    N_("Argument {name!r} takes {nargs} values.")
    N_("default: {default}")
    N_("required")
    N_("env var: {var}")
    N_("(dynamic)")
    N_("Aborted!")
    N_("deprecated")
    N_("unknown error")
    N_("Could not open file {filename!r}: {message}")
    N_("{value!r} is not a valid {number_type}.")
    N_("{value} is not in the range {range}.")
    N_("{value!r} is not a valid boolean. Recognized values: {states}")
    N_("file")
    N_("directory")
    N_("path")
    N_("{name} {filename!r} does not exist.")
    N_("{name} {filename!r} is a file.")
    N_("{name} {filename!r} is a directory.")
    N_("{name} {filename!r} is not readable.")
    N_("{name} {filename!r} is not writable.")
    N_("Choose from:\n\t{choices}")
    N_("Do you want to continue?")
    N_("Error: invalid input")
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1)
    ngettext("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1)
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)
    ngettext("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}.", 1)
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1)


def _read_help(self: Any) -> str | None:
    text: str | None = self.__dict__.get("_help_id")
    return _(text) if text else text


def _keep_help(self: Any, value: str | None) -> None:
    self.__dict__["_help_id"] = value


# `help` is stored as the message id and read in the reader's language.
_HELP = property(_read_help, _keep_help)


def _metavar(name: str) -> property:
    """click's placeholders in the usage line (`[OPTIONS]`, `COMMAND [ARGS]...`), kept as message ids
    and read in the reader's language (`[TILVALG]`)."""
    key = f"_{name}_id"

    def read(self: Any) -> str | None:
        text: str | None = self.__dict__.get(key)
        return _(text) if text else text

    def keep(self: Any, value: str | None) -> None:
        self.__dict__[key] = value

    return property(read, keep)


class _Option(click.Option):
    help = _HELP


def _translated(param: click.Parameter, help_id: str | None = None) -> click.Parameter:
    if type(param) is click.Option:
        stored = param.__dict__.pop("help", None)
        param.__class__ = _Option
        param.help = help_id or stored
    return param


def _translate_params(command: click.Command) -> None:
    command.params = [_translated(p) for p in command.params]


def _help_option(option: click.Option | None) -> click.Option | None:
    return None if option is None else _translated(option, "Show this message and exit.")  # type: ignore[return-value]


class Command(click.Command):
    """A command whose help (and its options' help) is shown in the reader's language."""

    help = _HELP
    options_metavar = _metavar("options_metavar")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _translate_params(self)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))


class Group(click.Group):
    """A group whose help is shown in the reader's language; its commands and sub-groups are of the
    same kind (`command_class`, `group_class`)."""

    help = _HELP
    options_metavar = _metavar("options_metavar")
    subcommand_metavar = _metavar("subcommand_metavar")
    command_class = Command
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _translate_params(self)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(super().get_help_option(ctx))


def _choose_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """The caller (`main`) holds the language in a scope of its own, so setting it here ends with the
    command (a test's next command starts from the default again)."""
    if value is None:
        return
    try:
        set_language(value, "--lang")
    except LanguageError as err:
        raise click.UsageError(str(err), ctx) from None


def language_option(function: F) -> F:
    """`--lang da|en`, the language of everything the command prints."""
    return click.option("--lang", metavar="da|en", expose_value=False, is_eager=True, callback=_choose_language,
                        help=N_("The language of the output: da (Danish) or en (English). Default: the "
                                "GOVCORE_LANG environment variable, else Danish."))(function)


def check_environment() -> None:
    """A GOVCORE_LANG govcore has no words for is an error before anything else is read."""
    try:
        env_language()
    except LanguageError as err:
        click.echo(_("Error: {message}").format(message=err), err=True)
        sys.exit(EXIT_USAGE)
