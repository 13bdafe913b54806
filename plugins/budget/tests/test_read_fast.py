"""The budget read's short cuts (load-fast2): a plain amount read directly, a row's places kept once
per table. Each must give exactly what the general way gives: the same floats, bit for bit, and
the same located problems."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from govcore_budget import parsing
from govcore_budget.parsing import parse_amount
from govcore_budget.source import load_budget
from govcore_budget.table import Column, read_table

from govcore import InputError, SourceContext, municipality

pytestmark = pytest.mark.usefixtures("english")

AREAS: list[dict[str, Any]] = [
    {"id": "sygedagpenge", "title": "Sygedagpenge", "owner": "center-sundhed", "effort_group": "sygedagpenge"},
    {"id": "kontanthjaelp", "title": "Kontanthjælp", "owner": "center-job"},
]


def _texts() -> list[str]:
    """Amount texts of the plain form and near it: groups, decimals, signs, zeros, and what is not plain."""
    rnd = random.Random(20261129)
    out = ["0", "-0", "00", "0,0", "-0,00", "0,5", "0.500", "1.500", "1,500", "1.500,5", "0.000,00", "000.000,00",
           "1.234.567,89", "-1.234.567,89", "304.000.000,00", "1234,5", "1234,56", "1234,567", "1.234,567",
           "12.34,00", "1.2345,00", "1234.567,00", "01.234,00", "1.234", "1.234.567", "1,234,567.89", "1234567.89",
           "1 234,00", " 1.234,00", "1.234,00 ", "1.234,00\n", "+1.234,00", "--1,00", "-", ",5", "-,5", "1,", "1.",
           "kr. 1.234,00", "1.234,00 kr", "(1.234,00)", "1.234,00-", "1,2E+06", "١٢٣,٤", "１２３,45", "1_000",
           "9" * 400, "9" * 400 + ",00", "-" + "9" * 400, "1" + ".000" * 120 + ",00"]
    for _ in range(3000):
        whole = str(rnd.choice([0, 1, 7, 12, 123, 999, 1000, 12345, 10**6, 2**31, 10**15, 10**17 + 1, 9 * 10**20]) +
                    rnd.randrange(1000))
        grouped = rnd.random() < 0.5
        if grouped:
            head, rest = whole[:len(whole) % 3 or 3], whole[len(whole) % 3 or 3:]
            whole = ".".join([head, *(rest[i:i + 3] for i in range(0, len(rest), 3))])
        decimals = "".join(rnd.choice("0123456789") for _ in range(rnd.choice([0, 1, 2, 2, 3])))
        text = ("-" if rnd.random() < 0.3 else "") + whole + ("," + decimals if decimals or rnd.random() < 0.1 else "")
        out.append(text)
    out += ["".join(p) for p in itertools.product(["", "-"], ["0", "1", "12", "123", "1.234"],
                                                  ["", ",", ",0", ",05", ",050"])]
    return out


def _outcome(cell: str) -> str:
    try:
        return repr(parse_amount(cell))  # repr tells -0.0 from 0.0 and every bit of the float
    except ValueError as err:
        return f"ValueError: {err}"


def test_a_plain_amount_is_read_as_the_general_way_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    plain = sum(1 for t in texts if parsing._PLAIN_AMOUNT.fullmatch(t))
    assert 1000 < plain < len(texts) - 100  # both ways are exercised
    fast = [_outcome(t) for t in texts]
    monkeypatch.setattr(parsing, "_PLAIN_AMOUNT", re.compile(r"(?!)"))  # nothing is plain: the general way
    general = [_outcome(t) for t in texts]
    assert [(t, f) for t, f, g in zip(texts, fast, general, strict=True) if f != g] == []


BUDGET = ("omraade;indsatsgruppe;periode;budget;forbrug;disponeret;forventet_forbrug;kendt\n"
          "Sygedagpenge;sygedagpenge;2021-03;120.000.000,00;31.000.000,00;1.500.000,00;;2021-04-05\n"
          "Sygedagpenge;sygedagpenge;2021-04;120.000.000,00;41.000.000,50;;123.600.000,00;2021-05-05\n"
          "Kontanthjælp;;2021-04;80.000.000;-25.000.000,05;0,00;79.000.000;\n"
          "Kontanthjælp;;2021-05;80.000.000;25.000.000,5;1.234,567;79.000.000;\n")


def test_the_budget_read_gives_what_the_general_way_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "budget.csv").write_text(BUDGET, encoding="utf-8")
    ctx = SourceContext(municipality=municipality("630"), base_dir=tmp_path,
                        settings={"file": "budget.csv", "areas": AREAS}, year=2021)
    fast = [(o.kpi, o.period, repr(o.value), o.source, o.known_at) for o in load_budget(ctx)]
    monkeypatch.setattr(parsing, "_PLAIN_AMOUNT", re.compile(r"(?!)"))
    general = [(o.kpi, o.period, repr(o.value), o.source, o.known_at) for o in load_budget(ctx)]
    assert len(fast) == 4 * 9 and fast == general


COLUMNS = (Column("area", ("omraade",)), Column("period", ("periode",), required=True),
           Column("budget", ("budget",), required=True), Column("known", ("kendt",)))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_row_locates_a_problem_at_its_cell_or_at_the_column_it_lacks(tmp_path: Path, kind: str) -> None:
    header, rows = ["Budget", "", "omraade", "periode"], [["1", "x", "a", "2021-01"], ["2", "y", "b", "2021-02"]]
    if kind == "csv":
        path = tmp_path / "budget.csv"
        path.write_text("\n".join(";".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
        first = 2
    else:
        path = tmp_path / "budget.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        for r in [["Budgetopfølgning"], header, *rows]:
            ws.append(r)
        wb.save(path)
        first = 3
    got = read_table(path, COLUMNS)
    assert [(r.line, r.value("area"), r.value("period"), r.value("budget"), r.value("known")) for r in got] == [
        (first, "a", "2021-01", "1", None), (first + 1, "b", "2021-02", "2", None)]
    assert got[0].columns is got[1].columns  # one dict of places per table
    located = [(p.file, p.line, p.column, p.field, p.message) for p in
               (got[1].problem("period", "bad"), got[1].problem("budget", "bad"), got[0].problem("known", "bad"))]
    cell = f"cell D{first + 1}: bad" if kind == "xlsx" else "bad"
    budget = f"cell A{first + 1}: bad" if kind == "xlsx" else "bad"
    assert located == [(str(path), first + 1, 4, "periode", cell), (str(path), first + 1, 1, "Budget", budget),
                       (str(path), first, 0, "known", "bad")]


def test_a_damaged_export_is_reported_cell_by_cell(tmp_path: Path) -> None:
    """Every problem of a damaged file, as main located it (line, column, field; 120.000.000,001,
    1.234,5-, kr. 12, -0,00 and (1.234,00) are amounts): an amount too long to be finite is the
    general way's 'not an amount', not parse_amount's 'not a finite amount'."""
    (tmp_path / "budget.csv").write_text(
        "omraade;periode;budget;forbrug;disponeret;forventet_forbrug;kendt\n"
        "sygedagpenge;2021-04;120.000.000,001;1.234,5-;kr. 12;1,2,3;2021-04-31\n"
        "kontanthjaelp;2021-4;99999" + "9" * 400 + ",00;-0,00;(1.234,00);;\n", encoding="utf-8")
    ctx = SourceContext(municipality=municipality("630"), base_dir=tmp_path,
                        settings={"file": "budget.csv", "areas": AREAS}, year=2021)
    with pytest.raises(InputError) as err:
        load_budget(ctx)
    got = [(p.line, p.column, p.field, p.message.split(" is ")[-1] if " is " in p.message else p.message)
           for p in err.value.problems]
    assert got == [(2, 6, "forventet_forbrug", "not an amount"),
                   (2, 7, "kendt", "not a date that exists"), (3, 3, "budget", "not an amount")]
