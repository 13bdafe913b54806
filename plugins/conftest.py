"""The plugins' tests share govcore's test configuration, tests/conftest.py, loaded from there (not
copied): Danish unless a test asks for `english` (or `danish` inside a module pinned in English).

Both files are imported under the name `conftest`, and govcore's tests write `from conftest import
write_config`: whichever of the two Python finds must hold the same names, so this one takes them
all."""

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
globals().update({name: value for name, value in vars(_shared).items() if not name.startswith("__")})
