"""The playground's pure-NumPy neural-network engine (no Streamlit, no plotting).

Build a network from a plain config, train it, look inside::

    from playground.engine import Network, NetworkConfig, Trainer, TrainData, TrainConfig
    net = Network(NetworkConfig(n_inputs=2, hidden=[4, 2], activation="tanh", seed=1))
    trainer = Trainer(net, TrainData(X_train, y_train, X_val, y_val, X_test, y_test),
                      TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=10))
    trainer.run_epochs(100)            # history in trainer.history, status in trainer.status
    probs = net.predict(X_test)        # class-1 probabilities

Registries (name -> entry with ``obj``, ``label``, ``description``, ``params``) list every choice:
LAYERS, ACTIVATIONS, INITIALIZERS, OPTIMIZERS, SCHEDULES, LOSSES, REGULARIZERS. A network is a list
of layer specs (``ModelSpec``; ``NetworkConfig`` builds the Playground's MLP as one), and the same
``Network``/``Trainer`` train a stack of trials along a leading axis (``Population`` wraps that).
"""

from playground.engine import conv, embedding, recurrent  # noqa: F401  (register the image, text and sequence layers)
from playground.engine.activations import ACTIVATIONS, Activation, make_activation, sigmoid
from playground.engine.initializers import INITIALIZERS, init_std, make_initializer
from playground.engine.layers import (
    LAYERS,
    BatchNorm,
    Dense,
    Dropout,
    Layer,
    Residual,
    Sequential,
    build_layer,
)
from playground.engine.losses import LOSSES, TASK_LOSS, make_loss
from playground.engine.network import BN_MODES, TASKS, ModelSpec, Network, NetworkConfig
from playground.engine.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from playground.engine.params import Parameter, ParamSet
from playground.engine.population import Population
from playground.engine.registry import Entry, Param, Registry
from playground.engine.regularization import REGULARIZERS
from playground.engine.schedules import SCHEDULES, Schedule, make_schedule
from playground.engine.serialize import from_json, from_npz, load, save, to_json, to_npz
from playground.engine.trainer import Divergence, Status, TrainConfig, TrainData, Trainer
from playground.errors import ConfigError

__all__ = [
    "ACTIVATIONS",
    "BN_MODES",
    "INITIALIZERS",
    "LAYERS",
    "LOSSES",
    "OPTIMIZERS",
    "REGULARIZERS",
    "SCHEDULES",
    "TASKS",
    "TASK_LOSS",
    "Activation",
    "BatchNorm",
    "ConfigError",
    "Dense",
    "Divergence",
    "Dropout",
    "Entry",
    "Layer",
    "ModelSpec",
    "Residual",
    "Schedule",
    "Sequential",
    "Status",
    "Network",
    "NetworkConfig",
    "Optimizer",
    "Param",
    "ParamSet",
    "Parameter",
    "Population",
    "Registry",
    "TrainConfig",
    "TrainData",
    "Trainer",
    "build_layer",
    "from_json",
    "from_npz",
    "init_std",
    "load",
    "make_activation",
    "make_initializer",
    "make_loss",
    "make_optimizer",
    "make_schedule",
    "save",
    "sigmoid",
    "to_json",
    "to_npz",
]
