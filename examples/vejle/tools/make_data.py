"""Writes data/observations.csv, data/budget.csv and data/surveys.csv for the Vejle 2021 example.

The figures are SYNTHETIC but plausible: chosen so that the simulated year shows the whole
workflow (a goal off track that a corrective action brings back, goals at risk, goals on track).
Known dates model the lag of each source (Jobindsats ~25 days, the ministry's rangliste ~25 days
after the quarter, local systems the 10th of the next month). Run it from any folder; it is
deterministic, so the committed CSV is exactly what it writes.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

ROWS: list[tuple[str, str, float, str, str, str]] = []  # kpi, period, value, series, source, known_at


def month_known(period: str, day: int = 10) -> str:
    y, m = map(int, period.split("-"))
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return dt.date(y, m, day).isoformat()


def quarter_known(period: str, days: int) -> str:
    y, q = int(period[:4]), int(period[-1])
    end = dt.date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return (end + dt.timedelta(days=days)).isoformat()


def monthly(kpi: str, values: dict[str, float], source: str) -> None:
    for period, value in values.items():
        ROWS.append((kpi, period, value, "local", source, month_known(period)))


def quarterly(kpi: str, values: dict[str, float], source: str, days: int = 25, series: str = "local") -> None:
    for period, value in values.items():
        ROWS.append((kpi, period, value, series, source, quarter_known(period, days)))


MONTHS_2021 = [f"2021-{m:02d}" for m in range(1, 12)]

# Goals that stay on track or touch the at-risk band -----------------------------------------
monthly("jobaabninger-besat", dict(zip(["2020-12", *MONTHS_2021],
        [42.5, 41.8, 40.6, 39.1, 40.4, 41.2, 42.0, 41.5, 42.3, 43.0, 42.8, 43.5], strict=True)), "FASIT Jobcenter")
monthly("virksomhedsbesoeg", dict(zip(["2020-12", *MONTHS_2021],
        [118, 131, 127, 135, 129, 133, 124, 121, 138, 140, 136, 132], strict=True)), "Virksomhedsservice")
monthly("unge-forloeb-4-uger", dict(zip(["2020-12", *MONTHS_2021],
        [83.1, 82.4, 84.0, 85.2, 83.7, 84.9, 86.1, 82.8, 83.5, 85.0, 84.4, 85.6], strict=True)), "FASIT Jobcenter")
monthly("aarspersoner-sygedagpenge", dict(zip(["2020-12", *MONTHS_2021],
        [1450, 1443, 1439, 1436, 1430, 1425, 1421, 1417, 1414, 1409, 1405, 1401], strict=True)), "Jobindsats")
monthly("sygedagpenge-over-22-uger", dict(zip(["2020-12", *MONTHS_2021],
        [1085, 1092, 1088, 1079, 1071, 1066, 1060, 1074, 1069, 1063, 1058, 1061], strict=True)), "KMD Data")
monthly("cv-inden-24-timer", dict(zip(["2020-12", *MONTHS_2021],
        [91.0, 92.3, 93.1, 91.4, 94.0, 92.8, 93.5, 90.6, 92.2, 93.9, 94.4, 93.0], strict=True)), "Virksomhedsservice")
# Langtidsledige i opkvalificering: compared with the same month the year before (+10 %).
monthly("langtidsledige-opkvalificering", {
    "2019-12": 380, **{f"2020-{m:02d}": v for m, v in zip(range(1, 13),
                       [390, 395, 402, 360, 372, 385, 351, 366, 398, 405, 410, 425], strict=True)},
    **dict(zip(MONTHS_2021, [441, 448, 455, 409, 420, 433, 399, 412, 446, 452, 459], strict=True))},
    "FASIT Jobcenter")

# Quarterly Jobindsats measures -------------------------------------------------------------
quarterly("stadfaestelsesprocent", {"2020-Q4": 84.1, "2021-Q1": 85.0, "2021-Q2": 84.2, "2021-Q3": 86.3},
          "Ankestyrelsen", days=31)
quarterly("stadfaestelsesprocent", {"2020-Q4": 82.0, "2021-Q1": 83.1, "2021-Q2": 83.0, "2021-Q3": 82.9},
          "Ankestyrelsen", days=31, series="national")
quarterly("andel-opkvalificeres", {"2020-Q1": 10.2, "2020-Q2": 10.8, "2020-Q3": 11.0, "2020-Q4": 11.5,
                                   "2021-Q1": 11.9, "2021-Q2": 12.4, "2021-Q3": 12.8}, "Jobindsats")
# The ministry's ranking (placering blandt 98; 1 is best) and the local shares behind it.
quarterly("beskaeftiget-efter-uddannelse", {"2020-Q4": 19, "2021-Q1": 31, "2021-Q2": 22, "2021-Q3": 16},
          "Beskæftigelsesministeriets rangliste", series="rank")
quarterly("beskaeftiget-efter-uddannelse", {"2020-Q4": 61.2, "2021-Q1": 57.9, "2021-Q2": 60.1, "2021-Q3": 62.7},
          "Jobindsats")
quarterly("flygtninge-beskaeftigelse", {"2020-Q4": 12, "2021-Q1": 11, "2021-Q2": 13, "2021-Q3": 10},
          "Beskæftigelsesministeriets rangliste", series="rank")
quarterly("flygtninge-beskaeftigelse", {"2020-Q4": 44.8, "2021-Q1": 45.6, "2021-Q2": 44.9, "2021-Q3": 46.2},
          "Jobindsats")
quarterly("andel-ledighedsydelse", {"2020-Q4": 15, "2021-Q1": 14, "2021-Q2": 15, "2021-Q3": 13},
          "Beskæftigelsesministeriets rangliste", series="rank")
quarterly("andel-ledighedsydelse", {"2020-Q4": 1.42, "2021-Q1": 1.39, "2021-Q2": 1.41, "2021-Q3": 1.36},
          "Jobindsats")
for kpi, ranks in {
    "rangliste-resultater": [36, 34, 31, 29, 27],
    "rangliste-forsoergelse": [42, 41, 40, 42, 39],
    "rangliste-varighed": [29, 28, 27, 25, 24],
    "rangliste-virksomhedsrettet": [23, 22, 20, 21, 18],
}.items():
    quarterly(kpi, dict(zip(["2020-Q3", "2020-Q4", "2021-Q1", "2021-Q2", "2021-Q3"], ranks, strict=True)),
              "Beskæftigelsesministeriets rangliste")

# Half-yearly recruitment survey (lower is better) and a yearly education choice -----------
for series, (h2, h1) in {"local": (24.1, 22.9), "national": (25.3, 24.8)}.items():
    ROWS.append(("forgaeves-rekrutteringer", "2020-H2", h2, series, "STAR rekrutteringssurvey", "2021-03-01"))
    ROWS.append(("forgaeves-rekrutteringer", "2021-H1", h1, series, "STAR rekrutteringssurvey", "2021-09-01"))
ROWS.append(("unge-erhvervsuddannelse", "2020", 25.6, "local", "Ungdommens Uddannelsesvejledning", "2021-01-20"))
ROWS.append(("unge-erhvervsuddannelse", "2021", 26.4, "local", "Ungdommens Uddannelsesvejledning", "2021-09-15"))
# A correction: FASIT revised the May figure for CV within 24 hours two weeks after first delivery.
ROWS.append(("cv-inden-24-timer", "2021-05", 92.1, "local", "Virksomhedsservice (rettelse)", "2021-06-24"))


# Budget (ØS Indsigt export shape): annual budget, spending to date, commitments and forecast per
# area and month, in kroner. Sygedagpenge overruns at the 30.04 control and is brought back by a
# corrective action; kontanthjælp overruns and nobody answers (the action escalates twice).
BUDGET = {  # area title, effort group, annual budget, monthly forecasts Jan..Nov
    "Sygedagpenge": ("sygedagpenge", 310_000_000, [309.5, 311.0, 318.0, 322.4, 316.0, 313.5, 310.5, 309.0,
                                                   308.2, 308.0, 307.6]),
    "Kontanthjælp": ("kontanthjaelp", 450_000_000, [451.8, 452.3, 452.0, 464.0, 466.5, 467.2, 468.0, 466.9,
                                                    465.3, 466.0, 465.1]),
    "A-dagpenge": ("a-dagpenge", 520_000_000, [515.0, 512.4, 514.8, 516.3, 513.9, 511.2, 512.8, 510.6,
                                               509.9, 511.4, 510.2]),
    "Uddannelseshjælp": ("uddannelseshjaelp", 95_000_000, [94.2, 94.8, 94.5, 93.9, 94.1, 94.6, 93.8, 94.0,
                                                          93.7, 93.5, 93.6]),
    "Ledighedsydelse": ("ledighedsydelse", 140_000_000, [139.4, 139.8, 139.1, 138.7, 139.2, 138.9, 138.5,
                                                         138.8, 138.1, 138.4, 138.0]),
    "Ressourceforløb": ("ressourceforloeb", 120_000_000, [119.5, 119.1, 118.8, 119.3, 118.6, 118.9, 118.2,
                                                          118.5, 117.9, 118.1, 117.7]),
}


def kr(amount: float) -> str:
    whole, frac = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ".".join(groups) + "," + frac


def budget_rows() -> list[list[str]]:
    rows = []
    for title, (group, budget, forecasts) in BUDGET.items():
        for m, forecast_mio in enumerate(forecasts, start=1):
            forecast = forecast_mio * 1_000_000
            spent = forecast * m / 12 * (0.985 + 0.002 * (m % 3))
            committed = forecast * 0.004 * (12 - m)
            known = "2021-04-30" if m == 4 else month_known(f"2021-{m:02d}", 5)
            rows.append([title, group, f"2021-{m:02d}", kr(budget), kr(spent), kr(committed), kr(forecast), known])
    return rows


# User satisfaction surveys (brugertilfredshed), 2019 (baseline) and 2021.
SURVEYS = [
    ("borgere", "vaerdig-sagsbehandling", "Oplever du, at din sag bliver behandlet værdigt?", 2019, "78,0", 420,
     "2019-11-15"),
    ("borgere", "vaerdig-sagsbehandling", "Oplever du, at din sag bliver behandlet værdigt?", 2021, "70,5", 450,
     "2021-06-15"),
    ("borgere", "modtagelse", "Blev du taget godt imod i jobcentret?", 2019, "81,0", 420, "2019-11-15"),
    ("borgere", "modtagelse", "Blev du taget godt imod i jobcentret?", 2021, "83,0", 450, "2021-06-15"),
    ("virksomheder", "samarbejde", "Er I tilfredse med samarbejdet med jobcentret?", 2019, "71,0", 250,
     "2019-11-15"),
    ("virksomheder", "samarbejde", "Er I tilfredse med samarbejdet med jobcentret?", 2021, "74,0", 260,
     "2021-06-15"),
    ("virksomheder", "rekruttering", "Fik I hjælp til rekruttering i tide?", 2019, "66,0", 250, "2019-11-15"),
    ("virksomheder", "rekruttering", "Fik I hjælp til rekruttering i tide?", 2021, "68,0", 255, "2021-06-15"),
]


def write(name: str, header: list[str], rows: list[list[str]] | list[tuple[object, ...]], sep: str) -> None:
    out = Path(__file__).resolve().parent.parent / "data" / name
    out.parent.mkdir(exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=sep, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


def main() -> None:
    write("observations.csv", ["kpi", "period", "value", "series", "source", "known_at"],
          sorted(ROWS, key=lambda r: (r[5], r[0], r[3], r[1])), ",")
    write("budget.csv", ["omraade", "indsatsgruppe", "periode", "budget", "forbrug", "disponeret",
                         "forventet_forbrug", "kendt"], budget_rows(), ";")
    write("surveys.csv", ["respondent", "area", "question", "year", "score", "n", "published"], SURVEYS, ";")


if __name__ == "__main__":
    main()
