"""Guards that keep the documentation honest: every hook and every command is documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import click

from govcore import hookspecs
from govcore.cli import main

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(n for n, f in vars(hookspecs).items() if n.startswith("govcore_") and inspect.isfunction(f))


def _commands(group: click.Group, prefix: str = "govcore") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        out.append((path, cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, path))
    return out


def test_there_are_hooks() -> None:
    assert len(HOOKS) >= 6


def test_every_hook_has_a_docstring_saying_when_and_what() -> None:
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc) > 80, name
        assert "called" in doc.lower() or "call" in doc.lower(), name
        assert "return" in doc.lower(), name


def test_every_hook_is_in_the_plugin_docs() -> None:
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    missing = [h for h in HOOKS if f"`{h}(" not in text]
    assert not missing


def test_every_hook_is_implemented_and_tested_somewhere() -> None:
    sources = [p.read_text(encoding="utf-8") for p in [*ROOT.glob("plugins/*/govcore_*/**/*.py"),
                                                        *ROOT.glob("tests/*.py")]]
    tests = [p.read_text(encoding="utf-8") for p in [*ROOT.glob("plugins/*/tests/*.py"), *ROOT.glob("tests/*.py")]]
    for hook in HOOKS:
        assert any(f"def {hook}(" in s for s in sources), f"no plugin implements {hook}"
        assert any(hook in t or hook.removeprefix("govcore_") in t for t in tests), f"no test exercises {hook}"


def test_every_command_has_help_text_and_a_docs_entry() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = _commands(main)
    assert len(commands) >= 8
    for path, cmd in commands:
        assert cmd.help and len(cmd.help.strip()) > 20, f"{path} has no useful help text"
        assert f"## `{path}`" in text or f"### `{path}`" in text, f"{path} is missing from docs/cli.md"
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{path} {param.opts[0]} has no help text"


def _section(text: str, path: str) -> str:
    m = re.search(rf"^#+ `{re.escape(path)}`\n(.*?)(?=^#+ `govcore|\Z)", text, re.S | re.M)
    return m.group(1) if m else ""


def test_every_option_is_in_its_commands_docs_entry() -> None:
    """An option added to a command (`tick --all`, `fetch --municipality`) is documented where the
    command is — its own entry, or the group's entry it belongs to."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = []
    for path, cmd in _commands(main):
        entry = _section(text, path) + _section(text, path.rsplit(" ", 1)[0])
        for param in cmd.params:
            documented = any(re.search(rf"{re.escape(o)}(?![\w-])", entry) for o in param.opts)
            if isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts \
                    and not documented:
                missing.append(f"{path} {param.opts[0]}")
    assert missing == []


def test_docs_do_not_mention_commands_that_do_not_exist() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    known = {path for path, _ in _commands(main)}
    for line in text.splitlines():
        if line.startswith("## `govcore") or line.startswith("### `govcore"):
            assert line.split("`")[1] in known, line


def test_every_route_of_the_api_is_in_the_api_docs(tmp_path: Path) -> None:
    from govcore.server.app import create_app
    from govcore.server.settings import Settings

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    app = create_app(Settings(str(tmp_path / "govcore.db")))
    routes = [(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in sorted(ops)]
    assert len(routes) >= 15
    for method, path in routes:
        assert f"### `{method} {path}`" in text, f"{method} {path} is missing from docs/api.md"
    documented = {line.split("`")[1] for line in text.splitlines() if line.startswith("### `")}
    assert documented == {f"{m} {p}" for m, p in routes}, documented ^ {f"{m} {p}" for m, p in routes}


def test_the_notifications_section_documents_every_smtp_setting() -> None:
    from govcore.notify import mail

    text = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    section = " ".join(text.split("## Notifications", 1)[1].split("\n## ", 1)[0].split())
    names = [mail.ENV_HOST, mail.ENV_PORT, mail.ENV_USER, mail.ENV_PASSWORD, mail.ENV_STARTTLS, mail.ENV_FROM,
             mail.ENV_BASE_URL]
    assert all(f"`{n}" in section for n in names), [n for n in names if f"`{n}" not in section]
    for command in ("list", "send", "retry"):
        assert f"govcore notifications {command}" in section
    assert "Message-ID" in section and "at least once" in section  # the guarantee, stated


def _python_api_rows() -> dict[str, set[str]]:
    """The names in the first cell of each table row of docs/python-api.md, by the heading above."""
    text = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    rows: dict[str, set[str]] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.startswith("| `"):
            cell = line.split(" | ")[0]
            names = {re.match(r"[A-Za-z_][A-Za-z0-9_]*", span).group(0)  # type: ignore[union-attr]
                     for span in cell.split("`")[1::2]}
            rows.setdefault(heading, set()).update(names)
    return rows


def test_every_public_name_and_engine_method_is_in_the_python_api_docs() -> None:
    import govcore

    rows = _python_api_rows()
    engine_rows = rows.pop("`Engine`")
    documented = set().union(*rows.values())
    exported = set(govcore.__all__)
    assert documented == exported, f"documented, not exported: {documented - exported}; " \
                                   f"exported, not documented: {exported - documented}"
    methods = {name for cls in govcore.Engine.__mro__ if cls.__module__.startswith("govcore.")
               for name, value in vars(cls).items() if not name.startswith("_") and callable(value)}
    assert engine_rows == methods, engine_rows ^ methods


def test_the_engine_attributes_the_python_api_docs_name_exist() -> None:
    import govcore

    text = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    paragraph = text[text.index("Attributes to read:"):].split("\n\n")[0]
    names = paragraph.split("`")[1::2]
    assert len(names) >= 15
    config = govcore.load_config(ROOT / "examples" / "vejle")
    with govcore.Engine(config, year=2021) as engine:
        missing = [n for n in names if not hasattr(engine, n)]
    assert not missing, missing
