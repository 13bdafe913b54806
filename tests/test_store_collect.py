"""`configs.collect` finds every stored file by its real path, whichever way the configuration was
reached: it looks names up by their folder's and their own texts (perf-store10), and each text
must still lead to the one resolved file — a relative folder, a symbolic link and `..` in a rule
path give the same stored paths and contents as the real absolute folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_store_configs import portable

from govcore.config import load_config
from govcore.store import configs


def test_collect_is_the_same_through_a_relative_folder_and_a_symbolic_link(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = portable(tmp_path)  # rules in ../../rules, as examples/vejle
    expected = configs.collect(load_config(folder.resolve()))
    assert sorted(expected) == sorted([
        *(f"kommune/cfg/{n}" for n in ("goals.yaml", "kpis.yaml", "municipality.yaml", "observations.csv",
                                       "organisation.yaml", "wheel.yaml")),
        *(f"rules/{p.name}" for p in (tmp_path / "rules").glob("*.yaml"))])
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "link").symlink_to(tmp_path / "kommune")
    monkeypatch.chdir(tmp_path)
    assert configs.collect(load_config(Path("kommune/cfg"))) == expected
    monkeypatch.chdir(tmp_path / "elsewhere")
    for where in (Path("link/cfg"), tmp_path / "elsewhere" / "link" / "cfg"):
        assert configs.collect(load_config(where)) == expected, where


def test_collect_of_examples_vejle_names_each_file_once() -> None:
    root = Path(__file__).resolve().parent.parent
    cfg = load_config(root / "examples" / "vejle")
    files = configs.collect(cfg)
    assert len(cfg.versions) > 1  # every dated version names the same files again
    named = {(v.base_dir / n).resolve() for v in cfg.versions for n in v.files if not n.startswith("rules:")}
    named |= {Path(p).resolve() for p in cfg.rules.files} - configs.plugin_rule_files(cfg)
    assert {(root / p).resolve() for p in files} == named
    kinds = {k: kind for k, (kind, _) in files.items()}
    assert [k for k, kind in kinds.items() if kind == configs.CONFIGURATION] == ["examples/vejle/municipality.yaml"]
    for p, (_, content) in files.items():
        assert (root / p).read_bytes() == content
