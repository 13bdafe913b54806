"""Stored configurations: every file a run's configuration was built from, kept in the database so
that the run can be reported, verified and continued from the database alone (`govcore serve`,
`report --db`, `tick` without a configuration folder).

What is stored, per configuration version (`govcore_config_version` row): each file the loader
read — municipality.yaml, organisation, KPIs, every goal file of every dated version, the wheel,
observation CSVs, responses, plugin source files and the configuration's own rule files, also
those outside its folder that it allows (`allow_paths`, e.g. `../../rules/*.yaml`). Paths are
stored relative to the nearest folder holding all of them, so the layout (and with it every
relative name the configuration uses) is the same when the files are written out again.

Not stored: rule files that come from installed plugins (`plugin:budget`). They belong to the
plugin's code (their actions and subject kinds), like govcore's own code; running stored copies
against other plugin code would be a combination that never existed. Their hashes are in the
configuration version (`files`, `rules_version`), so a server whose installed plugins differ is
refused with a message naming the plugin's files, never run on different rules.

Rebuilding (`stored_configuration`) writes the files into a private temporary folder, loads them
with the normal loader and checks that the configuration's fingerprint is the stored one; any
difference or missing file is an error. A stored path is data from the database: it must be a
plain relative path (no absolute path, no `..`, no empty or `.` part), and files are created
only as new regular files in folders made for them, so a hostile row cannot write outside the
temporary folder or through a symbolic link.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import tempfile
import weakref
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa

from govcore.config import Configuration, load_config
from govcore.errors import GovcoreError
from govcore.i18n import _
from govcore.model import municipality as lookup
from govcore.store.db import Database, row_dicts
from govcore.store.tables import ConfigFileRow, ConfigVersion, Run, table

FILE = table(ConfigFileRow)
CONFIG = table(ConfigVersion)
RUN = table(Run)

CONFIGURATION = "configuration"  # the kind of the row holding municipality.yaml (what the loader is given)
MAX_DEPTH = 32  # folders in a stored path: more is not a configuration


class StoredConfigError(GovcoreError):
    """A run's configuration cannot be rebuilt from the database (not stored, incomplete, different)."""


# ------------------------------------------------------------------------------ collecting


def plugin_rule_files(cfg: Configuration, resolve: Callable[[str], Path] | None = None) -> set[Path]:
    """The rule files the installed plugins provide (resolved): not stored with a configuration.
    `resolve`: how a path's text is resolved (default `Path(text).resolve()`)."""
    real = resolve or _resolved
    out: set[Path] = set()
    for name in cfg.plugins.names():
        try:
            out.update(real(os.fspath(p)) for p in cfg.plugins.rule_files(name))
        except GovcoreError:
            continue
    return out


def _resolved(text: str) -> Path:
    return Path(text).resolve()


def _resolver() -> Callable[[str], Path]:
    """`Path(text).resolve()` for many paths in few folders, each folder resolved once.

    Resolving walks the path a system call per folder (`lstat`) and then `stat`s the result:
    a configuration's twenty-odd files, each six to eight folders deep, took a third of
    `collect` (examples/vejle). A path whose last part is a plain name of something that is not a
    symbolic link resolves to its folder's resolved path joined with that name — `realpath`
    itself resolves the folders first, then the name. Anything else (a link, a missing file,
    `.`, `..` or an empty last part) is resolved whole, as before."""
    folders: dict[str, str] = {}
    done: dict[str, Path] = {}

    def resolve(text: str) -> Path:
        found = done.get(text)
        if found is not None:
            return found
        head, name = os.path.split(text)
        if name not in ("", ".", ".."):
            folder = folders.get(head)
            if folder is None:
                folder = folders[head] = os.path.realpath(head)
            full = os.path.join(folder, name)
            try:
                if not stat.S_ISLNK(os.lstat(full).st_mode):
                    found = Path(full)
            except OSError:
                pass
        if found is None:
            found = Path(text).resolve()
        done[text] = found
        return found

    return resolve


def collect(cfg: Configuration) -> dict[str, tuple[str, bytes]]:
    """Every file of every version of `cfg` that is stored: {relative path: (kind, content)}.

    Paths are POSIX, relative to the nearest folder that holds the configuration folder and every
    file (a rule library in `../../rules` keeps its place next to the configuration).
    """
    return {rel: (kind, content) for rel, (kind, content, _) in _collected(cfg).items()}


def file_rows(cfg: Configuration, code: str, fingerprint: str) -> list[dict[str, Any]]:
    """The govcore_config_file rows of `cfg`'s configuration version: `collect`'s files, each with
    the SHA-256 made when it was read (hashing them all again, 128 kB for examples/vejle, was
    3.5 M instructions of a new 1-year run under valgrind, whose CPU has no SHA instructions;
    natively about 0.1 ms)."""
    return [{"municipality": code, "fingerprint": fingerprint, "path": path, "kind": kind, "sha256": digest,
             "content": content} for path, (kind, content, digest) in sorted(_collected(cfg).items())]


def _collected(cfg: Configuration) -> dict[str, tuple[str, bytes, str]]:
    """`collect`'s files, each as (kind, content, SHA-256 of the content)."""
    base = cfg.base_dir.resolve()
    found: dict[Path, str] = {}
    resolve = _resolver()
    plugin_rules = plugin_rule_files(cfg, resolve)
    # Each file resolved, read and hashed once: every dated version names the same files again
    # (examples/vejle: 16 files, named 80 times). Looked up by the path's text: making a `Path`
    # of each name the versions repeat, only to look it up, was a sixth of collecting's
    # instructions (examples/vejle, perf-store10).
    read: dict[Path, tuple[bytes, str]] = {}

    for v in cfg.versions or [cfg]:
        folder = os.fspath(v.base_dir)
        for name, digest in v.files.items():
            if name.startswith("rules:"):
                continue
            path = resolve(os.path.join(folder, name))
            if path not in read:
                if not path.is_file():
                    raise StoredConfigError(_("the configuration file {name} is not a file in {folder}; "
                                              "it cannot be stored").format(name=name, folder=v.base_dir))
                content = path.read_bytes()
                read[path] = (content, hashlib.sha256(content).hexdigest())
            content_hash = read[path][1]
            # municipality.yaml alone is hashed as its parsed settings (Configuration.version)
            kind = "file" if content_hash == digest else CONFIGURATION
            if found.get(path) != CONFIGURATION:
                found[path] = kind
        for rule_path in v.rules.files:
            path = resolve(os.fspath(rule_path))
            if path not in plugin_rules:
                found.setdefault(path, "file")
    configs = [p for p, k in found.items() if k == CONFIGURATION]
    if len(configs) != 1:
        raise StoredConfigError(_("cannot tell which file of {folder} is the configuration file "
                                  "({n} candidates); it cannot be stored").format(folder=cfg.base_dir, n=len(configs)))
    root = Path(os.path.commonpath([base, *found]))
    out: dict[str, tuple[str, bytes, str]] = {}
    for path, kind in sorted(found.items()):
        got = read.get(path)
        if got is None:
            content = path.read_bytes()
            got = (content, hashlib.sha256(content).hexdigest())
        out[path.relative_to(root).as_posix()] = (kind, *got)
    return out


def has_files(conn: sa.Connection, code: str, fingerprint: str) -> bool:
    return conn.execute(sa.select(FILE.c.path).where(
        FILE.c.municipality == code, FILE.c.fingerprint == fingerprint).limit(1)).first() is not None


# ------------------------------------------------------------------------------- writing out


def safe_path(text: str) -> PurePosixPath:
    """A stored path as a plain relative path, or StoredConfigError: nothing absolute, no `..`,
    no empty or `.` part, no backslash or NUL — so it names a place inside the folder it is
    written to, whatever the row says."""
    if not text or "\\" in text or "\x00" in text or text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        raise StoredConfigError(_("the stored configuration file path {path} is not a plain relative path").format(
            path=repr(text)))
    parts = text.split("/")
    if any(p in ("", ".", "..") for p in parts) or len(parts) > MAX_DEPTH:
        raise StoredConfigError(_("the stored configuration file path {path} is not a plain relative path "
                                  "(empty, '.' or '..' parts are refused)").format(path=repr(text)))
    return PurePosixPath(text)


def materialise(rows: Iterable[Mapping[str, Any]], folder: Path) -> Path:
    """Write the stored files into `folder` (empty, private), each as a new regular file; return the
    path of the configuration file. Raises StoredConfigError for a hostile or inconsistent row."""
    root = folder.resolve()
    config: Path | None = None
    for r in rows:
        rel = safe_path(str(r["path"]))
        content = bytes(r["content"])
        if hashlib.sha256(content).hexdigest() != r["sha256"]:
            raise StoredConfigError(_("the stored configuration file {path} does not match its recorded hash: the "
                                      "database was changed outside govcore").format(path=rel))
        where = root
        for part in rel.parts[:-1]:
            where = where / part
            try:
                os.mkdir(where, 0o700)
            except FileExistsError:
                if not stat.S_ISDIR(os.lstat(where).st_mode):
                    raise StoredConfigError(_("the stored configuration file {path} clashes with another stored "
                                              "file").format(path=rel)) from None
        target = where / rel.parts[-1]
        if not target.resolve().is_relative_to(root):  # cannot happen for a safe path; kept as a second wall
            raise StoredConfigError(_("the stored configuration file {path} would lie outside its folder").format(
                path=rel))
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            raise StoredConfigError(_("the stored configuration file {path} is stored twice or clashes with a "
                                      "stored folder").format(path=rel)) from None
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        if r["kind"] == CONFIGURATION:
            if config is not None:
                raise StoredConfigError(_("the stored configuration has two configuration files"))
            config = target
    if config is None:
        raise StoredConfigError(_("the stored configuration has no configuration file (municipality.yaml)"))
    return config


# ------------------------------------------------------------------------------- rebuilding


def _run_row(conn: sa.Connection, code: str, start: str | None) -> Any:
    q = sa.select(RUN).where(RUN.c.municipality == code)
    if start is not None:
        q = q.where(RUN.c.start == start)
    return conn.execute(q.order_by(RUN.c.start)).fetchall()


def stored_configuration(db: Database, municipality: str, start: str | dt.date | None = None, *,
                         observations_only: bool = False) -> Configuration:
    """The configuration of the stored run of `municipality` (code or name) from `start` (ISO date;
    None: the municipality's only run), rebuilt from the database alone.

    The stored files are written to a private temporary folder (removed when the configuration
    is no longer used — plugins may read their files while the engine runs), loaded with the
    normal loader, and the result must have the run's stored fingerprint. Raises
    StoredConfigError with a plain message otherwise (a run stored before configurations were
    kept, a file changed in the database, installed plugins with other rule files...).

    observations_only: the configuration is wanted only for its observations (the readers of a
    run's observation rows, govcore.store.config_observations): of the fingerprint, only the part
    that covers them must match, and files read from outside the database (rule files by
    absolute path, other installed plugin rule files) do not matter.
    """
    from govcore.store.run import config_fingerprint, fingerprint_parts, run_label

    try:
        code = lookup(municipality).code
    except ValueError as err:
        raise StoredConfigError(str(err)) from None
    key = start.isoformat() if isinstance(start, dt.date) else start

    def load(conn: sa.Connection) -> tuple[list[Any], Any, list[dict[str, Any]]]:
        runs = _run_row(conn, code, key)
        if len(runs) != 1:
            return runs, None, []
        run = runs[0]
        version = conn.execute(sa.select(CONFIG).where(CONFIG.c.municipality == code,
                                                       CONFIG.c.fingerprint == run.fingerprint)).first()
        files = row_dicts(conn.execute(sa.select(FILE).where(
            FILE.c.municipality == code, FILE.c.fingerprint == run.fingerprint).order_by(FILE.c.path)))
        return runs, version, files

    runs, version, rows = db.read(load)
    if not runs:
        raise StoredConfigError(_("{db} holds no run of {code} from {start}").format(
            db=db.display, code=code, start=key)
                                if key else _("{db} holds no run of {code}").format(db=db.display, code=code))
    if len(runs) > 1:
        raise StoredConfigError(_("{db} holds {n} runs of {code} (from {starts}): give the run's start").format(
            db=db.display, n=len(runs), code=code, starts=", ".join(str(r.start) for r in runs)))
    run = runs[0]
    label = run_label(str(run.name), code, str(run.start))
    if not rows or version is None:
        raise StoredConfigError(_("the run of {run} was stored before govcore kept configurations in the database: "
                                  "pass its configuration folder (--config DIR, or CONFIG); the next command that "
                                  "writes to the run with it stores the configuration").format(run=label))
    first = dt.date.fromisoformat(str(run.start))
    folder = Path(tempfile.mkdtemp(prefix="govcore-config-"))
    try:
        path = materialise(rows, folder)
        cfg = load_config(path, year=first.year)
        check = dataclasses.replace(cfg, responses=[]) if run.live else cfg
        parts = fingerprint_parts(check, first)
        if observations_only:
            if json.loads(version.parts).get("observations") != parts["observations"]:
                raise StoredConfigError(_difference(label, version, check, parts))
        elif config_fingerprint(check, first, parts) != run.fingerprint:
            raise StoredConfigError(_difference(label, version, check, parts))
        outside = [] if observations_only else _outside(cfg, folder)
        if outside:
            raise StoredConfigError(_("the configuration stored for the run of {run} names files by absolute path "
                                      "({files}): they would be read from this machine, not from "
                                      "the database; pass the configuration folder (--config), or name files "
                                      "relative to the configuration folder").format(
                                          run=label, files=", ".join(outside[:3])))
    except GovcoreError as err:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(err, StoredConfigError):
            raise
        raise StoredConfigError(_("the configuration stored for the run of {run} does not load: {problem}").format(
            run=label, problem=err)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(cfg, shutil.rmtree, folder, True)
    return cfg


def _outside(cfg: Configuration, folder: Path) -> list[str]:
    """Files the rebuilt configuration reads from elsewhere than `folder` (absolute paths in it)."""
    root = folder.resolve()
    plugin_rules = plugin_rule_files(cfg)
    paths = {(v.base_dir / n).resolve() for v in cfg.versions or [cfg] for n in v.files if not n.startswith("rules:")}
    paths |= {Path(p).resolve() for v in cfg.versions or [cfg] for p in v.rules.files} - plugin_rules
    return sorted(str(p) for p in paths if not p.is_relative_to(root))


def _difference(label: str, version: Any, cfg: Configuration, parts: Mapping[str, str]) -> str:
    stored_parts: dict[str, str] = json.loads(version.parts)
    stored_files: dict[str, str] = json.loads(version.files)
    what = sorted(p for p in set(stored_parts) | set(parts) if stored_parts.get(p) != parts.get(p))
    rules = sorted(n.removeprefix("rules:") for n in set(stored_files) | set(cfg.files)
                   if n.startswith("rules:") and stored_files.get(n) != cfg.files.get(n))
    differs = ", ".join(what) or _("fingerprint")
    if rules:
        return _("the configuration stored for the run of {run} does not rebuild exactly on this machine "
                 "(differs: {parts}); rule files that differ: {files} — rule files of installed plugins are not "
                 "stored, so install the plugin versions the run was stored with; or pass the configuration "
                 "folder (--config)").format(run=label, parts=differs, files=", ".join(rules))
    return _("the configuration stored for the run of {run} does not rebuild exactly on this machine "
             "(differs: {parts}); or pass the configuration folder (--config)").format(run=label, parts=differs)


def live_runs(db: Database) -> list[tuple[str, str]]:
    """(municipality, start) of every live run that is not complete — the runs a server keeps going."""

    def work(conn: sa.Connection) -> list[tuple[str, str]]:
        q = sa.select(RUN.c.municipality, RUN.c.start).where(RUN.c.live.is_(True), RUN.c.complete.is_(False))
        return [(str(r.municipality), str(r.start)) for r in conn.execute(q.order_by(RUN.c.municipality,
                                                                                     RUN.c.start))]

    return db.read(work)


__all__ = ["StoredConfigError", "collect", "live_runs", "materialise", "stored_configuration"]
