"""The words a person reads, in their language: Danish by default, English on request.

govcore's readers are Danish administrators, team leaders and committee members, so Danish is the
default everywhere a person reads something (command line, errors, explanations, reports, e-mails,
web pages). English is there for those who ask: `--lang en`, `GOVCORE_LANG=en`, or a browser whose
preferred language is English.

Messages are written in English in the code (the gettext convention: the message id is the English
text) and translated through gettext catalogs: `govcore/locale/da/LC_MESSAGES/<domain>.po`, compiled to
`.mo` beside it by `scripts/i18n.py compile`. The domains only split the catalog by owner (command line,
web pages, report and e-mails, library messages); at run time they are one catalog. Loading uses the
standard library's `gettext` on the compiled files, so `govcore --help` does not import Babel.

The language is chosen per context (a `ContextVar`): the command line sets it once, the server per
request, so two requests in different languages never see each other's words. Without a choice,
`GOVCORE_LANG` decides, and without that, Danish.

What is *recorded* is not translated: the decision log's texts (rule messages written by the
municipality, explanations stored with a decision) stay in the language they were recorded in, so the
same inputs give the same events byte for byte whatever language the reader uses.
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "DEFAULT",
    "ENV",
    "LANGUAGES",
    "N_",
    "LanguageError",
    "Translations",
    "_",
    "from_accept_language",
    "install_jinja",
    "language",
    "ngettext",
    "parse_language",
    "set_language",
    "translations",
    "use_language",
]

LANGUAGES = ("da", "en")
DEFAULT = "da"
ENV = "GOVCORE_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_ALIASES = {"da": "da", "dansk": "da", "danish": "da", "en": "en", "engelsk": "en", "english": "en"}
_chosen: ContextVar[str | None] = ContextVar("govcore_language", default=None)


class LanguageError(ValueError):
    """A language govcore has no words for; the message names the ones it has."""


def parse_language(text: str | None) -> str | None:
    """'da', 'da-DK', 'da_DK.UTF-8', 'en-GB', 'dansk', 'English' → 'da' or 'en'; anything else → None."""
    if not text:
        return None
    head = text.strip().lower().replace("_", "-").split(".")[0].split("-")[0]
    return _ALIASES.get(head)


def _checked(text: str, where: str) -> str:
    found = parse_language(text)
    if found is None:
        raise LanguageError(
            _("unknown language '{value}' in {where}: choose {choices}").format(
                value=text, where=where, choices=_(" or ").join(LANGUAGES)))
    return found


def language() -> str:
    """The reader's language now: the context's choice, else `GOVCORE_LANG`, else Danish.

    An unreadable `GOVCORE_LANG` falls back to Danish here (a library must not fail on a reader's
    setting); the command line checks it and says what is wrong."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    return parse_language(os.environ.get(ENV)) or DEFAULT


def env_language() -> str | None:
    """`GOVCORE_LANG`, checked: None when unset, LanguageError when it names no language govcore has."""
    value = os.environ.get(ENV)
    return None if not value else _checked(value, ENV)


def set_language(lang: str, where: str | None = None) -> Token[str | None]:
    """Choose the language of this context ('da', 'en', 'da-DK', …); LanguageError for any other,
    naming `where` it came from (an option such as `--lang`)."""
    return _chosen.set(_checked(lang, where or _("the language setting")))


@contextmanager
def use_language(lang: str) -> Iterator[str]:
    """`with use_language("en"):` — the language of everything read inside the block."""
    token = set_language(lang)
    try:
        yield _chosen.get() or DEFAULT
    finally:
        _chosen.reset(token)


def from_accept_language(header: str | None, default: str = DEFAULT) -> str:
    """The browser's preferred language govcore has, from an Accept-Language header
    ('en-US,en;q=0.9,da;q=0.8' → 'en'); q=0 means "not this one". Ties keep the header's order."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        name, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found = parse_language(name)
        if found is not None and quality > 0:
            ranked.append((-quality, position, found))
    return min(ranked)[2] if ranked else default


@cache
def _translations(lang: str) -> _gettext.NullTranslations:
    """Every domain's compiled catalog for `lang`, chained into one (English needs none: the ids are
    English)."""
    if lang == "en":
        return _gettext.NullTranslations()
    merged: _gettext.NullTranslations | None = None
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.mo")):
        with path.open("rb") as handle:
            catalog = _gettext.GNUTranslations(handle)
        if merged is None:
            merged = catalog
        else:
            merged.add_fallback(catalog)
    return merged or _gettext.NullTranslations()


def _(message: str) -> str:
    """`message` (English) in the reader's language."""
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the reader's language."""
    return _translations(language()).ngettext(singular, plural, n)


def reword(text: str, templates: Sequence[str], words: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A text recorded in English from one of `templates` (its message ids, `{name}` placeholders), in
    the reader's language; any other text as it is.

    Some texts were recorded in English before recorded texts were Danish, and must stay so (a stored
    run replays to the same bytes); a reader gets them in their language all the same. The values in
    the placeholders are reworded too (a hint inside a message), or looked up in `words[name]`
    (message ids of a closed set, such as states). A template ending in ': ' also matches a text that
    goes on after it (a list the code appended)."""
    if language() == "en":
        return text
    for template in templates:
        found = _template_pattern(template).fullmatch(text)
        if found is None:
            continue
        if template.endswith(": ") and not template.count("{"):
            return _(template) + text[len(template):]
        values = {name: _(words[name][value]) if words and name in words and value in words[name]
                  else reword(value, templates, words) for name, value in found.groupdict().items()}
        return _(template).format(**values)
    return text


@cache
def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(parts))
    return re.compile(pattern + (".*" if template.endswith(": ") and "{" not in template else ""), re.S)


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it now (module-level constants are built
    before anyone has chosen a language): translate it where it is read, with `_(CONSTANT)`."""
    return message


class Translations:
    """The messages of one gettext domain that is not govcore's own — a plugin's — in the reader's language.

    A plugin ships its Danish catalog in its own package (`<localedir>/da/LC_MESSAGES/<domain>.mo`)
    and marks its messages with this object's `gettext` and `ngettext` (bound to `_` and `ngettext`
    in the plugin, so that `scripts/i18n.py` and Babel find them). The language is govcore's
    (`language()`: `--lang`, `GOVCORE_LANG`, the browser, `use_language`), asked at every call, so a
    plugin follows the reader like the core does. A language without a compiled catalog (English,
    or a plugin that has none yet) gives the English message ids."""

    def __init__(self, domain: str, localedir: str | Path) -> None:
        self.domain = domain
        self.localedir = Path(localedir)
        self._catalogs: dict[str, _gettext.NullTranslations] = {}

    def _catalog(self) -> _gettext.NullTranslations:
        lang = language()
        found = self._catalogs.get(lang)
        if found is None:
            path = self.localedir / lang / "LC_MESSAGES" / f"{self.domain}.mo"
            if lang == "en" or not path.is_file():
                found = _gettext.NullTranslations()
            else:
                with path.open("rb") as handle:
                    found = _gettext.GNUTranslations(handle)
            self._catalogs[lang] = found
        return found

    def gettext(self, message: str) -> str:
        """`message` (English) in the reader's language."""
        return self._catalog().gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for `n`, in the reader's language."""
        return self._catalog().ngettext(singular, plural, n)


def translations(domain: str, localedir: str | Path) -> Translations:
    """A plugin's catalog: `translations("govcore_budget", Path(__file__).parent / "locale")`.
    See docs/plugins.md ("A plugin's messages in the reader's language")."""
    return Translations(domain, localedir)


def install_jinja(env: jinja2.Environment) -> None:
    """Give a jinja2 environment `{% trans %}`, `_()`, `gettext()` and `ngettext()` in the reader's
    language at render time (the environment is built once and shared by every language)."""
    env.add_extension("jinja2.ext.i18n")
    installer: Any = env
    installer.install_gettext_callables(gettext=_, ngettext=ngettext, newstyle=True)
