"""Many same-shaped networks trained at once, each with its own settings: the search page's and the
overfitting page's view of a :class:`~playground.engine.trainer.Trainer` over a stacked network.

Nothing here is a second engine: the layers, losses, optimizers, regularizers and training loop are
the ones a single network uses, run with a leading trials axis (``Network(config, seeds=[…])`` and
``Trainer(…, trials=[…])``). Trained one by one, each step of each small net costs a few dozen NumPy
calls, so the time goes to call overhead; stacked, every layer runs once for all trials::

    z = x @ W + b          x: (T, B, fan_in) (or (B, fan_in), shared),  W: (T, fan_in, fan_out)

This module maps a population's settings to those two objects and its results back to the shape the
pages read. Per trial (``trials`` is a list of dicts with these keys; anything else is shared):

* network: ``seed`` (initial weights and dropout/RReLU noise), ``dropout`` (rate);
* training: ``learning_rate``, ``regularization`` and ``reg_rate``, ``early_stopping``,
  ``patience``, ``min_delta``, ``train_seed`` (mini-batch order; the TrainConfig's ``seed``).

Trial i starts exactly as ``Network(trial_configs(i)[0])`` and trains as ``Trainer`` with
``trial_configs(i)[1]`` would; the tests check weights, BN buffers and per-epoch histories trial for
trial to rtol 1e-10. A trial whose loss or weights become non-finite is frozen at its last finite
weights and marked (``status[i] == "diverged"``, ``divergence[i]``); the others go on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.engine.network import Network, NetworkConfig
from playground.engine.trainer import HISTORY_KEYS, TrainConfig, TrainData, Trainer
from playground.engine.trainer import TRIAL_KEYS as TRAINER_TRIAL_KEYS
from playground.errors import ConfigError

#: Settings that may differ from trial to trial: network settings and training settings.
TRIAL_NETWORK_KEYS = ("seed", "dropout")
TRIAL_TRAIN_KEYS = tuple("train_seed" if k == "seed" else k for k in TRAINER_TRIAL_KEYS)
TRIAL_KEYS = TRIAL_NETWORK_KEYS + TRIAL_TRAIN_KEYS


def split_trial(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split one trial's settings into NetworkConfig and TrainConfig overrides; unknown keys raise."""
    unknown = sorted(set(settings) - set(TRIAL_KEYS))
    if unknown:
        raise ConfigError(
            "Per-trial setting(s) {unknown} cannot differ between trials trained together; per-trial "
            "settings are: {keys}.",
            unknown=unknown,
            keys=", ".join(TRIAL_KEYS),
        )
    net = {k: settings[k] for k in TRIAL_NETWORK_KEYS if k in settings}
    train = {k: settings[k] for k in TRIAL_TRAIN_KEYS if k in settings}
    if "train_seed" in train:
        train["seed"] = train.pop("train_seed")
    return net, train


def shared_key(network: NetworkConfig, train: TrainConfig) -> str:
    """What must be equal for two runs to be trained in one population (as a comparable string)."""
    net = network.to_dict()
    tr = train.to_dict()
    for k in TRIAL_NETWORK_KEYS:
        net.pop(k)
    for k in TRIAL_TRAIN_KEYS:
        tr.pop("seed" if k == "train_seed" else k)
    return repr((sorted(net.items()), sorted(tr.items())))


def trial_settings(network: NetworkConfig, train: TrainConfig) -> dict[str, Any]:
    """The per-trial part of a (network, training) config pair, as a trial dict."""
    out = {k: getattr(network, k) for k in TRIAL_NETWORK_KEYS}
    out.update({k: getattr(train, "seed" if k == "train_seed" else k) for k in TRIAL_TRAIN_KEYS})
    return out


def group_compatible(configs: Sequence[tuple[NetworkConfig, TrainConfig]]) -> list[list[int]]:
    """Indices of ``configs`` grouped so each group can be trained as one :class:`Population`."""
    groups: dict[str, list[int]] = {}
    for i, (net, train) in enumerate(configs):
        groups.setdefault(shared_key(net, train), []).append(i)
    return list(groups.values())


class Population:
    """Many networks of one shape trained together, each with its own settings.

    ``network`` and ``config`` give the shared settings; ``trials`` one dict per trial with the
    per-trial ones (see :data:`TRIAL_KEYS`; missing keys take the shared value).

    ``history[key]`` is a list (one entry per evaluated epoch, epoch 0 the untrained nets) of (T,)
    arrays for ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, ``test_loss``,
    ``test_acc``, ``penalty`` and ``lr`` (NaN once a trial is frozen, or for a missing split /
    regression accuracy). ``status[i]`` is "ready", "diverged" or "early_stopped";
    ``epochs_done[i]`` counts trial i's completed epochs.
    """

    def __init__(
        self,
        network: NetworkConfig | dict,
        data: TrainData,
        config: TrainConfig | dict | None = None,
        trials: Sequence[dict[str, Any]] | int = 1,
    ):
        if isinstance(network, dict):
            network = NetworkConfig.from_dict(network)
        if config is None:
            config = TrainConfig()
        elif isinstance(config, dict):
            config = TrainConfig.from_dict(config)
        network.validate()
        config.validate()
        if isinstance(trials, int):
            if trials < 1:
                raise ConfigError("A population needs at least one trial, got {trials}.", trials=trials)
            trials = [{} for _ in range(trials)]
        trials = [dict(t) for t in trials]
        if not trials:
            raise ConfigError("A population needs at least one trial.")
        self.network_config, self.config, self.trials = network, config, trials
        self._net_cfgs: list[NetworkConfig] = []
        self._train_cfgs: list[TrainConfig] = []
        train_overrides = []
        for settings in trials:
            net_over, train_over = split_trial(settings)
            ncfg = dataclasses.replace(network, **net_over)
            ncfg.validate()
            self._net_cfgs.append(ncfg)
            self._train_cfgs.append(dataclasses.replace(config, **train_over))
            train_overrides.append(train_over)
        self.n_trials = len(trials)
        spec = network.spec(dropout=[c.dropout for c in self._net_cfgs])
        net = Network(network, seeds=[c.seed for c in self._net_cfgs], spec=spec)
        #: The stacked network and its trainer (the engine's own classes with a trials axis).
        self.trainer = Trainer(net, data, config, trials=train_overrides)
        self.loss = net.loss
        self.task = network.task
        self.splits = self.trainer.splits
        self.slices = net.params.slices
        self.n_decay = net.params.n_decay
        self.n_params = len(net.params)
        self.lr0 = self.trainer.lr0

    # -- what the pages read --------------------------------------------------------------------
    @property
    def history(self) -> dict[str, list[np.ndarray]]:
        return {key: [rec[key] for rec in self.trainer.history] for key in HISTORY_KEYS}

    @property
    def history_epochs(self) -> list[int]:
        return self.trainer.history_epochs

    @property
    def status(self) -> list[str]:
        return [s.value for s in self.trainer.trial_status]

    @property
    def divergence(self):
        return self.trainer.trial_divergence

    @property
    def best_epoch(self) -> list[int | None]:
        return self.trainer.trial_best_epoch

    @property
    def epochs_done(self) -> np.ndarray:
        return self.trainer.epochs_done

    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def total_steps(self) -> int:
        return self.trainer.total_steps

    @property
    def active(self) -> np.ndarray:
        return self.trainer.active

    @property
    def done(self) -> bool:
        """True when every trial is frozen (diverged or stopped early)."""
        return self.trainer.done

    def trial_configs(self, i: int) -> tuple[NetworkConfig, TrainConfig]:
        """Trial ``i``'s own (network, training) configs: what the single-model engine would run."""
        return self._net_cfgs[i], self._train_cfgs[i]

    def trial_values(self) -> np.ndarray:
        """(T, n_params) current parameter values of every trial (frozen trials: their final values)."""
        return self.trainer.trial_values()

    def trial_state(self, i: int) -> dict[str, np.ndarray]:
        """Trial ``i``'s parameters and BN buffers by name, as ``Network.state()`` gives them."""
        return self.trainer.trial_state(i)

    def network(self, i: int) -> Network:
        """A single-model :class:`Network` holding trial ``i``'s current weights (for charts, tests)."""
        net = Network(self._net_cfgs[i])
        net.load_state(self.trial_state(i))
        return net

    def trial_history(self, i: int, start: int = 0) -> list[dict[str, Any]]:
        """Trial ``i``'s history as the single-model ``Trainer.history`` records it (only the
        evaluated epochs, if some were run without evaluation), from record ``start`` on."""
        out = []
        records = self.trainer.history
        for row in range(start, len(records)):
            rec_all = records[row]
            epoch = rec_all["epoch"]
            if epoch > self.epochs_done[i]:
                break
            rec: dict[str, Any] = {"epoch": epoch}
            for key in HISTORY_KEYS:
                v = float(rec_all[key][i])
                if key.endswith("_acc") or key.endswith("_loss"):
                    split = key.split("_")[0]
                    if split not in self.splits or (key.endswith("_acc") and self.task == "regression"):
                        v = None
                rec[key] = v
            out.append(rec)
        return out

    # -- training -----------------------------------------------------------------------------
    def run_epoch(self, evaluate: bool = True) -> bool:
        """Train every active trial one epoch; return False when no trial is left to train.

        With ``evaluate=False`` the epoch is not evaluated nor recorded in ``history`` (a search that
        only needs the final scores saves ~40 % of the time); early stopping always evaluates.
        """
        return self.trainer._run_epoch_trials(evaluate)

    def run_epochs(self, n: int, evaluate: str = "every") -> int:
        """Train up to ``n`` epochs; return how many ran (fewer once every trial is frozen).

        ``evaluate``: "every" epoch (as ``Trainer``), or only the "last" of these ``n``.
        """
        return self.trainer.run_epochs(n, evaluate)

    def ensure_evaluated(self) -> None:
        """Evaluate and record the current epoch if it was trained without evaluation."""
        self.trainer.ensure_evaluated()

    def __repr__(self) -> str:
        return (
            f"Population({self.n_trials} trials, {len(self.active)} active, epoch {self.epoch}, "
            f"{self.n_params} parameters each)"
        )
