"""govcore's message catalogs: find the messages in the code, keep the Danish catalogs up to date, compile.

    .venv/bin/python scripts/i18n.py update     # add new messages to the .po files, drop unused ones
    .venv/bin/python scripts/i18n.py compile    # .po → .mo (the files govcore loads at run time)
    .venv/bin/python scripts/i18n.py check      # list messages without a Danish translation (exit 1)

Messages are English in the code, marked with `_()`, `N_()` or `ngettext()` in Python and with
`{% trans %}`, `_()` or `gettext()` in the jinja2 templates. Each source file belongs to one domain
(the first in DOMAINS whose pattern matches), and each domain has its own catalog,
govcore/locale/da/LC_MESSAGES/<domain>.po: the domains only split the catalog by owner so that work on
the command line and on the web pages never edits the same file. Translate in the .po file (an empty
msgstr is a missing translation; a fuzzy one does not count), then `update` and `compile`.

Each plugin under plugins/ is a domain of its own, named after its package (govcore_budget, …): its
catalog ships inside the package, plugins/<name>/govcore_<name>/locale/da/LC_MESSAGES/govcore_<name>.po
(+ .mo), and holds the messages of that package's Python files.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "govcore"
CATALOGS = PACKAGE / "locale" / "da" / "LC_MESSAGES"
PLUGINS = ROOT / "plugins"

# First match wins; "messages" takes every other source file.
DOMAINS: list[tuple[str, list[str]]] = [
    ("cli", ["govcore/cli.py", "govcore/*/cli.py", "govcore/ruletest/*.py", "govcore/describe.py"]),
    ("web", ["govcore/web/*", "govcore/server/*"]),
    ("report", ["govcore/report.py", "govcore/event_labels.py", "govcore/pdf.py", "govcore/charts.py",
                "govcore/goalchart.py", "govcore/templates/*", "govcore/notify/*"]),
    ("store", ["govcore/store/*", "govcore/access/*"]),
    ("messages", ["govcore/*"]),
]
PYTHON_KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
TEMPLATE_SUFFIXES = (".html", ".j2")
FIXED = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def new_catalog(domain: str) -> Catalog:
    """An empty catalog with a fixed header: `update` must not change a file when no message changed."""
    return Catalog(locale="da", domain=domain, project="govcore", version="", copyright_holder="govcore",
                   header_comment=f"# Danish messages of govcore ({domain}). Edit the msgstr lines; "
                                  "scripts/i18n.py keeps the rest.",
                   last_translator="govcore", language_team="govcore",
                   creation_date=FIXED, revision_date=FIXED, fuzzy=False)


def plugin_packages() -> list[Path]:
    """The package of every plugin under plugins/ (plugins/budget/govcore_budget, …): one domain each."""
    return sorted(p.parent for p in PLUGINS.glob("*/govcore_*/__init__.py"))


def domains() -> list[str]:
    """Every domain: govcore's own, then one per plugin (its package's name)."""
    return [d for d, _ in DOMAINS] + [p.name for p in plugin_packages()]


def domain_of(path: Path) -> str:
    for package in plugin_packages():
        if path.is_relative_to(package):
            return package.name
    rel = path.relative_to(ROOT).as_posix()
    for domain, patterns in DOMAINS:
        if any(fnmatch.fnmatch(rel, p) for p in patterns):
            return domain
    raise ValueError(f"{rel} is in no domain")


def sources() -> Iterator[Path]:
    """govcore's Python files and templates, and every plugin package's Python files."""
    for path in sorted(PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py" or path.name.endswith(TEMPLATE_SUFFIXES):
            yield path
    for package in plugin_packages():
        yield from sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def extract(path: Path) -> Iterator[tuple[str | tuple[str, str], int]]:
    """(message id, line) of every marked message in one source file; a plural is (singular, plural)."""
    if path.suffix == ".py":
        method, keywords, options = "python", PYTHON_KEYWORDS, {}
    else:
        method = "jinja2.ext:babel_extract"
        keywords = {"_": None, "gettext": None, "ngettext": (1, 2)}
        options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    for line, message, _comments, _context in extract_from_file(method, str(path), keywords=keywords,
                                                                   options=options):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            if singular and plural:
                yield (singular, plural), line
        elif message:
            yield message, line


def extracted() -> dict[str, Catalog]:
    """The messages the code uses now, one template catalog per domain."""
    found = {domain: new_catalog(domain) for domain in domains()}
    for path in sources():
        for message, line in extract(path):
            found[domain_of(path)].add(message, locations=[(path.relative_to(ROOT).as_posix(), line)])
    return found


def po_path(domain: str) -> Path:
    """A domain's Danish catalog: govcore's under govcore/locale, a plugin's inside its package."""
    package = next((p for p in plugin_packages() if p.name == domain), None)
    folder = CATALOGS if package is None else package / "locale" / "da" / "LC_MESSAGES"
    return folder / f"{domain}.po"


def po_files() -> list[Path]:
    """Every Danish catalog there is, govcore's and the plugins'."""
    return [path for path in (po_path(d) for d in domains()) if path.exists()]


def read(domain: str) -> Catalog:
    path = po_path(domain)
    if not path.exists():
        return new_catalog(domain)
    with path.open("rb") as handle:
        return read_po(handle, locale="da", domain=domain)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def update() -> None:
    for domain, template in extracted().items():
        catalog = read(domain)
        if not len(template) and not po_path(domain).exists():
            continue
        po_path(domain).parent.mkdir(parents=True, exist_ok=True)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po_path(domain).open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_lineno=False)


def compile_all() -> None:
    for po in po_files():
        po.with_suffix(".mo").write_bytes(compiled(read(po.stem)))


def missing() -> list[str]:
    """'file:line: message' for every message in the code without a Danish translation."""
    problems: list[str] = []
    for domain, template in extracted().items():
        catalog = read(domain)
        for message in template:
            if not message.id:
                continue
            have = catalog.get(message.id)
            strings = [] if have is None else (list(have.string) if isinstance(have.string, tuple | list)
                                               else [have.string])
            if have is None or have.fuzzy or not all(strings):
                where = ", ".join(f"{f}:{n}" for f, n in message.locations)
                ident = message.id[0] if isinstance(message.id, tuple) else message.id
                problems.append(f"{where}: no Danish for {ident!r} (in {po_path(domain).relative_to(ROOT)})")
    return problems


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        problems = missing()
        print("\n".join(problems) or "every message has a Danish translation")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
