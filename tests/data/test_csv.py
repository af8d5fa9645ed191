"""CSV upload: what is accepted, and one clear message (with row and column) for every defect."""

from __future__ import annotations

import builtins
import codecs
import os

import numpy as np
import pytest

from playground.data import MAX_UPLOAD_MB, CsvLimits, Dataset, parse_csv
from playground.errors import DataError

ROWS = [(0.5 * i, (i * 7) % 5 + 0.25, "ab"[i % 2]) for i in range(12)]


def make_csv(rows=ROWS, header=("x", "y", "label"), delimiter=",", newline="\n") -> str:
    lines = [delimiter.join(header)] if header else []
    lines += [delimiter.join(str(v) for v in row) for row in rows]
    return newline.join(lines) + newline


def parse_text(text: str, **kwargs) -> Dataset:
    return parse_csv(text.encode("utf-8"), **kwargs)


def error_of(data, **kwargs) -> DataError:
    if isinstance(data, str):
        data = data.encode("utf-8")
    with pytest.raises(DataError) as info:
        parse_csv(data, **kwargs)
    return info.value


EXPECTED_X = np.array([[r[0], r[1]] for r in ROWS])
EXPECTED_Y = np.array([i % 2 for i in range(12)])


class TestAccepted:
    def test_basic_with_header(self):
        ds = parse_text(make_csv())
        assert ds.task == "binary" and ds.name == "uploaded CSV"
        assert ds.feature_names == ("x", "y") and ds.class_names == ("a", "b") and ds.label_name == "label"
        np.testing.assert_array_equal(ds.X, EXPECTED_X)
        np.testing.assert_array_equal(ds.y, EXPECTED_Y)
        assert ds.view_columns == (0, 1)

    def test_without_header(self):
        ds = parse_text(make_csv(header=None))
        assert ds.feature_names == ("x1", "x2")
        np.testing.assert_array_equal(ds.X, EXPECTED_X)

    @pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
    @pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
    def test_delimiters_and_line_endings(self, delimiter, newline):
        ds = parse_text(make_csv(delimiter=delimiter, newline=newline))
        np.testing.assert_array_equal(ds.X, EXPECTED_X)
        np.testing.assert_array_equal(ds.y, EXPECTED_Y)

    @pytest.mark.parametrize(
        "encode",
        [
            lambda t: t.encode("utf-8"),
            lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
            lambda t: t.encode("utf-16"),  # with its BOM, as Excel's "Unicode text"
            lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
        ],
    )
    def test_encodings(self, encode):
        ds = parse_csv(encode(make_csv()))
        assert ds.feature_names == ("x", "y")  # the BOM is not part of the first name
        np.testing.assert_array_equal(ds.X, EXPECTED_X)

    def test_decimal_comma_with_semicolons(self):
        text = make_csv(delimiter=";").replace(".", ",")
        np.testing.assert_array_equal(parse_text(text).X, EXPECTED_X)

    def test_quotes_blank_lines_and_trailing_delimiters(self):
        text = 'x,y,"the label"\n\n' + "".join(f'{a}, {b},"{c}, or not",\n\n' for a, b, c in ROWS) + ",,,\n"
        ds = parse_text(text)
        assert ds.label_name == "the label" and ds.class_names == ("a, or not", "b, or not")
        np.testing.assert_array_equal(ds.X, EXPECTED_X)

    def test_numeric_labels_sorted_numerically(self):
        rows = [(i, i * i % 7, [2, 10, 1][i % 3]) for i in range(12)]
        ds = parse_text(make_csv(rows))
        assert ds.task == "multiclass" and ds.class_names == ("1", "2", "10")
        np.testing.assert_array_equal(ds.y, [[1, 2, 0][i % 3] for i in range(12)])

    def test_integer_and_float_spellings_are_one_class(self):
        rows = [(i, i % 5, ["1", "1.0", "0"][i % 3]) for i in range(12)]
        assert parse_text(make_csv(rows)).class_names == ("0", "1")

    def test_regression_inferred_from_many_values(self):
        rows = [(i, i % 5, i * 1.5) for i in range(12)]
        ds = parse_text(make_csv(rows))
        assert ds.task == "regression" and ds.class_names == ()
        np.testing.assert_array_equal(ds.y, [r[2] for r in rows])

    def test_few_integers_inferred_as_classes_unless_told(self):
        rows = [(i, i % 5, i % 4) for i in range(12)]
        assert parse_text(make_csv(rows)).task == "multiclass"
        ds = parse_text(make_csv(rows), task="regression")
        assert ds.task == "regression" and ds.y.dtype == np.float64
        assert parse_text(make_csv(rows), task="classification").task == "multiclass"

    def test_label_column_by_name_or_number(self):
        rows = [(r[2], r[0], r[1]) for r in ROWS]
        text = make_csv(rows, header=("Species", "x", "y"))
        for label in ("Species", "species", 0, -3):
            ds = parse_text(text, label_column=label)
            assert ds.label_name == "Species" and ds.feature_names == ("x", "y")
            np.testing.assert_array_equal(ds.X, EXPECTED_X)

    def test_more_than_two_features(self):
        rows = [(i, i % 3, i * i, i % 2) for i in range(12)]
        ds = parse_text(make_csv(rows, header=("a", "b", "c", "k")))
        assert ds.X.shape == (12, 3) and ds.feature_names == ("a", "b", "c")

    def test_header_can_be_forced(self):
        rows = [(i, i % 3, i % 2) for i in range(13)]
        text = make_csv(rows, header=None)
        assert parse_text(text).n_samples == 13
        assert parse_text(text, header=True).feature_names == ("0", "0")  # first row used as names

    def test_bytearray_and_memoryview(self):
        data = make_csv().encode()
        assert parse_csv(bytearray(data)).n_samples == parse_csv(memoryview(data)).n_samples == 12

    def test_name(self):
        assert parse_text(make_csv(), name="flowers.csv").name == "flowers.csv"

    def test_max_upload_constant_matches_limit(self):
        assert CsvLimits().max_bytes == MAX_UPLOAD_MB * 1024 * 1024 == 5 * 1024 * 1024
        limits = CsvLimits()
        assert (limits.max_rows, limits.max_classes) == (20_000, 10)

    def test_writes_nothing(self, monkeypatch):
        def refuse(*args, **kwargs):
            raise AssertionError("the parser tried to open a file")

        monkeypatch.setattr(builtins, "open", refuse)
        monkeypatch.setattr(os, "open", refuse)
        assert parse_text(make_csv()).n_samples == 12


def rows_with(bad_row: int, cells: tuple) -> list:
    """ROWS with data row ``bad_row`` (0-based) replaced; it is on line bad_row + 2 (after the header)."""
    rows = list(ROWS)
    rows[bad_row] = cells
    return rows


class TestDefects:
    """Each defect: one message that says what and where; ``row``/``column`` as the user counts them."""

    def check(self, data, match, row=None, column=None, **kwargs):
        err = error_of(data, **kwargs)
        assert match.lower() in str(err).lower(), str(err)
        assert (err.row, err.column) == (row, column), str(err)
        return err

    def test_not_utf8(self):
        data = make_csv().encode() + "1,2,caf\u00e9\n".encode("latin-1")
        self.check(data, "not UTF-8", row=14)  # header + 12 rows, then the bad line

    def test_not_text(self):
        self.check(b"x,y,label\n1,2\x00,a\n", "NUL", row=2)
        self.check(b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8", row=1)

    @pytest.mark.parametrize(
        "data", [b"", b"\n\n  \r\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n", b",,,\n,,,\n", b'""\n']
    )
    def test_empty(self, data):
        self.check(data, "empty")

    def test_header_only(self):
        self.check(b"x,y,label\n", "no data rows")

    def test_too_large(self):
        err = self.check(b"x" * (5 * 1024 * 1024 + 1), "limit is 5.0 MB")
        assert "5.0 MB" in str(err)

    def test_too_many_rows(self):
        rows = [(i, i % 7, i % 2) for i in range(31)]
        self.check(make_csv(rows), "more than 30 data rows", row=32, limits=CsvLimits(max_rows=30))
        assert parse_text(make_csv(rows[:30]), limits=CsvLimits(max_rows=30)).n_samples == 30

    def test_too_few_rows(self):
        self.check(make_csv(ROWS[:5]), "5 data rows; at least 10")

    def test_one_column(self):
        self.check("a\n" + "\n".join(str(i) for i in range(12)), "only one column")

    def test_two_columns(self):
        self.check(make_csv([r[:2] for r in ROWS], header=("x", "y")), "found 2 columns")

    def test_no_numeric_columns(self):
        rows = [("red", "big", "ab"[i % 2]) for i in range(12)]
        self.check(make_csv(rows, header=None), "no numeric columns")

    def test_text_column(self):
        rows = [(f"n{i}", i, i % 2) for i in range(12)]
        err = self.check(
            make_csv(rows, header=("name", "x", "y")), 'column 1 ("name") holds text', row=2, column=1
        )
        assert "choose it as the label column" in str(err)

    def test_missing_value(self):
        self.check(
            make_csv(rows_with(3, (1.5, "", "a"))), 'line 5, column 2 ("y"): the value is missing', 5, 2
        )
        self.check(make_csv(rows_with(3, ("NA", 1, "a"))), "missing ('NA')", 5, 1)
        self.check(make_csv(rows_with(3, ("nan", 1, "a"))), "missing", 5, 1)

    def test_missing_label(self):
        self.check(make_csv(rows_with(7, (1.5, 2, ""))), 'the label (column 3 ("label")) is missing', 9, 3)

    def test_non_numeric_value(self):
        self.check(make_csv(rows_with(0, ("1.5", '"2,5"', "a"))), "'2,5' is not a number", 2, 2)
        self.check(
            make_csv(rows_with(0, ("1.5", "2,5", "a"))), "line 2 has 4 values but the header has 3", 2, 4
        )
        self.check(make_csv(rows_with(1, ("1.5", "0x10", "a"))), "'0x10' is not a number", 3, 2)

    @pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "1e400"])
    def test_infinite_value(self, cell):
        self.check(make_csv(rows_with(11, (cell, 1, "b"))), "is infinite", 13, 1)

    def test_infinite_label(self):
        rows = [(i, i % 5, i * 1.5) for i in range(12)]
        rows[4] = (4, 4, "-inf")
        self.check(make_csv(rows), "is infinite", 6, 3)

    def test_first_defect_in_reading_order_is_reported(self):
        rows = rows_with(5, (1, "x", "a"))
        rows[2] = (1, 2, "")
        self.check(make_csv(rows), "label", 4, 3)

    def test_constant_column(self):
        rows = [(i, 3.5, i % 2) for i in range(12)]
        self.check(make_csv(rows), 'column 2 ("y") has the same value (3.5) in every row', None, 2)

    def test_single_class(self):
        rows = [(i, i % 4, "yes") for i in range(12)]
        self.check(make_csv(rows), "a single class", None, 3)

    def test_constant_regression_target(self):
        rows = [(i, i % 4, 0.5) for i in range(12)]
        self.check(make_csv(rows), "nothing to predict", None, 3, task="regression")

    def test_too_few_rows_per_class(self):
        rows = rows_with(9, (1.5, 2.5, "c"))
        self.check(make_csv(rows), "class 'c' of the label", 11, 3)

    def test_too_many_classes(self):
        rows = [(i, i % 4, f"c{i}") for i in range(12)]
        self.check(make_csv(rows), "12 different values", None, 3, limits=CsvLimits(min_rows_per_class=1))
        rows = [(i, i % 4, i) for i in range(12)]
        self.check(make_csv(rows), "at most 10 classes", None, 3, task="classification")

    def test_binary_with_three_classes(self):
        rows = [(i, i % 4, "abc"[i % 3]) for i in range(12)]
        self.check(make_csv(rows), "3 classes", None, 3, task="binary")

    def test_text_label_for_regression(self):
        self.check(make_csv(), "regression predicts numbers", 2, 3, task="regression")

    def test_ragged_rows(self):
        rows = rows_with(2, (1, 2, "a", 4))
        self.check(make_csv(rows), "line 4 has 4 values but the header has 3", 4, 4)
        rows = rows_with(2, (1, "a"))
        self.check(make_csv(rows), "line 4 has only 2 values", 4, 3)

    def test_column_of_no_values(self):
        text = "x,y,z,label\n" + "".join(f"{a},{b},,{c}\n" for a, b, c in ROWS)
        self.check(text, 'column 3 ("z") has no values', None, 3)

    def test_bad_label_column(self):
        self.check(make_csv(), "no column is named 'kind'", label_column="kind")
        self.check(make_csv(header=None), "no header row", label_column="kind")
        self.check(make_csv(), "no column number 3", label_column=3)
        self.check(make_csv(), "column name or a column number", label_column=1.5)

    def test_bad_arguments(self):
        self.check(make_csv(), "unknown task", task="clustering")
        self.check(make_csv(), "limits must be a CsvLimits", limits={"max_rows": 3})
        with pytest.raises(DataError, match="reads the bytes"):
            parse_csv(make_csv())  # a str, not bytes
        with pytest.raises(DataError, match="max_rows"):
            CsvLimits(max_rows=0)

    def test_too_many_columns(self):
        header = ",".join(f"c{i}" for i in range(8))
        rows = "".join(",".join(str(i * j + j) for j in range(8)) + "\n" for i in range(12))
        self.check(header + "\n" + rows, "the limit is 5 columns", 1, limits=CsvLimits(max_columns=5))

    def test_unbalanced_quote_is_reported_not_raised(self):
        err = error_of(b'x,y,label\n1,2,"a\n3,4,b\n')
        assert isinstance(err, DataError)
