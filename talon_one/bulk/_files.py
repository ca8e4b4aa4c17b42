"""Reading a bulk job's rows from JSONL and CSV files, or stdin, lazily and with their line numbers."""

from __future__ import annotations

import csv
import json
import os
import sys
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from talon_one.bulk._jobs import JOBS, Job, model_class
from talon_one.bulk._report import Row, RowError
from talon_one.exceptions import ApiValueError

# A CSV cell's text to the value of its field (or the text itself when it is no such value).
Converter = Callable[[str], object]
# A CSV column: the key path in the row ((field,) or ("attributes", name)) and the converter of its
# cells (None for an attribute: attribute values stay strings).
Column = Tuple[Tuple[str, ...], Optional[Converter]]
# Lines of a file opened in binary or text mode.
Lines = Iterable[Union[bytes, str]]


class RowSource:
    """The rows of a JSONL or CSV file, read anew (lazily) on each iteration."""

    def __init__(self, path: str, fmt: str, job: str) -> None:
        self.path = path
        self.format = fmt
        self.job = job

    def __iter__(self) -> Iterator[Row]:
        with open(self.path, "rb") as handle:
            yield from iter_rows(handle, self.format, self.job)


def read_rows(path: str, fmt: Optional[str] = None, job: str = "profiles") -> Iterable[Row]:
    """The rows of a file for ``job`` (a key of JOBS), lazily, as Row(line, data).

    ``fmt``: "jsonl" (one JSON value per line; blank lines skipped) or "csv" (a header row of
    field names, JSON keys or Python names, and ``attributes.<name>`` columns; empty cells are
    left out; cells of integer, number and boolean fields are converted, attribute values
    stay strings). By default taken from the extension (.csv, else JSONL). ``path`` "-" reads
    stdin, once; a file path gives a RowSource, which can be read again.
    Raises ApiValueError for a CSV header naming no field of the job's model.
    """
    if fmt is None:
        fmt = "csv" if path.lower().endswith(".csv") else "jsonl"
    if fmt not in ("jsonl", "csv"):
        raise ApiValueError("format must be 'jsonl' or 'csv', got %r" % (fmt,))
    if job not in JOBS:
        raise ApiValueError("job must be one of %s, got %r" % (", ".join(JOBS), job))
    if path == "-":
        return _stdin_rows(fmt, job)
    if not os.path.isfile(path):
        raise ApiValueError("input file %r does not exist" % path)
    try:
        open(path, "rb").close()
    except OSError as error:
        raise ApiValueError("cannot read input file %r: %s" % (path, error.strerror)) from None
    source = RowSource(path, fmt, job)
    if fmt == "csv":
        with open(path, "rb") as handle:
            _csv_columns(csv.reader(_decoded(handle)), JOBS[job], path)  # a bad header: a usage error, found now
    return source


def _stdin_rows(fmt: str, job: str) -> Iterator[Row]:
    """Rows of stdin, read as UTF-8 whatever the locale."""
    yield from iter_rows(getattr(sys.stdin, "buffer", sys.stdin), fmt, job)


def iter_rows(handle: Lines, fmt: str, job: str) -> Iterator[Row]:
    """Rows of a file open in binary mode (or text mode), read lazily (see read_rows)."""
    if fmt == "csv":
        yield from _csv_rows(handle, JOBS[job])
        return
    for number, text in enumerate(_decoded(handle), 1):
        if not text.strip():
            continue
        try:
            yield Row(number, json.loads(text))
        except ValueError as error:
            yield Row(number, RowError("not valid JSON (%s)" % error))
        except RecursionError:
            yield Row(number, RowError("JSON nested too deeply"))


def _csv_columns(reader: Iterator[List[str]], job: Job, where: str) -> Optional[List[Column]]:
    """The header's columns as (key path, converter), or None for an empty file; raises ApiValueError for an
    unknown column."""
    try:
        header = next(reader)
    except StopIteration:
        return None
    if job.item_model is None:
        known = {"integrationId": "str", "integration_id": "str"}
        model_name = "integration IDs"
    else:
        cls = model_class(job.item_model)
        known = {}
        for name, type_ref in cls.openapi_types.items():
            known[name] = type_ref
            known[cls.attribute_map[name]] = type_ref
        model_name = job.item_model
    columns: List[Column] = []
    repeated = sorted({column for column in header if header.count(column) > 1})
    if repeated:
        raise ApiValueError("%s: CSV column %r appears more than once in the header" % (where, repeated[0]))
    for column in header:
        if column.startswith("attributes.") and known.get("attributes") == "object" and len(column) > 11:
            columns.append((("attributes", column[11:]), None))
        elif column in known and known[column] in _CSV_CONVERTERS:
            columns.append(((column,), _CSV_CONVERTERS[known[column]]))
        else:
            fields = sorted(set(cls.attribute_map.values()) if job.item_model else {"integrationId"})
            hint = ", attributes.<name>" if known.get("attributes") == "object" else ""
            raise ApiValueError("%s: CSV column %r is not a field of %s (columns: %s%s)"
                                % (where, column, model_name, ", ".join(
                                    f for f in fields if known.get(f) in _CSV_CONVERTERS), hint))
    return columns


def _csv_bool(text: str) -> Any:
    lowered = text.strip().lower()
    return {"true": True, "false": False}.get(lowered, text)


def _csv_number(kind: Converter) -> Converter:
    def convert(text: str) -> Any:
        try:
            return kind(text)
        except ValueError:
            return text  # validation names the field and the bad value
    return convert


_CSV_CONVERTERS: Dict[str, Converter] = {"str": str, "int": _csv_number(int), "float": _csv_number(float),
                                         "bool": _csv_bool}


def _decoded(handle: Lines) -> Iterator[str]:
    """The lines of a file opened in binary (or text) mode, as text: UTF-8, a leading byte order mark
    (as spreadsheet programs write) skipped. A line that is not UTF-8 stops the reading with ApiValueError."""
    name = getattr(handle, "name", "input")
    for number, line in enumerate(handle, 1):
        if not isinstance(line, str):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ApiValueError("%s: line %d is not UTF-8 text (%s)" % (name, number, error.reason)) from None
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        yield line


def _csv_rows(handle: Lines, job: Job) -> Iterator[Row]:
    reader = csv.reader(_decoded(handle))
    columns = _csv_columns(reader, job, getattr(handle, "name", "input"))
    if columns is None:
        return
    ended = reader.line_num
    for cells in reader:
        line, ended = ended + 1, reader.line_num  # where the record starts (a quoted cell may span lines)
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            yield Row(line, RowError("CSV row has %d cells, the header has %d" % (len(cells), len(columns))))
            continue
        data: Dict[str, Any] = {}
        for (path, convert), cell in zip(columns, cells):
            if cell == "":
                continue
            if convert is None:
                data.setdefault("attributes", {})[path[1]] = cell
            else:
                data[path[0]] = convert(cell)
        if job.item_model is None:
            yield Row(line, data.get("integrationId", data.get("integration_id", "")))
        else:
            yield Row(line, data)
