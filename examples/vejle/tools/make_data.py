"""Writes data/observations.csv, data/budget.csv and data/surveys.csv for the Vejle example, which
runs over Beskæftigelsesplan 2020-23.

The figures are SYNTHETIC but plausible: chosen so that the run shows the whole workflow (a goal
off track that a corrective action brings back, goals at risk, goals on track) and what happens
across years (an overrun found at the December follow-up escalated in January, a deviation from
one year closed in the next, a trajectory followed from 2020 on). 2021 is the year the example
started with; its figures are unchanged, and the other years continue them.
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
WIGGLE = [0.4, -0.3, 0.2, -0.5, 0.1, 0.3, -0.2, 0.5, -0.1, 0.2, -0.4, 0.0]


def months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y}-{m:02d}" <= last:
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def around(level: float, spread: float, periods: list[str], digits: int = 1) -> dict[str, float]:
    """A calm series: `level` give or take `spread`, the same pattern every year."""
    def step(p: str) -> int:
        return 3 * int(p[6]) - 1 if p[5] == "Q" else int(p[5:7]) - 1

    return {p: round(level + spread * WIGGLE[step(p)], digits) for p in periods}


BEFORE = months("2020-01", "2020-11")    # 2020 up to the December figure that 2021 starts from
AFTER = months("2021-12", "2023-11")     # after 2021; the figure for December 2023 comes in 2024

# Goals that stay on track or touch the at-risk band -----------------------------------------
# Jobåbninger fall through 2020 into the spring of 2021 (the trend warns before the goal is missed).
JOB_2020 = dict(zip(BEFORE, [46.0, 45.8, 45.5, 45.1, 44.9, 44.6, 44.2, 43.9, 43.6, 43.2, 42.9], strict=True))
for kpi, y2021, level, spread, source in [
    ("jobaabninger-besat", [42.5, 41.8, 40.6, 39.1, 40.4, 41.2, 42.0, 41.5, 42.3, 43.0, 42.8, 43.5], 42.4, 2.0,
     "FASIT Jobcenter"),
    ("virksomhedsbesoeg", [118, 131, 127, 135, 129, 133, 124, 121, 138, 140, 136, 132], 130, 10, "Virksomhedsservice"),
    ("unge-forloeb-4-uger", [83.1, 82.4, 84.0, 85.2, 83.7, 84.9, 86.1, 82.8, 83.5, 85.0, 84.4, 85.6], 84.2, 2.0,
     "FASIT Jobcenter"),
    ("sygedagpenge-over-22-uger", [1085, 1092, 1088, 1079, 1071, 1066, 1060, 1074, 1069, 1063, 1058, 1061], 1070,
     20, "KMD Data"),
    ("cv-inden-24-timer", [91.0, 92.3, 93.1, 91.4, 94.0, 92.8, 93.5, 90.6, 92.2, 93.9, 94.4, 93.0], 92.8, 2.0,
     "Virksomhedsservice"),
]:
    digits = 0 if kpi in ("virksomhedsbesoeg", "sygedagpenge-over-22-uger") else 1
    before = JOB_2020 if kpi == "jobaabninger-besat" else around(level, spread, BEFORE, digits)
    monthly(kpi, {**before, **dict(zip(["2020-12", *MONTHS_2021], y2021, strict=True)),
                  **around(level + spread / 4, spread, AFTER, digits)}, source)
# Årspersoner på sygedagpenge: down 50 in 2021 (ok1), then down 100 from December 2021 to December
# 2023 (ok2, a change from a baseline two years back), a little behind the pace in 2023.
monthly("aarspersoner-sygedagpenge", {
    **{p: 1480 - 2.5 * i for i, p in enumerate(BEFORE)},
    **dict(zip(["2020-12", *MONTHS_2021], [1450, 1443, 1439, 1436, 1430, 1425, 1421, 1417, 1414, 1409, 1405, 1401],
               strict=True)),
    **{p: round(1398 - 4.2 * i - (3.0 if p >= "2023-06" else 0.0)) for i, p in enumerate(AFTER)}}, "Jobindsats")
# Langtidsledige i opkvalificering: compared with the same month the year before (+10 %).
LANGTID_2019 = [348, 352, 358, 321, 332, 343, 313, 326, 355, 361, 366]
LANGTID_2020 = [390, 395, 402, 360, 372, 385, 351, 366, 398, 405, 410, 425]
LANGTID_2021 = [441, 448, 455, 409, 420, 433, 399, 412, 446, 452, 459]
monthly("langtidsledige-opkvalificering", {
    **dict(zip(months("2019-01", "2019-12"), [*LANGTID_2019, 380], strict=True)),
    **dict(zip(months("2020-01", "2020-12"), LANGTID_2020, strict=True)),
    **dict(zip(MONTHS_2021, LANGTID_2021, strict=True)), "2021-12": 470,
    **{f"2022-{m:02d}": round(v * 1.11) for m, v in enumerate([*LANGTID_2021, 470], start=1)},
    **{f"2023-{m:02d}": round(v * 1.11 * 1.105) for m, v in enumerate(LANGTID_2021, start=1)}},
    "FASIT Jobcenter")
# Ledige over 50 år i job (fokusområde 6 from June 2021): the July 2021 figure dips below 45 %.
monthly("seniorer-i-job", {**around(46.8, 1.0, months("2021-01", "2021-06")), "2021-07": 43.6,
                           **around(46.9, 1.0, months("2021-08", "2023-11"))}, "Jobindsats")

QUARTERS = [f"{y}-Q{q}" for y in range(2019, 2024) for q in range(1, 5)][2:-1]   # 2019-Q3 … 2023-Q3


def quarters(first: str, last: str) -> list[str]:
    return [q for q in QUARTERS if first <= q <= last]


# Quarterly Jobindsats measures -------------------------------------------------------------
quarterly("stadfaestelsesprocent", {**around(84.5, 1.0, quarters("2019-Q4", "2020-Q3")),
                                    "2020-Q4": 84.1, "2021-Q1": 85.0, "2021-Q2": 84.2, "2021-Q3": 86.3,
                                    **around(85.6, 1.0, quarters("2021-Q4", "2023-Q3"))},
          "Ankestyrelsen", days=31)
quarterly("stadfaestelsesprocent", {**around(82.4, 0.5, quarters("2019-Q4", "2020-Q3")),
                                    "2020-Q4": 82.0, "2021-Q1": 83.1, "2021-Q2": 83.0, "2021-Q3": 82.9,
                                    **around(83.0, 0.5, quarters("2021-Q4", "2023-Q3"))},
          "Ankestyrelsen", days=31, series="national")
quarterly("andel-opkvalificeres", {"2020-Q1": 10.2, "2020-Q2": 10.8, "2020-Q3": 11.0, "2020-Q4": 11.5,
                                   "2021-Q1": 11.9, "2021-Q2": 12.4, "2021-Q3": 12.8, "2021-Q4": 13.0,
                                   **{q: round(13.1 + 0.3 * i, 1)
                                      for i, q in enumerate(quarters("2022-Q1", "2023-Q3"))}},
          "Jobindsats")
# The ministry's ranking (placering blandt 98; 1 is best) and the local shares behind it.
quarterly("beskaeftiget-efter-uddannelse", {"2020-Q4": 19, "2021-Q1": 31, "2021-Q2": 22, "2021-Q3": 16,
                                            **dict(zip(quarters("2021-Q4", "2023-Q3"), [15, 17, 14, 16, 13, 15, 12, 14],
                                                       strict=True))},
          "Beskæftigelsesministeriets rangliste", series="rank")
quarterly("beskaeftiget-efter-uddannelse", {"2020-Q1": 56.0, "2020-Q2": 58.5, "2020-Q3": 60.0,
                                            "2020-Q4": 61.2, "2021-Q1": 57.9, "2021-Q2": 60.1, "2021-Q3": 62.7,
                                            **around(63.0, 1.0, quarters("2021-Q4", "2023-Q3"))}, "Jobindsats")
# The shares move the way the resultatmål ask ("skal stige" / "skal falde") a little each year.
for kpi, y2021, calm, share, step in [
    ("flygtninge-beskaeftigelse", [12, 11, 13, 10], [13, 12, 14, 11], (44.8, 45.6, 44.9, 46.2), 0.3),
    ("andel-ledighedsydelse", [15, 14, 15, 13], [16, 15, 14, 15], (1.42, 1.39, 1.41, 1.36), -0.02),
]:
    ranks = {**dict(zip(quarters("2019-Q4", "2020-Q3"), calm, strict=True)),
             **dict(zip(["2020-Q4", "2021-Q1", "2021-Q2", "2021-Q3"], y2021, strict=True)),
             **{q: calm[i % 4] - 1 for i, q in enumerate(quarters("2021-Q4", "2023-Q3"))}}
    quarterly(kpi, ranks, "Beskæftigelsesministeriets rangliste", series="rank")
    quarterly(kpi, {**{q: share[0] for q in quarters("2019-Q4", "2020-Q3")},
                    "2019-Q4": round(share[0] - 2 * step, 2),
                    **dict(zip(["2020-Q4", "2021-Q1", "2021-Q2", "2021-Q3"], share, strict=True)),
                    **{q: round(share[i % 4] + step * (1 + i // 4), 2)
                       for i, q in enumerate(quarters("2021-Q4", "2023-Q3"))}}, "Jobindsats")
# Ministermål 4 (2021) measures a second share as well: "andelen af borgere i job og uddannelse på
# jobafklaring og ressourceforløbsydelse skal falde". Jobindsats only, no ranking of its own.
quarterly("andel-jobafklaring-ressourceforloeb", {
    **{q: 3.1 for q in quarters("2019-Q4", "2020-Q3")}, "2019-Q4": 3.16,
    **dict(zip(["2020-Q4", "2021-Q1", "2021-Q2", "2021-Q3"], (3.08, 3.05, 3.07, 3.02), strict=True)),
    **{q: round((3.08, 3.05, 3.07, 3.02)[i % 4] - 0.03 * (1 + i // 4), 2)
       for i, q in enumerate(quarters("2021-Q4", "2023-Q3"))}}, "Jobindsats")
for kpi, ranks in {
    "rangliste-resultater": [40, 39, 38, 37, 36, 34, 31, 29, 27, 26, 27, 25, 24, 24, 23, 22, 23],
    "rangliste-forsoergelse": [45, 44, 43, 43, 42, 41, 40, 42, 39, 38, 38, 37, 36, 37, 35, 34, 34],
    "rangliste-varighed": [32, 31, 30, 30, 29, 28, 27, 25, 24, 23, 24, 22, 21, 21, 20, 21, 19],
    "rangliste-virksomhedsrettet": [26, 25, 24, 24, 23, 22, 20, 21, 18, 18, 17, 18, 16, 15, 16, 15, 14],
}.items():
    quarterly(kpi, dict(zip(QUARTERS, ranks, strict=True)), "Beskæftigelsesministeriets rangliste")

# Half-yearly recruitment survey (lower is better) and a yearly education choice -----------
RECRUIT = {"local": [23.5, 24.0, 24.1, 22.9, 23.0, 22.4, 22.6, 21.9], "national": [24.9, 25.0, 25.3, 24.8, 24.6,
                                                                                   24.2, 24.4, 23.8]}
for series, values in RECRUIT.items():
    for i, value in enumerate(values):
        y, h = 2019 + (i + 1) // 2, 2 if i % 2 == 0 else 1
        known = f"{y + 1}-03-01" if h == 2 else f"{y}-09-01"
        ROWS.append(("forgaeves-rekrutteringer", f"{y}-H{h}", value, series, "STAR rekrutteringssurvey", known))
# Fokusområde 2 follows a trajectory from 25 % in 2020 to 30 % in 2025: on the path until 2022,
# just behind it (within the tolerance) in 2023.
for year, value, known in [(2019, 24.8, "2019-09-15"), (2020, 25.6, "2021-01-20"), (2021, 26.4, "2021-09-15"),
                           (2022, 27.2, "2022-09-15"), (2023, 27.6, "2023-06-20")]:
    ROWS.append(("unge-erhvervsuddannelse", str(year), value, "local", "Ungdommens Uddannelsesvejledning", known))
# A correction: FASIT revised the May figure for CV within 24 hours two weeks after first delivery.
ROWS.append(("cv-inden-24-timer", "2021-05", 92.1, "local", "Virksomhedsservice (rettelse)", "2021-06-24"))


# Budget (ØS Indsigt export shape): annual budget, spending to date, commitments and forecast per
# area and month, in kroner. Sygedagpenge overruns at the 30.04 control and is brought back by a
# corrective action; kontanthjælp overruns and nobody answers (the action escalates twice).
BUDGET = {  # area title, effort group, annual budget (mio. kr.) per year, monthly forecasts Jan..Nov per year
    "Sygedagpenge": ("sygedagpenge", {2021: (310, [309.5, 311.0, 318.0, 322.4, 316.0, 313.5, 310.5, 309.0,
                                                   308.2, 308.0, 307.6])}),
    "Kontanthjælp": ("kontanthjaelp", {2021: (450, [451.8, 452.3, 452.0, 464.0, 466.5, 467.2, 468.0, 466.9,
                                                    465.3, 466.0, 465.1])}),
    "A-dagpenge": ("a-dagpenge", {2021: (520, [515.0, 512.4, 514.8, 516.3, 513.9, 511.2, 512.8, 510.6,
                                               509.9, 511.4, 510.2]),
                                  # 2022: unemployment rises in the autumn; the November forecast is
                                  # 1.3 % over the budget when the December follow-up looks at it.
                                  2022: (520, [514.0, 513.2, 515.1, 514.6, 516.0, 515.2, 516.8, 517.5,
                                               519.0, 521.0, 526.8])}),
    "Uddannelseshjælp": ("uddannelseshjaelp", {2021: (95, [94.2, 94.8, 94.5, 93.9, 94.1, 94.6, 93.8, 94.0,
                                                          93.7, 93.5, 93.6])}),
    "Ledighedsydelse": ("ledighedsydelse", {2021: (140, [139.4, 139.8, 139.1, 138.7, 139.2, 138.9, 138.5,
                                                         138.8, 138.1, 138.4, 138.0])}),
    "Ressourceforløb": ("ressourceforloeb", {2021: (120, [119.5, 119.1, 118.8, 119.3, 118.6, 118.9, 118.2,
                                                          118.5, 117.9, 118.1, 117.7])}),
}


def calm_year(budget: float) -> tuple[float, list[float]]:
    """A year inside the budget: forecasts 0.6-1.0 % under it."""
    return budget, [round(budget * (0.992 + 0.001 * (m % 4)), 1) for m in range(1, 12)]


for _title, (_group, years) in BUDGET.items():
    base = years[2021][0]
    for y, factor in ((2020, 0.98), (2022, 1.0), (2023, 1.02)):
        years.setdefault(y, calm_year(round(base * factor)))
    if _group == "a-dagpenge":
        years[2023] = (540, [528.0, 527.1, 529.4, 530.2, 531.0, 529.8, 530.5, 531.2, 530.0, 529.1, 528.6])


def kr(amount: float) -> str:
    whole, frac = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ".".join(groups) + "," + frac


def budget_rows() -> list[list[str]]:
    rows = []
    for title, (group, years) in BUDGET.items():
        for year, (budget_mio, forecasts) in sorted(years.items()):
            budget = budget_mio * 1_000_000
            for m, forecast_mio in enumerate(forecasts, start=1):
                forecast = forecast_mio * 1_000_000
                spent = forecast * m / 12 * (0.985 + 0.002 * (m % 3))
                committed = forecast * 0.004 * (12 - m)
                known = f"{year}-04-30" if m == 4 else month_known(f"{year}-{m:02d}", 5)
                rows.append([title, group, f"{year}-{m:02d}", kr(budget), kr(spent), kr(committed), kr(forecast),
                             known])
    return rows


# User satisfaction surveys (brugertilfredshed), 2019 (baseline), 2021 and 2023.
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
    ("borgere", "vaerdig-sagsbehandling", "Oplever du, at din sag bliver behandlet værdigt?", 2023, "76,5", 470,
     "2023-06-15"),
    ("borgere", "modtagelse", "Blev du taget godt imod i jobcentret?", 2023, "84,0", 470, "2023-06-15"),
    ("virksomheder", "samarbejde", "Er I tilfredse med samarbejdet med jobcentret?", 2023, "75,5", 270,
     "2023-06-15"),
    ("virksomheder", "rekruttering", "Fik I hjælp til rekruttering i tide?", 2023, "69,0", 265, "2023-06-15"),
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
