"""`--format pdf`: the year report printed by a real headless Chromium (Debian's package), read back
with pypdf; and a clear error, with nothing written, when PDF printing is not possible here."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from conftest import write_config

from govcore.cli import main
from govcore.pdf import CHROMIUM_ENV, PdfError, require_pdf


def _text(reader: pypdf.PdfReader, page: int) -> str:
    return " ".join(reader.pages[page].extract_text().split())


def test_simulate_writes_a_pdf_of_the_report(chromium_path: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, str(chromium_path))
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["simulate", str(write_config(tmp_path / "config")), "--out", str(out),
                                    "--format", "all", "-q"])
    assert run.exit_code == 0, run.output
    data = (out / "report.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert pages >= 3
    first = _text(reader, 0)
    # The summary opens the report; every page is numbered for the committee's papers.
    assert "Årsrapport 2021" in first and "Overblik ved årets udgang" in first and "Fokusområder" in first
    assert f"Side 1 af {pages}" in first and f"Side {pages} af {pages}" in _text(reader, pages - 1)
    everything = " ".join(_text(reader, i) for i in range(pages))
    assert "Årshjul" in everything and "Mindst 50 % i job" in everything
    # The same report as the HTML file: md and html are written too, and the PDF is printed from it.
    assert (out / "report.html").is_file() and (out / "report.md").is_file()
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595, abs=2)  # A4


def test_a_missing_chromium_is_a_clear_error_and_nothing_is_written(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["simulate", str(write_config(tmp_path / "config")), "--out", str(out),
                                    "--format", "pdf", "-q"])
    assert run.exit_code == 2
    assert f"{CHROMIUM_ENV}={tmp_path / 'no-such-chromium'} er ikke en fil, der kan køres" in run.output
    assert "Traceback" not in run.output
    assert not out.exists()


def test_missing_playwright_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # as if the extra were not installed
    with pytest.raises(PdfError, match=r"pip install 'govcore\[pdf\]'"):
        require_pdf()
