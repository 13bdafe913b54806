"""The two Jobindsats APIs, reduced to what a fetch needs: a table's description and its data.

v2 (`https://api.jobindsats.dk/v2`, still used by most municipal code):
  GET  /v2/tables/{id}/json  → [{"Period": [...], "Measurements": [...], "Dimensions": [{"DimensionID",
                                 "Values", ...}], "LatestUpdate"?: ...}]
  POST /v2/data/{id}/json    {"area": "*", "period": [...], "_kon": ["Køn i alt"]}
                             → [{"Variables": [{"Label": ...}], "Data": [[area, period, ..., values]]}]
  GET  /v2/tables/             → [{"TableID", "TableName", "Measurements": [{"ID", "Name"}], ...}]: the
                                 catalogue of all tables, read to find which table holds a measurement
v3 (`https://api.jobindsats.dk/v3`, `Authorization: Bearer <key>`):
  GET  /v3/table/{id}?format=json   → dimensions → hierarchies → levels → values (value_id, value_name)
  GET  /v3/data/{id}?mgroup.*=*&period.M=latest:N&hierarchy._kon=<value_id>&format=json
                             → {"columns": [...], "rows": [[...]]}

Anything not shaped like this is a `FetchError` of kind "shape" naming the table and the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from govcore import FetchError, Http, did_you_mean, normalise_name
from govcore_jobindsats.i18n import _

SOURCE = "jobindsats"


@dataclass(frozen=True)
class TableInfo:
    periods: tuple[str, ...]
    updated: str
    dimensions: Mapping[str, tuple[str, ...]]
    measurements: tuple[str, ...] = ()
    value_ids: Mapping[tuple[str, str], str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogueTable:
    """One table of the catalogue: its id, name and measurements as (id, name) pairs."""

    table: str
    name: str
    measurements: tuple[tuple[str, str], ...]


CATALOGUE = "catalogue"


@dataclass(frozen=True)
class Data:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def shape(table: str, fld: str, message: str) -> FetchError:
    return FetchError(_("the response is not shaped as expected: {problem}; the Jobindsats API may have "
                        "changed").format(problem=message), kind="shape", source=SOURCE, table=table, field=fld)


def check_selection(table: str, info: TableInfo, select: Mapping[str, str]) -> None:
    """Every selected dimension and value exists in the table (a settings error with a hint if not)."""
    for dim, value in select.items():
        if dim not in info.dimensions:
            hint = did_you_mean(dim, info.dimensions) or _("the table has no dimensions")
            raise FetchError(_("the table has no dimension '{name}' ({hint})").format(name=dim, hint=hint),
                             kind="settings", source=SOURCE, table=table, field=dim)
        if value not in info.dimensions[dim]:
            raise FetchError(_("the dimension has no value '{value}' ({hint})").format(
                value=value, hint=did_you_mean(value, info.dimensions[dim])), kind="settings", source=SOURCE,
                table=table, field=dim)


class V2:
    def __init__(self, http: Http, base_url: str, headers: Mapping[str, str]) -> None:
        self.http, self.base, self.headers = http, base_url.rstrip("/") + "/v2", dict(headers)

    def table_info(self, table: str) -> TableInfo:
        raw = self.http.get(f"{self.base}/tables/{table.lower()}/json", headers=self.headers, table=table)
        doc = raw.json(SOURCE, table)
        if isinstance(doc, list) and len(doc) == 1:
            doc = doc[0]
        if not isinstance(doc, dict):
            raise shape(table, "(table)", _("expected one table description"))
        periods = doc.get("Period")
        if not isinstance(periods, list) or not all(isinstance(p, str) for p in periods):
            raise shape(table, "Period", _("expected a list of period codes"))
        dims: dict[str, tuple[str, ...]] = {}
        defaults: dict[str, str] = {}
        for i, d in enumerate(doc.get("Dimensions") or []):
            if not isinstance(d, dict) or not isinstance(d.get("DimensionID"), str) or \
                    not isinstance(d.get("Values"), list):
                raise shape(table, f"Dimensions[{i}]", _("expected DimensionID and Values"))
            dims[d["DimensionID"]] = tuple(str(v) for v in d["Values"])
            if isinstance(d.get("DefaultValue"), str) and d["DefaultValue"] in dims[d["DimensionID"]]:
                defaults[d["DimensionID"]] = d["DefaultValue"]
        measurements = tuple(str(m.get("Name", "")) if isinstance(m, dict) else str(m)
                             for m in doc.get("Measurements") or [])
        return TableInfo(tuple(periods), str(doc.get("LatestUpdate") or ""), dims, measurements, defaults=defaults)

    def catalogue(self) -> tuple[CatalogueTable, ...]:
        """Every table with its measurements (one request: `GET /v2/tables/`)."""
        raw = self.http.get(f"{self.base}/tables/", headers=self.headers, table=CATALOGUE)
        doc = raw.json(SOURCE, CATALOGUE)
        if not isinstance(doc, list):
            raise shape(CATALOGUE, "(catalogue)", _("expected a list of tables"))
        out = []
        for i, t in enumerate(doc):
            if not isinstance(t, dict) or not isinstance(t.get("TableID"), str):
                raise shape(CATALOGUE, f"[{i}].TableID", _("expected each table to have a TableID"))
            ms = t.get("Measurements")
            if not isinstance(ms, list):
                raise shape(CATALOGUE, f"[{i}].Measurements", _("expected a list of measurements for {table}").format(
                    table=t["TableID"]))
            pairs = []
            for j, m in enumerate(ms):
                if not isinstance(m, dict) or not isinstance(m.get("ID"), str) or not isinstance(m.get("Name"), str):
                    raise shape(CATALOGUE, f"[{i}].Measurements[{j}]",
                                _("expected ID and Name for each measurement of {table}").format(table=t["TableID"]))
                pairs.append((m["ID"], m["Name"]))
            out.append(CatalogueTable(t["TableID"].upper(), str(t.get("TableName") or ""), tuple(pairs)))
        return tuple(out)

    def data(self, table: str, info: TableInfo, periods: list[str], select: Mapping[str, str], kind: str) -> Data:
        body: dict[str, Any] = {"area": "*", "period": periods}
        body.update({dim: [value] for dim, value in sorted(select.items())})
        raw = self.http.post(f"{self.base}/data/{table.lower()}/json", body=body, headers=self.headers, table=table)
        doc = raw.json(SOURCE, table)
        if isinstance(doc, list) and len(doc) == 1:
            doc = doc[0]
        if not isinstance(doc, dict):
            raise shape(table, "(data)", _("expected one data set"))
        variables, rows = doc.get("Variables"), doc.get("Data")
        if not isinstance(variables, list) or not all(isinstance(v, dict) and "Label" in v for v in variables):
            raise shape(table, "Variables", _("expected a list of columns with a Label"))
        if not isinstance(rows, list):
            raise shape(table, "Data", _("expected a list of rows"))
        return Data(tuple(str(v["Label"]) for v in variables), _rows(table, rows, len(variables), "Data"))


V3_PERIOD = {"month": "M", "quarter": "Q", "rolling_year": "QMAT", "year": "Y"}


class V3:
    """v3 addresses dimension values by id: the table description maps each value's name to its id."""

    def __init__(self, http: Http, base_url: str, headers: Mapping[str, str]) -> None:
        self.http, self.base, self.headers = http, base_url.rstrip("/") + "/v3", dict(headers)

    def table_info(self, table: str) -> TableInfo:
        raw = self.http.get(f"{self.base}/table/{table.lower()}", params={"format": "json"}, headers=self.headers,
                            table=table)
        doc = raw.json(SOURCE, table)
        if not isinstance(doc, dict) or not isinstance(doc.get("dimensions"), list):
            raise shape(table, "dimensions", _("expected a table description with dimensions"))
        dims: dict[str, list[str]] = {}
        ids: dict[tuple[str, str], str] = {}
        for hierarchy_id, values in _hierarchies(table, doc["dimensions"]):
            for v in values:
                dims.setdefault(hierarchy_id, []).append(v[1])
                ids[(hierarchy_id, v[1])] = v[0]
        periods = doc.get("periods") or []
        if not isinstance(periods, list):
            raise shape(table, "periods", _("expected a list of period codes"))
        return TableInfo(tuple(str(p) for p in periods), str(doc.get("latest_update") or ""),
                         {k: tuple(v) for k, v in dims.items()}, value_ids=ids)

    def catalogue(self) -> tuple[CatalogueTable, ...]:
        """Not read through v3: where v3's catalogue lists a table's measurement ids is not known
        from any public code (see the README), so v3 needs the table named in the settings."""
        raise FetchError(_("finding a measurement's table in the Jobindsats catalogue needs api: v2 (where the v3 "
                           "catalogue lists measurement ids is not known); name the table under "
                           "sources.jobindsats.measurements"), kind="settings", source=SOURCE, table=CATALOGUE)

    def data(self, table: str, info: TableInfo, periods: list[str], select: Mapping[str, str], kind: str) -> Data:
        params: dict[str, str] = {"mgroup.*": "*", f"period.{V3_PERIOD[kind]}": ",".join(periods),
                                  "format": "json"}
        for dim, value in sorted(select.items()):
            params[f"hierarchy.{dim}"] = info.value_ids[(dim, value)]
        raw = self.http.get(f"{self.base}/data/{table.lower()}", params=params, headers=self.headers, table=table)
        doc = raw.json(SOURCE, table)
        if not isinstance(doc, dict):
            raise shape(table, "(data)", _("expected columns and rows"))
        columns, rows = doc.get("columns"), doc.get("rows")
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise shape(table, "columns", _("expected a list of column names"))
        if not isinstance(rows, list):
            raise shape(table, "rows", _("expected a list of rows"))
        return Data(tuple(columns), _rows(table, rows, len(columns), "rows"))


def _hierarchies(table: str, dimensions: list[Any]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    for i, d in enumerate(dimensions):
        if not isinstance(d, dict) or not isinstance(d.get("hierarchies"), list):
            raise shape(table, f"dimensions[{i}].hierarchies", _("expected a list of hierarchies"))
        for j, h in enumerate(d["hierarchies"]):
            where = f"dimensions[{i}].hierarchies[{j}]"
            if not isinstance(h, dict) or not isinstance(h.get("hierarchy_id"), str):
                raise shape(table, f"{where}.hierarchy_id", _("expected a hierarchy id"))
            values: list[tuple[str, str]] = []
            for k, level in enumerate(h.get("levels") or []):
                for m, v in enumerate(level.get("values") or [] if isinstance(level, dict) else []):
                    if not isinstance(v, dict) or "value_id" not in v or "value_name" not in v:
                        raise shape(table, f"{where}.levels[{k}].values[{m}]", _("expected value_id and value_name"))
                    values.append((str(v["value_id"]), str(v["value_name"])))
            yield h["hierarchy_id"], values


def _rows(table: str, rows: list[Any], width: int, name: str) -> tuple[tuple[Any, ...], ...]:
    out = []
    for i, r in enumerate(rows):
        if not isinstance(r, list) or len(r) != width:
            raise shape(table, f"{name}[{i}]", _("expected a row of {width} cells like the column list").format(
                width=width))
        out.append(tuple(r))
    return tuple(out)


def column(table: str, columns: tuple[str, ...], wanted: str) -> int:
    """The index of a column by its label (compared loosely); a located error naming the field."""
    keys = [normalise_name(c) for c in columns]
    key = normalise_name(wanted)
    if key in keys:
        return keys.index(key)
    raise shape(table, wanted, _("no column '{name}' in the data (columns: {columns}); {hint}").format(
        name=wanted, columns=", ".join(columns),
        hint=did_you_mean(wanted, columns, list_all=False) or _("check the measurement name")))
