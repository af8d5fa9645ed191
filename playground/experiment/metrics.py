"""Metrics of a run's predictions and its history as CSV (pure NumPy + the standard library)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import numpy as np

from playground.engine.trainer import HISTORY_KEYS


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict[str, Any]:
    """Accuracy and the confusion matrix (rows: true class, columns: predicted class)."""
    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    acc = float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")
    return {"accuracy": acc, "confusion": cm, "n": int(len(y_true))}


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """RMSE and R² = 1 − SS_res / SS_tot (NaN when the targets are constant)."""
    y_true = np.asarray(y_true, dtype=np.float64).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    if len(y_true) == 0:
        return {"rmse": float("nan"), "r2": float("nan"), "n": 0}
    resid = y_true - y_pred
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged net predicts huge values
        ss_res = float(resid @ resid)
    centred = y_true - y_true.mean()
    ss_tot = float(centred @ centred)
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    return {"rmse": math.sqrt(ss_res / len(y_true)), "r2": r2, "n": int(len(y_true))}


HISTORY_COLUMNS = ("epoch", *HISTORY_KEYS)


def history_csv(history: list[dict[str, Any]]) -> str:
    """The loss history as CSV text (one row per recorded epoch; empty cells for absent splits)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for rec in history:
        writer.writerow(["" if rec.get(c) is None else rec.get(c) for c in HISTORY_COLUMNS])
    return buf.getvalue()
