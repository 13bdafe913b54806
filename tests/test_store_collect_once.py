"""Collecting a configuration's files for a new run resolves each folder once and hashes each file
once (`configs._resolver`, `configs.file_rows`): the paths must be those `Path.resolve()` gives,
whatever links, `..` or missing names they go through, and every stored row's hash its content's."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from govcore.config import load_config
from govcore.store import configs

ROOT = Path(__file__).resolve().parent.parent


def tree(tmp_path: Path) -> Path:
    """Folders and files reached through links: a linked folder, a linked file, a link to a link,
    a dangling link and a link back up the tree."""
    real = tmp_path / "real"
    (real / "data").mkdir(parents=True)
    (real / "data" / "a.csv").write_text("a\n")
    (real / "elsewhere.yaml").write_text("b\n")
    (tmp_path / "folder").symlink_to(real / "data")
    (real / "data" / "file.yaml").symlink_to(real / "elsewhere.yaml")
    (real / "data" / "twice.yaml").symlink_to(real / "data" / "file.yaml")
    (real / "data" / "gone.yaml").symlink_to(real / "nowhere.yaml")
    (real / "data" / "up").symlink_to(real)
    return tmp_path


def test_each_path_resolves_as_path_resolve_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tree(tmp_path)
    monkeypatch.chdir(base / "real")
    texts = [
        "real/data/a.csv", "folder/a.csv", "folder/file.yaml", "folder/twice.yaml", "folder/gone.yaml",
        "folder/missing.csv", "folder/up/data/a.csv", "folder/up/elsewhere.yaml", "folder/../elsewhere.yaml",
        "folder/up/data/..", "folder/.", "folder/", "folder//a.csv", "real/./data/a.csv", "folder/up/data/up",
    ]
    resolve = configs._resolver()
    for text in [str(base / t) for t in texts] + ["data/a.csv", "data/file.yaml", "elsewhere.yaml", "data/../x"]:
        expected = Path(text).resolve()
        assert resolve(text) == expected, text
        assert str(resolve(text)) == str(expected), text  # asked again: the same answer
    # a link followed to its target, not kept as the link's own path
    assert resolve(str(base / "folder/file.yaml")) == base / "real" / "elsewhere.yaml"


def test_a_configuration_through_linked_files_collects_as_before(tmp_path: Path) -> None:
    """A configuration whose data folder and a file are links inside its folder: each file is
    stored under its target's path, as `Path.resolve()` of each name gives."""
    target = tmp_path / "cfg"
    shutil.copytree(ROOT / "examples" / "hilleroed", target)
    (target / "lib").mkdir()
    (target / "data").rename(target / "lib" / "data")
    (target / "data").symlink_to("lib/data")
    (target / "kpis.yaml").rename(target / "lib" / "kpis.yaml")
    (target / "kpis.yaml").symlink_to("lib/kpis.yaml")
    cfg = load_config(target)
    files = configs.collect(cfg)
    named = {(v.base_dir / n).resolve() for v in cfg.versions or [cfg] for n in v.files if not n.startswith("rules:")}
    named |= {Path(p).resolve() for v in cfg.versions or [cfg] for p in v.rules.files} - configs.plugin_rule_files(cfg)
    root = Path(os.path.commonpath([target.resolve(), *named]))
    assert {root / p for p in files} == named
    assert "lib/kpis.yaml" in files and "lib/data/flows.csv" in files and "kpis.yaml" not in files
    assert not any((root / p).is_symlink() for p in files)


@pytest.mark.parametrize("example", ["vejle", "hilleroed", "jobindsats"])
def test_file_rows_carry_each_files_own_hash(example: str) -> None:
    cfg = load_config(ROOT / "examples" / example)
    files = configs.collect(cfg)
    rows = configs.file_rows(cfg, "630", "f" * 32)
    assert [r["path"] for r in rows] == sorted(files)
    for r in rows:
        kind, content = files[r["path"]]
        assert (r["kind"], r["content"]) == (kind, content)
        assert r["sha256"] == hashlib.sha256(content).hexdigest(), r["path"]
        assert (r["municipality"], r["fingerprint"]) == ("630", "f" * 32)
    assert any(r["path"].endswith(".csv") for r in rows) or example == "jobindsats"
