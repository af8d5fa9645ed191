"""Property tests of the CSV parser: garbage only ever raises DataError; good files round-trip exactly."""

from __future__ import annotations

import codecs
import csv
import io
import os

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from playground.data import CsvLimits, Dataset, parse_csv
from playground.data.csv_upload import MISSING_TOKENS
from playground.errors import DataError

INTERNAL = "Something unexpected went wrong"
# A longer fuzzing run: CSV_FUZZ_EXAMPLES=5000 python -m pytest tests/data/test_csv_properties.py
EXAMPLES = int(os.environ.get("CSV_FUZZ_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def parse_or_error(data: bytes, **kwargs):
    """Parse; any exception but DataError fails the test, and so does our own 'internal error' wrapper."""
    try:
        ds = parse_csv(data, **kwargs)
    except DataError as err:
        assert INTERNAL not in str(err), str(err)
        assert err.row is None or (isinstance(err.row, int) and err.row >= 1)
        assert err.column is None or (isinstance(err.column, int) and err.column >= 1)
        return err
    assert isinstance(ds, Dataset)
    return ds


# ---------------------------------------------------------------------------------------------------
# garbage in: only DataError out


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes_raise_only_data_error(data):
    parse_or_error(data)


CSVISH = st.text(
    alphabet=st.sampled_from(list("0123456789.,;\t| \n\r\"'-+eEinfaNA?xyz\u00e9\ufeff")), max_size=600
)


@SETTINGS
@given(CSVISH, st.sampled_from([None, "classification", "binary", "multiclass", "regression"]))
def test_csv_like_text_raises_only_data_error(text, task):
    parse_or_error(text.encode("utf-8"), task=task, limits=CsvLimits(min_rows=1, min_rows_per_class=1))


GOOD = (
    "sepal,petal,species\n"
    + "".join(f"{i * 0.37:.2f},{(i * 13) % 7 + 0.5},{'abc'[i % 3]}\n" for i in range(24))
).encode()


@st.composite
def corrupted(draw):
    data = bytearray(GOOD)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 20))]
        elif op == "truncate":
            del data[pos:]
        else:
            end = pos + draw(st.integers(1, 40))
            data[pos:pos] = data[pos:end]
    return bytes(data)


@SETTINGS
@given(corrupted(), st.sampled_from([None, "species", 0, -1, "nope"]))
def test_corrupted_files_raise_only_data_error(data, label_column):
    parse_or_error(data, label_column=label_column)


def test_the_uncorrupted_file_parses():
    ds = parse_csv(GOOD)
    assert ds.X.shape == (24, 2) and ds.class_names == ("a", "b", "c")


# ---------------------------------------------------------------------------------------------------
# well-formed files round-trip to the same arrays

finite = st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e12, max_value=1e12)


def _is_plain_text(s: str) -> bool:
    if s != s.strip() or s.lower() in MISSING_TOKENS:
        return False
    try:
        float(s)
    except ValueError:
        return True
    return False


class_text = st.text(alphabet=st.sampled_from(list("abcXYZ _-é,;|'\"")), min_size=1, max_size=8).filter(
    _is_plain_text
)
header_name = (
    st.from_regex(r"[A-Za-z][A-Za-z0-9_ ]{0,9}", fullmatch=True).map(str.strip).filter(_is_plain_text)
)


@st.composite
def well_formed(draw):
    n_rows = draw(st.integers(10, 40))
    n_features = draw(st.integers(2, 5))
    X = np.array(
        draw(
            st.lists(
                st.lists(finite, min_size=n_features, max_size=n_features), min_size=n_rows, max_size=n_rows
            )
        )
    )
    for k in range(n_features):
        assume(len(np.unique(X[:, k])) > 1)  # constant columns are (rightly) rejected
    kind = draw(st.sampled_from(["text", "int", "regression"]))
    if kind == "regression":
        y = np.array(draw(st.lists(finite, min_size=n_rows, max_size=n_rows)))
        assume(len(np.unique(y)) > 1)
        labels = [repr(float(v)) for v in y]
        expected_y, class_names = y, ()
    else:
        names = draw(
            st.lists(
                class_text if kind == "text" else st.integers(-50, 50).map(str),
                min_size=2,
                max_size=5,
                unique=True,
            )
        )
        # every class at least twice, in a random order
        base = [names[i % len(names)] for i in range(n_rows)]
        labels = draw(st.permutations(base))
        if kind == "int":
            class_names = tuple(str(v) for v in sorted(int(v) for v in names))
        else:
            class_names = tuple(sorted(names))
        expected_y = np.array([class_names.index(v) for v in labels])
    label_at = draw(st.integers(0, n_features))
    header = draw(
        st.one_of(st.none(), st.lists(header_name, min_size=n_features + 1, max_size=n_features + 1))
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    if header is not None:
        writer.writerow(header)
    for row, label in zip(X, labels, strict=True):
        cells = [repr(float(v)) for v in row]
        cells.insert(label_at, label)
        writer.writerow(cells)
    text = buffer.getvalue()
    if not draw(st.booleans()):
        text = text[: -len(newline)]  # no newline at the end
    encoded = text.encode("utf-8")
    if draw(st.booleans()):
        encoded = codecs.BOM_UTF8 + encoded
    task = "regression" if kind == "regression" else draw(st.sampled_from([None, "classification"]))
    expected_names = (
        tuple(h for i, h in enumerate(header) if i != label_at)
        if header is not None
        else tuple(f"x{i + 1}" for i in range(n_features))
    )
    return encoded, label_at, task, X, expected_y, class_names, expected_names


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(well_formed())
def test_well_formed_files_round_trip(case):
    data, label_at, task, X, y, class_names, feature_names = case
    ds = parse_csv(data, label_column=label_at, task=task)
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    assert ds.class_names == class_names
    assert ds.feature_names == feature_names
    if class_names:
        assert ds.task == ("binary" if len(class_names) == 2 else "multiclass")
    else:
        assert ds.task == "regression"
