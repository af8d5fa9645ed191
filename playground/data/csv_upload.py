"""CSV upload: bytes in, ``Dataset`` out, every defect a ``DataError`` that says where and how to fix it.

The parser is pure: it reads only the bytes it is given and writes nothing anywhere. What it accepts:

* Encoding: UTF-8, with or without a byte-order mark; UTF-16 with a byte-order mark (Excel's "Unicode
  text"). Anything else is reported as "not UTF-8" with the line of the first bad byte.
* Delimiter: comma, semicolon, tab or bar, detected from the first lines (``csv.Sniffer`` proposes, and we
  keep the candidate that splits the lines into the most consistent numeric columns). With a delimiter
  other than a comma, a decimal comma (``1,5``) is read as a decimal point.
* Header: optional. The first row is a header when some column holds a non-number in the first row and
  numbers in most of the rows below (so a header of numbers, like ``1,2,3``, is read as data).
* Blank lines and rows whose fields are all empty are skipped; columns with no name and no values
  (trailing delimiters) are dropped; extra empty fields at the end of a row are ignored.
* Columns: the label column (default: the last) and at least two numeric feature columns.

Row numbers in errors are the line numbers an editor shows (1-based, the header is line 1); column
numbers count from 1, as a spreadsheet does. ``DataError.row`` and ``DataError.column`` carry them.

Task inference (``task=None``): labels that are not all numbers → classification; numbers that are all
whole and take at most ``limits.max_classes`` distinct values → classification; other numbers →
regression. Classification is "binary" with two classes, else "multiclass". Class names are sorted
(numerically for numeric labels, so "2" comes before "10"); class k is the k-th name.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from dataclasses import dataclass

import numpy as np

from playground.data.dataset import TASKS, Dataset
from playground.errors import DataError

MAX_UPLOAD_MB = 5
"""Upload limit in MB (1 MB = 1024² bytes); ``.streamlit/config.toml``'s ``server.maxUploadSize`` matches."""

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
_DELIMITER_SYMBOLS = {",": "“,”", ";": "“;”", "\t": "Tab", "|": "“|”"}
"""The delimiter as a symbol: a message's ``{symbol}`` parameter for a translation (English says
``{delimiter}``, its name)."""
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-", "--", "#n/a", "missing"})
"""Cells read as "missing" (compared case-insensitively, after stripping spaces)."""

_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_TEXT_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SNIFF_CHARS = 4000


@dataclass(frozen=True)
class CsvLimits:
    """What an upload may contain; the defaults suit a playground (small nets, a browser round trip)."""

    max_bytes: int = MAX_UPLOAD_MB * 1024 * 1024
    max_rows: int = 20_000
    max_classes: int = 10
    min_rows_per_class: int = 2
    min_rows: int = 10
    max_columns: int = 100

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_rows", "max_classes", "min_rows_per_class", "min_rows", "max_columns"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DataError(
                    "CsvLimits.{name} must be a whole number ≥ 1, got {value!r}.", name=name, value=value
                )
        if self.max_classes < 2:
            raise DataError("CsvLimits.max_classes must be at least 2.")


# --------------------------------------------------------------------------------------------------
# small helpers


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _fmt_size(n_bytes: int) -> str:
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / (1024 * 1024):.1f} MB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.1f} KB"
    return f"{n_bytes} bytes"


def _clip(text: str, width: int = 30) -> str:
    text = text if len(text) <= width else text[: width - 1] + "…"
    return repr(text)


def _fmt_number(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


# The kind of a cell: a finite number, or why it is not one.
NUMBER, MISSING, TEXT, INFINITE = 0, 1, 2, 3


def _read_number(cell: str, decimal_comma: bool) -> tuple[int, float]:
    s = cell.strip()
    if s.lower() in MISSING_TOKENS:
        return MISSING, math.nan
    try:
        v = float(s)
    except ValueError:
        if decimal_comma and _DECIMAL_COMMA.match(s):
            v = float(s.replace(",", "."))
        else:
            return TEXT, math.nan
    if math.isnan(v):
        return MISSING, v
    if math.isinf(v):
        return INFINITE, v
    return NUMBER, v


def _is_number(cell: str, decimal_comma: bool) -> bool:
    return _read_number(cell, decimal_comma)[0] == NUMBER


# --------------------------------------------------------------------------------------------------
# bytes -> text


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        body, encoding = data[len(codecs.BOM_UTF8) :], "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        body, encoding = data, "utf-16"
    else:
        body, encoding = data, "utf-8"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding == "utf-16":
            raise DataError(
                "The file starts like UTF-16 text but is damaged. Save it again as 'CSV UTF-8'."
            ) from None
        line = len(_LINE_BREAK.findall(body[: exc.start])) + 1
        bad = body[exc.start : exc.start + 1].hex()
        raise DataError(
            "The file is not UTF-8 text: line {line} contains the byte 0x{bad}, which UTF-8 does not "
            "allow. Save the file as 'CSV UTF-8' (in Excel: File › Save As › CSV UTF-8) and upload "
            "it again.",
            row=line,
            line=line,
            bad=bad,
        ) from None
    if text.startswith("\ufeff"):  # a BOM inside UTF-16 text
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        line = len(_TEXT_LINE_BREAK.findall(text, 0, nul)) + 1
        raise DataError(
            "This is not a text file: line {line} contains a NUL character. Upload a CSV file.",
            line=line,
            row=line,
        )
    return text


# --------------------------------------------------------------------------------------------------
# text -> rows with their line numbers


def _sample_lines(text: str, n_lines: int = 60, max_chars: int = 50_000) -> list[str]:
    lines = []
    for line in io.StringIO(text[:max_chars], newline=""):
        if line.strip():
            lines.append(line)
            if len(lines) >= n_lines:
                break
    if len(text) > max_chars and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut short
    return lines


def _score_delimiter(lines: list[str], delimiter: str) -> tuple:
    """How well ``delimiter`` splits the sample: consistent width ≥ 2 first, then more numeric cells."""
    try:
        rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
    except csv.Error:
        return (False, 0.0, 0, 0)
    if not rows:
        return (False, 0.0, 0, 0)
    widths = [len(_trim(row)) for row in rows]
    mode = max(set(widths), key=lambda w: (widths.count(w), w))
    share = widths.count(mode) / len(widths)
    numeric = sum(_is_number(c, delimiter != ",") for row in rows for c in row)
    return (mode >= 2, share, numeric, mode)


def _detect_delimiter(text: str) -> str:
    lines = _sample_lines(text)
    sniffed = None
    try:
        # The Sniffer's regular expressions take quadratic time on quote-heavy lines: keep its sample short.
        sample = "".join(lines[:20])[:_SNIFF_CHARS]
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except Exception:  # the Sniffer raises csv.Error (and worse) on odd input; it is only a hint
        sniffed = None
    candidates = sorted(
        DELIMITERS,
        key=lambda d: (_score_delimiter(lines, d), d == sniffed, -DELIMITERS.index(d)),
        reverse=True,
    )
    best = candidates[0]
    if not _score_delimiter(lines, best)[0]:
        raise DataError(
            "Only one column found (looked for comma, semicolon, tab and bar delimiters). "
            "A file needs two or more numeric feature columns and a label column, separated by commas "
            "(or semicolons, tabs or bars)."
        )
    return best


def _trim(row: list[str]) -> list[str]:
    """Drop empty fields at the end of a row (trailing delimiters)."""
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _read_rows(text: str, delimiter: str, limits: CsvLimits) -> tuple[list[list[str]], list[int]]:
    """Non-blank rows and the line each starts on (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    allowed = limits.max_rows + 1  # the first row may be a header
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = previous_end + 1
            raise DataError(
                "Line {line} cannot be read as CSV ({exc}). Check the quotes on that line.",
                line=line,
                exc=exc,
                row=line,
            ) from None
        start, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # a blank line, or a row of empty fields
        if len(row) > limits.max_columns and len(_trim(row)) > limits.max_columns:
            raise DataError(
                "Line {line} has {n} values; the limit is {limit} columns.",
                row=start,
                line=start,
                n=_fmt_int(len(_trim(row))),
                limit=limits.max_columns,
            )
        rows.append(row)
        lines.append(start)
        if len(rows) > allowed:
            break
    return rows, lines


def _detect_header(rows: list[list[str]], decimal_comma: bool) -> bool:
    """The first row is a header if a column has a non-number there and numbers in most rows below."""
    first = rows[0]
    if len(rows) < 2:
        return not any(_is_number(c, decimal_comma) for c in first)
    below = rows[1:21]
    for j, cell in enumerate(first):
        if not cell.strip() or _is_number(cell, decimal_comma):
            continue
        numeric = sum(1 for row in below if j < len(row) and _is_number(row[j], decimal_comma))
        if numeric * 2 > len(below):
            return True
    return False


def _mode(values: list[int]) -> int:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: (counts[v], v))


# --------------------------------------------------------------------------------------------------
# the parser


def parse_csv(
    data: bytes,
    *,
    task: str | None = None,
    label_column: int | str | None = None,
    limits: CsvLimits = CsvLimits(),  # noqa: B008 - frozen, so a shared default is safe
    header: bool | None = None,
    name: str = "uploaded CSV",
) -> Dataset:
    """Read the bytes of an uploaded CSV into a ``Dataset``; raises nothing but ``DataError``.

    ``task``: None (infer, see the module docstring), "classification" (binary or multiclass by the
    number of classes), "binary", "multiclass" or "regression". ``label_column``: a header name
    (case-insensitive), or a 0-based column index as in the file (negative counts from the end;
    default: the last column). ``header``: None to detect, True/False to say. ``name`` becomes
    ``Dataset.name``. The first two feature columns are the 2-D view.
    """
    try:
        return _Parser(data, task, label_column, limits, header).parse(str(name))
    except DataError:
        raise
    except MemoryError:
        raise DataError("The file is too large to read in the memory available.") from None
    except Exception as exc:  # a bug of ours: still the project's error type, but say so
        raise DataError(
            "Something unexpected went wrong while reading the file ({kind}: {exc}). "
            "Please report this file.",
            kind=type(exc).__name__,
            exc=exc,
        ) from exc


class _Parser:
    """One parse; the steps in the order a user would want the problems reported."""

    def __init__(self, data, task, label_column, limits, header):
        if not isinstance(limits, CsvLimits):
            raise DataError("limits must be a CsvLimits, got {kind}.", kind=type(limits).__name__)
        if task not in (None, "classification", *TASKS):
            raise DataError(
                "Unknown task {task!r}; choose classification, binary, multiclass or regression.", task=task
            )
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        if not isinstance(data, bytes):
            raise DataError("parse_csv reads the bytes of a file, got {kind}.", kind=type(data).__name__)
        self.data, self.task, self.label_column = data, task, label_column
        self.limits, self.header = limits, header

    # -- messages ----------------------------------------------------------------------------------
    def where(self, j: int) -> dict[str, object]:
        """The j-th kept column for a message's ``column {col}{name}``: ``col`` its number in the file,
        ``name`` its header in quotes (' ("petal_width")') or empty; and ``column=`` for the error."""
        name = self.names[j].strip() if self.names is not None else ""
        return {
            "col": self.columns[j],
            "name": f' ("{_clip(name, 40)[1:-1]}")' if name else "",
            "column": self.columns[j],
        }

    def at(self, i: int | None, j: int | None = None) -> dict[str, object]:
        """``row=`` (the line of data row ``i``), ``line`` and the column ``j`` (see :meth:`where`) for a
        ``DataError``."""
        out: dict[str, object] = self.where(j) if j is not None else {}
        if i is not None:
            out.update(row=self.lines[i], line=self.lines[i])
        return out

    # -- steps -------------------------------------------------------------------------------------
    def parse(self, name: str) -> Dataset:
        limits = self.limits
        if len(self.data) > limits.max_bytes:
            raise DataError(
                "The file is {size}; the limit is {limit}. Upload a smaller sample of its rows.",
                size=_fmt_size(len(self.data)),
                limit=_fmt_size(limits.max_bytes),
            )
        text = _decode(self.data)
        if not text.strip(' \t\r\n\v\f,;|"'):  # nothing but blanks, delimiters and quotes
            raise DataError(
                "The file is empty. Upload a CSV with two or more numeric feature columns and a label column."
            )
        self.delimiter = _detect_delimiter(text)
        self.decimal_comma = self.delimiter != ","
        rows, lines = _read_rows(text, self.delimiter, limits)
        if not rows:
            raise DataError("The file has no data rows.")

        has_header = _detect_header(rows, self.decimal_comma) if self.header is None else bool(self.header)
        names = None
        if has_header:
            names, rows, lines = rows[0], rows[1:], lines[1:]
        if not rows:
            raise DataError("The file has a header but no data rows.")
        if len(rows) > limits.max_rows:
            raise DataError(
                "The file has more than {limit} data rows (the limit); line {line} is the first over it. "
                "Upload a sample of at most {limit} rows.",
                row=lines[limits.max_rows],
                limit=_fmt_int(limits.max_rows),
                line=lines[limits.max_rows],
            )
        self.lines = lines
        self._shape(rows, names)
        if len(self.rows) < limits.min_rows:
            n = len(self.rows)
            # i18n: {s} is the English plural ending ("s" or ""): a translation leaves it out.
            raise DataError(
                "The file has {n} data row{s}; at least {need} are needed to train and test a network.",
                n=n,
                s="s" if n != 1 else "",  # English plural only: a translation leaves {s} out
                need=limits.min_rows,
            )
        self.label_j = self._resolve_label()
        self.feature_js = [j for j in range(self.width) if j != self.label_j]
        X = self._features()
        task, y, class_names = self._labels()
        self._constant_columns(X)
        label_name = "label"
        if self.names is not None and self.names[self.label_j].strip():
            label_name = self.names[self.label_j].strip()
        feature_names = []
        for n, j in enumerate(self.feature_js):
            given = self.names[j].strip() if self.names is not None else ""
            feature_names.append(given or f"x{n + 1}")
        return Dataset(
            X=X,
            y=y,
            task=task,
            name=name,
            feature_names=tuple(feature_names),
            class_names=class_names,
            view_columns=(0, 1),
            label_name=label_name,
        )

    def _shape(self, rows: list[list[str]], names: list[str] | None) -> None:
        """Check every row has the same number of values; drop unnamed, empty columns."""
        widths = [len(_trim(row)) for row in rows]
        width = _mode(widths)
        header_width = len(_trim(names)) if names is not None else 0
        width = max(width, header_width)
        by_header = header_width == width
        self.columns = list(range(1, width + 1))
        self.names = None
        delimiter = {
            "delimiter": _DELIMITER_NAMES[self.delimiter],
            "symbol": _DELIMITER_SYMBOLS[self.delimiter],
        }
        for i, (row, trimmed) in enumerate(zip(rows, widths, strict=True)):
            at = {"row": self.lines[i], "line": self.lines[i], "n": trimmed, "width": width}
            if trimmed > width and by_header:
                # i18n: {delimiter}: its English name; a translation uses {symbol} (“,” “;” Tab “|”).
                raise DataError(
                    "Line {line} has {n} values but the header has {width}. Check for an extra "
                    "{delimiter} or an unquoted value that contains one.",
                    **at,
                    **delimiter,
                    column=width + 1,
                )
            if trimmed > width:
                # i18n: {delimiter}: its English name; a translation uses {symbol} (“,” “;” Tab “|”).
                raise DataError(
                    "Line {line} has {n} values but most rows have {width}. Check for an extra "
                    "{delimiter} or an unquoted value that contains one.",
                    **at,
                    **delimiter,
                    column=width + 1,
                )
            at.update(n=len(row), s="s" if len(row) != 1 else "")  # {s}: English plural only
            if len(row) < width and by_header:
                # i18n: {s} is the English plural ending ("s" or ""): a translation leaves it out.
                raise DataError(
                    "Line {line} has only {n} value{s} but the header has {width}. "
                    "Fill in the missing values or delete the row.",
                    **at,
                    column=len(row) + 1,
                )
            if len(row) < width:
                # i18n: {s} is the English plural ending ("s" or ""): a translation leaves it out.
                raise DataError(
                    "Line {line} has only {n} value{s} but most rows have {width}. "
                    "Fill in the missing values or delete the row.",
                    **at,
                    column=len(row) + 1,
                )
        rows = [row[:width] for row in rows]
        if names is not None:
            names = (names + [""] * width)[:width]
        # Columns with neither a name nor a value are artefacts of trailing delimiters.
        keep = [
            j
            for j in range(width)
            if (names is not None and names[j].strip()) or any(row[j].strip() for row in rows)
        ]
        self.columns = [j + 1 for j in keep]
        self.rows = [[row[j] for j in keep] for row in rows] if len(keep) < width else rows
        self.names = [names[j] for j in keep] if names is not None else None
        self.width = len(keep)
        if self.width < 3:
            # i18n: {s} is the English plural ending ("s" or ""): a translation leaves it out.
            # i18n: {delimiter}: its English name; a translation uses {symbol} (“,” “;” Tab “|”).
            raise DataError(
                "Found {n} column{s} ({delimiter}-separated). "
                "A file needs two or more numeric feature columns and a label column.",
                n=self.width,
                s="s" if self.width != 1 else "",
                delimiter=_DELIMITER_NAMES[self.delimiter],
                symbol=_DELIMITER_SYMBOLS[self.delimiter],
            )

    def _resolve_label(self) -> int:
        label_column, width = self.label_column, self.width
        if label_column is None:
            return width - 1
        if isinstance(label_column, str):
            if self.names is None:
                raise DataError(
                    "The label column {label_column!r} was given by name, but the file has no header "
                    "row. Choose the label column by number.",
                    label_column=label_column,
                )
            stripped = [n.strip() for n in self.names]
            if label_column.strip() in stripped:
                return stripped.index(label_column.strip())
            folded = [n.casefold() for n in stripped]
            if label_column.strip().casefold() in folded:
                return folded.index(label_column.strip().casefold())
            listed = ", ".join(repr(n) for n in stripped)
            raise DataError(
                "No column is named {label_column!r}; the columns are: {listed}.",
                label_column=label_column,
                listed=listed,
            )
        if isinstance(label_column, bool) or not isinstance(label_column, int | np.integer):
            raise DataError(
                "label_column must be a column name or a column number, got {label_column!r}.",
                label_column=label_column,
            )
        j = int(label_column)
        if -width <= j < 0:
            return j + width
        if j >= 0 and j + 1 in self.columns:
            return self.columns.index(j + 1)
        raise DataError(
            "There is no column number {j} (counting from 0) with values; the file's columns are "
            "numbers {columns}.",
            j=j,
            columns=", ".join(str(c - 1) for c in self.columns),
        )

    def _features(self) -> np.ndarray:
        rows, fjs, dc = self.rows, self.feature_js, self.decimal_comma
        kinds = np.empty((len(rows), len(fjs)), dtype=np.int8)
        values = np.empty((len(rows), len(fjs)), dtype=np.float64)
        for i, row in enumerate(rows):
            for k, j in enumerate(fjs):
                kinds[i, k], values[i, k] = _read_number(row[j], dc)
        self.label_cells = [row[self.label_j].strip() for row in rows]
        self.label_kinds = np.empty(len(rows), dtype=np.int8)
        self.label_values = np.empty(len(rows), dtype=np.float64)
        for i, cell in enumerate(self.label_cells):
            self.label_kinds[i], self.label_values[i] = _read_number(cell, dc)

        has_number = (kinds == NUMBER).any(axis=0)
        if not has_number.any():
            where = self.where(self.label_j)
            raise DataError(
                "No numeric columns: apart from the label (column {col}{name}), no column "
                "holds numbers. Features must be numbers; only the label may be text.",
                col=where["col"],
                name=where["name"],
            )
        for k, j in enumerate(fjs):  # a column of words, e.g. names or the classes in the wrong place
            if not has_number[k] and (kinds[:, k] == TEXT).any():
                i = int(np.flatnonzero(kinds[:, k] == TEXT)[0])
                if self.label_column is None:
                    raise DataError(
                        "Column {col}{name} holds text, not numbers (line {line}: {cell}). Remove the "
                        "column. If it holds the classes, choose it as the label column.",
                        **self.at(i, j),
                        cell=_clip(rows[i][j].strip()),
                    )
                raise DataError(
                    "Column {col}{name} holds text, not numbers (line {line}: {cell}). Remove the column.",
                    **self.at(i, j),
                    cell=_clip(rows[i][j].strip()),
                )
        for k, j in enumerate(fjs):
            if not has_number[k] and (kinds[:, k] == MISSING).all():
                raise DataError(
                    "Column {col}{name} has no values. Fill it in or remove the column.", **self.where(j)
                )

        # The first bad cell in reading order (row by row, left to right), the label included.
        bad = np.flatnonzero((kinds != NUMBER).any(axis=1) | (self.label_kinds == MISSING))
        if len(bad):
            i = int(bad[0])
            for j in range(self.width):
                if j == self.label_j:
                    if self.label_kinds[i] == MISSING:
                        raise DataError(
                            "Line {line}: the label (column {col}{name}) is missing. "
                            "Fill it in or delete the row.",
                            **self.at(i, j),
                        )
                    continue
                kind, cell = kinds[i, fjs.index(j)], rows[i][j].strip()
                if kind == MISSING and cell:
                    raise DataError(
                        "Line {line}, column {col}{name}: the value is missing ({cell}). "
                        "Fill it in or delete the row.",
                        **self.at(i, j),
                        cell=_clip(cell),
                    )
                if kind == MISSING:
                    raise DataError(
                        "Line {line}, column {col}{name}: the value is missing. "
                        "Fill it in or delete the row.",
                        **self.at(i, j),
                    )
                if kind == TEXT and self.delimiter == ",":
                    raise DataError(
                        "Line {line}, column {col}{name}: {cell} is not a number. Features must be numbers "
                        "(with a point for decimals).",
                        **self.at(i, j),
                        cell=_clip(cell),
                    )
                if kind == TEXT:
                    raise DataError(
                        "Line {line}, column {col}{name}: {cell} is not a number. Features must be numbers "
                        "(with a point or a comma for decimals).",
                        **self.at(i, j),
                        cell=_clip(cell),
                    )
                if kind == INFINITE:
                    raise DataError(
                        "Line {line}, column {col}{name}: {cell} is infinite. "
                        "Replace it with a finite number or delete the row.",
                        **self.at(i, j),
                        cell=_clip(cell),
                    )
        return values

    def _labels(self) -> tuple[str, np.ndarray, tuple[str, ...]]:
        kinds, values, cells, j = self.label_kinds, self.label_values, self.label_cells, self.label_j
        where = self.where(j)
        infinite = np.flatnonzero(kinds == INFINITE)
        if len(infinite):
            i = int(infinite[0])
            raise DataError(
                "Line {line}: the label (column {col}{name}) {cell} is infinite. "
                "Replace it with a finite number or delete the row.",
                **self.at(i, j),
                cell=_clip(cells[i]),
            )
        task = self.task
        numeric = bool((kinds == NUMBER).all())
        if task is None:
            if not numeric:
                task = "classification"
            else:
                whole = bool(np.all(values == np.round(values)))
                few = len(np.unique(values)) <= self.limits.max_classes
                task = "classification" if whole and few else "regression"

        if task == "regression":
            if not numeric:
                i = int(np.flatnonzero(kinds != NUMBER)[0])
                raise DataError(
                    "Line {line}: the label (column {col}{name}) {cell} is not a number, but "
                    "regression predicts numbers. Choose classification, or fix the value.",
                    **self.at(i, j),
                    cell=_clip(cells[i]),
                )
            if np.all(values == values[0]):
                raise DataError(
                    "The label (column {col}{name}) is {value} in every row: there is nothing to predict.",
                    **where,
                    value=_fmt_number(float(values[0])),
                )
            return task, values.copy(), ()

        keys: list = list(values) if numeric else cells
        distinct = sorted(set(keys))
        class_names = tuple(_fmt_number(float(v)) for v in distinct) if numeric else tuple(distinct)
        limit = self.limits.max_classes
        if len(distinct) > limit:
            shown = ", ".join(_clip(c, 15) for c in class_names[:5])
            raise DataError(
                "The label (column {col}{name}) has {n} different values ({shown}, …); classification "
                "allows at most {limit} classes. If it is a number to predict, choose regression.",
                **where,
                n=len(distinct),
                shown=shown,
                limit=limit,
            )
        if len(distinct) < 2:
            raise DataError(
                "The label (column {col}{name}) is {value} in every row: a single class. "
                "Classification needs at least two classes.",
                **where,
                value=_clip(class_names[0]),
            )
        index = {key: k for k, key in enumerate(distinct)}
        y = np.fromiter((index[key] for key in keys), dtype=np.int64, count=len(keys))
        counts = np.bincount(y, minlength=len(distinct))
        need = self.limits.min_rows_per_class
        if counts.min() < need:
            k = int(np.argmin(counts))
            i = int(np.flatnonzero(y == k)[0])
            n = int(counts[k])
            # i18n: {s} is the English plural ending ("s" or ""): a translation leaves it out.
            raise DataError(
                "Class {cls} of the label (column {col}{name}) has only {n} row{s} (line {line}); each "
                "class needs at least {need} to be split into training and test rows. Add rows of that "
                "class or remove it.",
                **self.at(i, j),
                cls=_clip(class_names[k]),
                n=n,
                s="s" if n != 1 else "",  # English plural only: a translation leaves {s} out
                need=need,
            )
        if task == "classification":
            task = "binary" if len(distinct) == 2 else "multiclass"
        elif task == "binary" and len(distinct) != 2:
            raise DataError(
                "The task is binary classification, but the label (column {col}{name}) has {n} classes. "
                "Choose multi-class classification.",
                **where,
                n=len(distinct),
            )
        return task, y, class_names

    def _constant_columns(self, X: np.ndarray) -> None:
        for k, j in enumerate(self.feature_js):
            col = X[:, k]
            if np.all(col == col[0]):
                raise DataError(
                    "Column {col}{name} has the same value ({value}) in every row, so it carries no "
                    "information. Remove the column.",
                    **self.where(j),
                    value=_fmt_number(float(col[0])),
                )
