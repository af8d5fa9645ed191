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
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-", "--", "#n/a", "missing"})
"""Cells read as "missing" (compared case-insensitively, after stripping spaces)."""

_INTERNAL = "Something unexpected went wrong while reading the file"
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
                raise DataError(f"CsvLimits.{name} must be a whole number ≥ 1, got {value!r}.")
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
            f"The file is not UTF-8 text: line {line} contains the byte 0x{bad}, which UTF-8 does not allow. "
            "Save the file as 'CSV UTF-8' (in Excel: File › Save As › CSV UTF-8) and upload it again.",
            row=line,
        ) from None
    if text.startswith("\ufeff"):  # a BOM inside UTF-16 text
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        line = len(_TEXT_LINE_BREAK.findall(text, 0, nul)) + 1
        raise DataError(
            f"This is not a text file: line {line} contains a NUL character. Upload a CSV file.", row=line
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
                f"Line {line} cannot be read as CSV ({exc}). Check the quotes on that line.", row=line
            ) from None
        start, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # a blank line, or a row of empty fields
        if len(row) > limits.max_columns and len(_trim(row)) > limits.max_columns:
            raise DataError(
                f"Line {start} has {_fmt_int(len(_trim(row)))} values; "
                f"the limit is {limits.max_columns} columns.",
                row=start,
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
        raise DataError(f"{_INTERNAL} ({type(exc).__name__}: {exc}). Please report this file.") from exc


class _Parser:
    """One parse; the steps in the order a user would want the problems reported."""

    def __init__(self, data, task, label_column, limits, header):
        if not isinstance(limits, CsvLimits):
            raise DataError(f"limits must be a CsvLimits, got {type(limits).__name__}.")
        if task not in (None, "classification", *TASKS):
            raise DataError(
                f"Unknown task {task!r}; choose classification, binary, multiclass or regression."
            )
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        if not isinstance(data, bytes):
            raise DataError(f"parse_csv reads the bytes of a file, got {type(data).__name__}.")
        self.data, self.task, self.label_column = data, task, label_column
        self.limits, self.header = limits, header

    # -- messages ----------------------------------------------------------------------------------
    def where(self, j: int) -> str:
        """'column 3 ("petal_width")' for the j-th kept column."""
        name = self.names[j].strip() if self.names is not None else ""
        return (
            f'column {self.columns[j]} ("{_clip(name, 40)[1:-1]}")' if name else f"column {self.columns[j]}"
        )

    def fail(self, message: str, i: int | None = None, j: int | None = None, *, column: int | None = None):
        """Raise a ``DataError`` at data row ``i`` and kept column ``j`` (or the file's ``column``)."""
        raise DataError(
            message,
            row=self.lines[i] if i is not None else None,
            column=self.columns[j] if j is not None else column,
        )

    # -- steps -------------------------------------------------------------------------------------
    def parse(self, name: str) -> Dataset:
        limits = self.limits
        if len(self.data) > limits.max_bytes:
            raise DataError(
                f"The file is {_fmt_size(len(self.data))}; the limit is {_fmt_size(limits.max_bytes)}. "
                "Upload a smaller sample of its rows."
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
                f"The file has more than {_fmt_int(limits.max_rows)} data rows (the limit); line "
                f"{lines[limits.max_rows]} is the first over it. Upload a sample of at most "
                f"{_fmt_int(limits.max_rows)} rows.",
                row=lines[limits.max_rows],
            )
        self.lines = lines
        self._shape(rows, names)
        if len(self.rows) < limits.min_rows:
            n = len(self.rows)
            raise DataError(
                f"The file has {n} data row{'s' if n != 1 else ''}; at least {limits.min_rows} are needed "
                "to train and test a network."
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
        reference = "the header has" if header_width == width else "most rows have"
        self.columns = list(range(1, width + 1))
        self.names = None
        for i, (row, trimmed) in enumerate(zip(rows, widths, strict=True)):
            if trimmed > width:
                self.fail(
                    f"Line {self.lines[i]} has {trimmed} values but {reference} {width}. Check for an extra "
                    f"{_DELIMITER_NAMES[self.delimiter]} or an unquoted value that contains one.",
                    i,
                    column=width + 1,
                )
            if len(row) < width:
                self.fail(
                    f"Line {self.lines[i]} has only {len(row)} value{'s' if len(row) != 1 else ''} but "
                    f"{reference} {width}. Fill in the missing values or delete the row.",
                    i,
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
            raise DataError(
                f"Found {self.width} column{'s' if self.width != 1 else ''} "
                f"({_DELIMITER_NAMES[self.delimiter]}-separated). "
                "A file needs two or more numeric feature columns and a label column."
            )

    def _resolve_label(self) -> int:
        label_column, width = self.label_column, self.width
        if label_column is None:
            return width - 1
        if isinstance(label_column, str):
            if self.names is None:
                raise DataError(
                    f"The label column {label_column!r} was given by name, but the file has no header row. "
                    "Choose the label column by number."
                )
            stripped = [n.strip() for n in self.names]
            if label_column.strip() in stripped:
                return stripped.index(label_column.strip())
            folded = [n.casefold() for n in stripped]
            if label_column.strip().casefold() in folded:
                return folded.index(label_column.strip().casefold())
            listed = ", ".join(repr(n) for n in stripped)
            raise DataError(f"No column is named {label_column!r}; the columns are: {listed}.")
        if isinstance(label_column, bool) or not isinstance(label_column, int | np.integer):
            raise DataError(f"label_column must be a column name or a column number, got {label_column!r}.")
        j = int(label_column)
        if -width <= j < 0:
            return j + width
        if j >= 0 and j + 1 in self.columns:
            return self.columns.index(j + 1)
        raise DataError(
            f"There is no column number {j} (counting from 0) with values; "
            f"the file's columns are numbers {', '.join(str(c - 1) for c in self.columns)}."
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
            raise DataError(
                f"No numeric columns: apart from the label ({self.where(self.label_j)}), no column holds "
                "numbers. Features must be numbers; only the label may be text."
            )
        for k, j in enumerate(fjs):  # a column of words, e.g. names or the classes in the wrong place
            if not has_number[k] and (kinds[:, k] == TEXT).any():
                i = int(np.flatnonzero(kinds[:, k] == TEXT)[0])
                hint = (
                    " If it holds the classes, choose it as the label column."
                    if self.label_column is None
                    else ""
                )
                self.fail(
                    f"{self.where(j).capitalize()} holds text, not numbers (line {self.lines[i]}: "
                    f"{_clip(rows[i][j].strip())}). Remove the column.{hint}",
                    i,
                    j,
                )
        for k, j in enumerate(fjs):
            if not has_number[k] and (kinds[:, k] == MISSING).all():
                self.fail(
                    f"{self.where(j).capitalize()} has no values. Fill it in or remove the column.", None, j
                )

        # The first bad cell in reading order (row by row, left to right), the label included.
        bad = np.flatnonzero((kinds != NUMBER).any(axis=1) | (self.label_kinds == MISSING))
        if len(bad):
            i = int(bad[0])
            for j in range(self.width):
                if j == self.label_j:
                    if self.label_kinds[i] == MISSING:
                        self.fail(
                            f"Line {self.lines[i]}: the label ({self.where(j)}) is missing. "
                            "Fill it in or delete the row.",
                            i,
                            j,
                        )
                    continue
                kind, cell = kinds[i, fjs.index(j)], rows[i][j].strip()
                place = f"Line {self.lines[i]}, {self.where(j)}"
                if kind == MISSING:
                    shown = f" ({_clip(cell)})" if cell else ""
                    self.fail(f"{place}: the value is missing{shown}. Fill it in or delete the row.", i, j)
                if kind == TEXT:
                    decimal = "a point" if self.delimiter == "," else "a point or a comma"
                    self.fail(
                        f"{place}: {_clip(cell)} is not a number. Features must be numbers "
                        f"(with {decimal} for decimals).",
                        i,
                        j,
                    )
                if kind == INFINITE:
                    self.fail(
                        f"{place}: {_clip(cell)} is infinite. "
                        "Replace it with a finite number or delete the row.",
                        i,
                        j,
                    )
        return values

    def _labels(self) -> tuple[str, np.ndarray, tuple[str, ...]]:
        kinds, values, cells, j = self.label_kinds, self.label_values, self.label_cells, self.label_j
        where = self.where(j)
        infinite = np.flatnonzero(kinds == INFINITE)
        if len(infinite):
            i = int(infinite[0])
            self.fail(
                f"Line {self.lines[i]}: the label ({where}) {_clip(cells[i])} is infinite. "
                "Replace it with a finite number or delete the row.",
                i,
                j,
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
                self.fail(
                    f"Line {self.lines[i]}: the label ({where}) {_clip(cells[i])} is not a number, but "
                    "regression predicts numbers. Choose classification, or fix the value.",
                    i,
                    j,
                )
            if np.all(values == values[0]):
                self.fail(
                    f"The label ({where}) is {_fmt_number(float(values[0]))} in every row: there is nothing "
                    "to predict.",
                    None,
                    j,
                )
            return task, values.copy(), ()

        keys: list = list(values) if numeric else cells
        distinct = sorted(set(keys))
        class_names = tuple(_fmt_number(float(v)) for v in distinct) if numeric else tuple(distinct)
        limit = self.limits.max_classes
        if len(distinct) > limit:
            shown = ", ".join(_clip(c, 15) for c in class_names[:5])
            self.fail(
                f"The label ({where}) has {len(distinct)} different values ({shown}, …); classification "
                f"allows at most {limit} classes. If it is a number to predict, choose regression.",
                None,
                j,
            )
        if len(distinct) < 2:
            self.fail(
                f"The label ({where}) is {_clip(class_names[0])} in every row: a single class. "
                "Classification needs at least two classes.",
                None,
                j,
            )
        index = {key: k for k, key in enumerate(distinct)}
        y = np.fromiter((index[key] for key in keys), dtype=np.int64, count=len(keys))
        counts = np.bincount(y, minlength=len(distinct))
        need = self.limits.min_rows_per_class
        if counts.min() < need:
            k = int(np.argmin(counts))
            i = int(np.flatnonzero(y == k)[0])
            n = int(counts[k])
            self.fail(
                f"Class {_clip(class_names[k])} of the label ({where}) has only "
                f"{n} row{'s' if n != 1 else ''} (line {self.lines[i]}); each class needs at least {need} "
                "to be split into training and test rows. Add rows of that class or remove it.",
                i,
                j,
            )
        if task == "classification":
            task = "binary" if len(distinct) == 2 else "multiclass"
        elif task == "binary" and len(distinct) != 2:
            self.fail(
                f"The task is binary classification, but the label ({where}) has {len(distinct)} classes. "
                "Choose multi-class classification.",
                None,
                j,
            )
        return task, y, class_names

    def _constant_columns(self, X: np.ndarray) -> None:
        for k, j in enumerate(self.feature_js):
            col = X[:, k]
            if np.all(col == col[0]):
                self.fail(
                    f"{self.where(j).capitalize()} has the same value ({_fmt_number(float(col[0]))}) "
                    "in every row, so it carries no information. Remove the column.",
                    None,
                    j,
                )
