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


def domain_of(path: Path) -> str:
    rel = path.relative_to(ROOT).as_posix()
    for domain, patterns in DOMAINS:
        if any(fnmatch.fnmatch(rel, p) for p in patterns):
            return domain
    raise ValueError(f"{rel} is in no domain")


def sources() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py" or path.name.endswith(TEMPLATE_SUFFIXES):
            yield path


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
    found = {domain: new_catalog(domain) for domain, _ in DOMAINS}
    for path in sources():
        for message, line in extract(path):
            found[domain_of(path)].add(message, locations=[(path.relative_to(ROOT).as_posix(), line)])
    return found


def po_path(domain: str) -> Path:
    return CATALOGS / f"{domain}.po"


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
    CATALOGS.mkdir(parents=True, exist_ok=True)
    for domain, template in extracted().items():
        catalog = read(domain)
        if not len(template) and not po_path(domain).exists():
            continue
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po_path(domain).open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_lineno=False)


def compile_all() -> None:
    for po in sorted(CATALOGS.glob("*.po")):
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
