"""The import direction goes one way: model → wheel, targets → rules → engine → store, report → access
(accounts, permissions) → notify (delivery) → server → cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "govcore"

# Each module (or package) may only import govcore modules of the same or a lower layer.
LAYERS: list[set[str]] = [
    {"errors", "text", "formatting", "danish_words", "i18n", "labels", "event_labels", "longrunning", "csvtext"},
    {"commandline"},  # what every package's cli.py shares: help and click's words in the reader's language
    {"model"},
    {"observations", "sourcefile", "calendar", "remote"},
    {"targets", "forecast", "charts", "goalchart", "wheel", "extension"},
    {"hookspecs", "plugins"},
    {"rules"},
    {"_durable", "config"},
    {"engine", "workflow", "describe", "cascade"},  # engine and its workflow mixin import each other (types)
    {"simulate", "report", "pdf"},
    {"store", "ruletest"},
    {"access"},
    {"notify"},
    {"server", "web"},
    {"cli"},
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def _top(module: str) -> str:
    return module.split(".")[1] if module.startswith("govcore.") else ""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("govcore."):
            found.add(_top(node.module))
        elif isinstance(node, ast.Import):
            found.update(_top(a.name) for a in node.names if a.name.startswith("govcore."))
    return found - {""}


def _owner(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_module_has_a_layer() -> None:
    owners = {_owner(p) for p in MODULES}
    assert owners <= set(LAYER), owners - set(LAYER)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_only_go_down(path: Path) -> None:
    owner = _owner(path)
    upward = sorted(m for m in _imports(path) if m != owner and LAYER.get(m, -1) > LAYER[owner])
    assert not upward, f"{path.relative_to(ROOT)} imports from a higher layer: {upward}"


def test_plugins_use_only_the_public_api() -> None:
    for path in sorted(ROOT.glob("plugins/*/govcore_*/**/*.py")):
        internal = sorted(_imports(path))
        assert not internal, f"{path.relative_to(ROOT)} imports govcore internals: {internal}"


# The command line's modules: the only ones that may use click (the library never draws or prints).
# Each package keeps its commands in its own `cli.py`.
COMMAND_LINE = {p for p in MODULES if p.name == "cli.py"} | {PACKAGE / "ruletest" / "commands.py"}


def _third_party(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
    return found


@pytest.mark.parametrize("path", [p for p in MODULES if p not in COMMAND_LINE], ids=lambda p: str(p.relative_to(ROOT)))
def test_the_library_does_not_use_click(path: Path) -> None:
    assert "click" not in _third_party(path), f"{path.relative_to(ROOT)} imports click: only the command line may"
