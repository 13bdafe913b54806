"""What a user who installs from a package index gets: `python -m build` makes an sdist and a wheel
of govcore and of every plugin (each plugins/*/pyproject.toml), they install into a fresh virtual
environment with no source tree beside it, and that environment simulates the Vejle year exactly
as the development install does. Also: each version is written once, and the durable-rules build
step refuses a source it does not know how to fix.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

import govcore

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = [ROOT, *sorted(p.parent for p in ROOT.glob("plugins/*/pyproject.toml"))]
DURABLE_RULES = ROOT / "scripts" / "durable-rules.sh"


def _project(folder: Path) -> dict[str, object]:
    table = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert isinstance(table, dict)
    return table


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _build(project: Path, out: Path) -> str:
    return _run([sys.executable, "-m", "build", "--outdir", out, project], cwd=out)


def _copy_vejle(to: Path) -> Path:
    """The example configuration as a user has it: its data files, and the default rule files it
    names (``../../rules/*.yaml``) at the same place relative to it. No code is copied."""
    config = to / "examples" / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", config, ignore=shutil.ignore_patterns("tools", "__pycache__"))
    (to / "rules").mkdir()
    for rule_file in (ROOT / "rules").glob("*.yaml"):
        shutil.copy(rule_file, to / "rules")
    assert not [p for p in to.rglob("*.py")]
    return config


@pytest.mark.slow
def test_wheels_install_into_a_fresh_environment_and_simulate_vejle(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda project: _build(project, dist), PROJECTS))
    names = [str(_project(p)["name"]) for p in PROJECTS]
    wheels = sorted(dist.glob("*.whl"))
    assert len(wheels) == len(PROJECTS) and len(list(dist.glob("*.tar.gz"))) == len(PROJECTS)
    assert {w.name.split("-")[0] for w in wheels} == {n.replace("-", "_") for n in names}

    for wheel in wheels:  # each plugin carries its own Danish catalog (docs/plugins.md)
        package = wheel.name.split("-")[0].removeprefix("govcore_")
        if package != "govcore":
            mo = f"govcore_{package}/locale/da/LC_MESSAGES/govcore_{package}.mo"
            assert mo in zipfile.ZipFile(wheel).namelist(), f"{wheel.name} lacks {mo}"

    durable_rules = _run(["bash", DURABLE_RULES, sys.executable], cwd=tmp_path).strip()
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--disable-pip-version-check",
          durable_rules, *wheels], cwd=tmp_path)

    work = tmp_path / "user"
    work.mkdir()
    config = _copy_vejle(work)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    where = _run([python, "-c", "import govcore, durable_rules_engine as d; print(govcore.__file__, d.__file__)"],
                 cwd=work, env=env)
    assert all(Path(f).is_relative_to(env_dir) for f in where.split()), where
    speaks = _run([python, "-c", "from govcore_budget.parsing import parse_amount\ntry: parse_amount('mange')\n"
                   "except ValueError as err: print(err)"], cwd=work, env={**env, "GOVCORE_LANG": "da"})
    assert speaks.strip() == "'mange' er ikke et beløb"  # the installed plugin reads its installed catalog
    assert _run([env_dir / "bin" / "govcore", "--version"], cwd=work, env=env).strip().endswith(govcore.__version__)
    listed = _run([env_dir / "bin" / "govcore", "plugins"], cwd=work, env=env)
    for name in names[1:]:
        assert name in listed, listed

    _run([env_dir / "bin" / "govcore", "simulate", config, "--year", "2021", "--out", work / "installed"],
         cwd=work, env=env)
    _run([Path(sys.executable).parent / "govcore", "simulate", config, "--year", "2021", "--out", work / "developed"],
         cwd=work)
    def files(folder: Path) -> list[str]:  # the report's charts/ too
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    produced = files(work / "installed")
    assert {"events.jsonl", "summary.json", "report.md", "report.html"} <= set(produced)
    assert produced == files(work / "developed")
    for name in produced:
        assert (work / "installed" / name).read_bytes() == (work / "developed" / name).read_bytes(), name
    lines = (work / "installed" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    escalated = [e["at"][:10] for e in map(json.loads, lines) if e["type"] == "escalated"]
    assert escalated == ["2021-05-18", "2021-05-27"], escalated  # kontanthjælp never answers (README)


def test_setup_installed_every_plugin_folder() -> None:
    for project in PROJECTS:
        name = str(_project(project)["name"])
        assert metadata.distribution(name).version, name


def test_every_distribution_admits_python_3_11_to_3_13() -> None:
    for project in PROJECTS:
        requires = SpecifierSet(str(_project(project)["requires-python"]))
        refused = [v for v in ("3.11.0", "3.12.0", "3.13.0") if v not in requires]
        assert not refused, f"{project.name}/pyproject.toml: requires-python {requires} refuses {refused}"


def test_each_version_is_written_once() -> None:
    assert metadata.version("govcore") == govcore.__version__
    for project in PROJECTS:
        table = _project(project)
        stated = ["pyproject.toml"] if "version" in table else []
        packages = [p for p in project.iterdir() if (p / "__init__.py").is_file() and p.name != "tests"]
        for package in packages:
            for module in package.rglob("*.py"):
                if re.search(r"^__version__\s*=\s*['\"]", module.read_text(encoding="utf-8"), re.MULTILINE):
                    stated.append(str(module.relative_to(project)))
        assert len(stated) == 1, f"{project.name}: the version is written in {stated or 'no file'}"
        assert metadata.version(str(table["name"]))


def test_durable_rules_build_step_builds_the_pinned_version() -> None:
    text = DURABLE_RULES.read_text(encoding="utf-8")
    dependencies = _project(ROOT)["dependencies"]
    assert isinstance(dependencies, list)
    pinned = [d for d in dependencies if d.startswith("durable-rules")]
    version = re.search(r"^VERSION=(\S+)$", text, re.MULTILINE)
    assert version and pinned == [f"durable-rules=={version.group(1)}"]


def test_durable_rules_fix_replaces_every_call(tmp_path: Path) -> None:
    source = tmp_path / "src" / "rulespy" / "rules.c"
    source.parent.mkdir(parents=True)
    calls = "".join(f"    result = PyEval_CallObject(callback, arglist{i});\n" for i in range(5))
    source.write_text(f"PyEval_CallObjectWithKeywords(f, a, k);\n{calls}", encoding="utf-8")
    _run(["bash", DURABLE_RULES, "--patch", tmp_path], cwd=tmp_path)
    text = source.read_text(encoding="utf-8")
    assert text.count("PyObject_CallObject(callback") == 5 and "PyEval_CallObject(" not in text
    assert "PyEval_CallObjectWithKeywords(f, a, k)" in text


@pytest.mark.parametrize("calls", [0, 4])
def test_durable_rules_fix_fails_loudly_when_the_source_changed(tmp_path: Path, calls: int) -> None:
    source = tmp_path / "src" / "rulespy" / "rules.c"
    source.parent.mkdir(parents=True)
    before = "".join("    result = PyEval_CallObject(callback, arglist);\n" for _ in range(calls)) or \
        "    result = PyObject_CallObject(callback, arglist);\n"
    source.write_text(before, encoding="utf-8")
    done = subprocess.run(["bash", str(DURABLE_RULES), "--patch", str(tmp_path)], capture_output=True, text=True,
                          check=False)
    assert done.returncode != 0
    assert f"has {calls} calls of PyEval_CallObject, the fix expects 5" in done.stderr
    assert "delete scripts/durable-rules.sh" in done.stderr
    assert source.read_text(encoding="utf-8") == before
