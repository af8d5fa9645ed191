"""The Playground's run: its config (one schema per setting), the ``Experiment`` that builds and
trains it, metrics and presets. Pure logic (no Streamlit, no charts).

    schema.py   every setting declared once: type, default, range, label, help, URL key, widget
    config.py   PlaygroundConfig and its sections (derived from the schema; ModelConfig from NetworkConfig)
    run.py      Experiment: data → split → features → network → trainer; apply, tick, views, state_dict
    metrics.py  accuracy/confusion, RMSE/R², the history as CSV
    presets.py  ready-made setups with hand-set weights

``from playground.experiment import X`` keeps working for every public name.
"""

from playground.data import FEATURES
from playground.experiment.config import (
    DataConfig,
    LoopConfig,
    ModelConfig,
    PlaygroundConfig,
    ViewConfig,
    default_training,
)
from playground.experiment.metrics import (
    HISTORY_COLUMNS,
    classification_metrics,
    history_csv,
    regression_metrics,
)
from playground.experiment.presets import PRESETS, Preset, load_preset
from playground.experiment.run import (
    ApplyResult,
    Experiment,
    TickResult,
    Upload,
    load_dataset,
    problems_for,
)
from playground.experiment.schema import PROBLEMS, SETTINGS, UPLOAD, Setting, all_datasets

__all__ = [
    "FEATURES",
    "HISTORY_COLUMNS",
    "PRESETS",
    "PROBLEMS",
    "SETTINGS",
    "UPLOAD",
    "ApplyResult",
    "DataConfig",
    "Experiment",
    "LoopConfig",
    "ModelConfig",
    "PlaygroundConfig",
    "Preset",
    "Setting",
    "TickResult",
    "Upload",
    "ViewConfig",
    "all_datasets",
    "classification_metrics",
    "default_training",
    "history_csv",
    "load_dataset",
    "load_preset",
    "problems_for",
    "regression_metrics",
]
