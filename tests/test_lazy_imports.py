"""The README's main job loads no library it does not use.

`govcore simulate` loads a configuration, runs its years and writes the report; it talks to no
remote source and writes no calendar file, so httpx (about a tenth of a second to import) and
icalendar (about as much) must not be imported on the way: `govcore.remote` and `govcore.wheel`
import them where a request or a calendar file is made. benchmarks/bench_startup.py has the figure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNUSED = ["httpx", "icalendar", "sqlalchemy", "uvicorn", "fastapi"]


def test_simulate_loads_neither_http_nor_calendar_libraries(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = ("import sys\nfrom govcore.cli import main\n"
            "try:\n"
            f"    main(['simulate', {str(ROOT / 'examples' / 'vejle')!r}, '--year', '2021', '--out', {str(out)!r}])\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            f"print('loaded:' + ','.join(m for m in {UNUSED!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (out / "summary.json").is_file()
    assert done.stdout.strip().splitlines()[-1] == "loaded:"


def test_the_calendar_file_and_a_request_still_load_them_when_needed(tmp_path: Path) -> None:
    code = ("import sys, datetime as dt\n"
            "from govcore.model import WheelEvent\n"
            "from govcore.wheel import render_ics\n"
            "from govcore.remote import Http\n"
            "print('before:' + ','.join(m for m in ['httpx', 'icalendar'] if m in sys.modules))\n"
            "day = dt.date(2021, 4, 30)\n"
            "ev = WheelEvent(id='e1', definition='d', title='Budgetkontrol', kind='due', date=day, nominal_date=day)\n"
            "text = render_ics([ev], 'Vejle')\n"
            "assert 'BEGIN:VEVENT' in text and 'e1@govcore' in text, text\n"
            "with Http('test', replay=None) as http:\n    pass\n"
            "print('after:' + ','.join(m for m in ['httpx', 'icalendar'] if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines() == ["before:", "after:httpx,icalendar"]
