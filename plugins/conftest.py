"""The plugins' tests use the language fixtures of govcore's own tests (tests/conftest.py): Danish
unless a test asks for `english` (or `danish` inside a module pinned in English)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent.parent / "tests"
if str(_TESTS) not in sys.path:  # `from english_words import untranslated`, as in govcore's tests
    sys.path.append(str(_TESTS))
_spec = importlib.util.spec_from_file_location("govcore_tests_conftest", _TESTS / "conftest.py")
assert _spec is not None and _spec.loader is not None
_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shared)

english = _shared.english
danish = _shared.danish
_danish_unless_asked = _shared._danish_unless_asked
