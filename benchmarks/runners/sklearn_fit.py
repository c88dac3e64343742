"""scikit-learn's own networks, configured for plain SGD like the other candidates.

Workloads:

* `mnist`: one epoch of `MLPClassifier.partial_fit` on float32 input (the
  network is initialised by a first `partial_fit` on a few rows, not timed),
  784–128(ReLU)–10, batch 50, no momentum, no penalty.
* `franke`: `MLPRegressor.fit` of 2–128(ReLU)–1, batch 10, a fixed number of
  epochs (no early stopping).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from _common import LEARNING_RATE, WARM_UP_ROWS, franke_train, load_mnist_train, run_runner
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

PLAIN_SGD = {
    "hidden_layer_sizes": (128,),
    "activation": "relu",
    "solver": "sgd",
    "learning_rate_init": LEARNING_RATE,
    "momentum": 0.0,
    "nesterovs_momentum": False,
    "alpha": 0.0,
    "random_state": 0,
}


def mnist(spec: dict[str, Any], warm_up: bool) -> dict:
    X, labels = load_mnist_train(WARM_UP_ROWS if warm_up else spec["rows"])
    model = MLPClassifier(batch_size=spec["batch_size"], **PLAIN_SGD)
    model.partial_fit(X[:100], labels[:100], classes=np.arange(10))
    return {"epoch": lambda: model.partial_fit(X, labels)}


def franke(spec: dict[str, Any], warm_up: bool) -> dict:
    X, y = franke_train()
    epochs = 1 if warm_up else spec["epochs"]
    model = MLPRegressor(
        batch_size=10, max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, **PLAIN_SGD
    )

    def fit() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # fixed epochs on purpose
            model.fit(X, y)

    return {"fit": fit}


WORKLOADS = {"mnist": mnist, "franke": franke}

if __name__ == "__main__":
    run_runner(WORKLOADS)
