"""fyslearn through its public API only: what a user runs and waits for.

Workloads:

* `mnist`: `MLPClassifier(epochs=1).fit` end to end (validation,
  initialisation, history) and `MLPClassifier(epochs=4).fit`, so that the
  marginal epoch is `(fit(4) − fit(1)) / 3`; 784–128(ReLU)–10, batch 50,
  float32, plain SGD.
* `franke`: `MLPRegressor.fit` of 2–128(ReLU)–1, batch 10, float64.
* `franke_many`: 16 such networks (a learning rate × L2 grid, one seed each),
  one by one (`one_by_one`) or all at once with `fyslearn.fit_many` (`at_once`).
* `linear_many`: Figure 4's grid of 16 `SGDRegressor`s (degree-14 features,
  batch 10), one by one, at once with one seed, at once with a seed each.
* `profile`: the functions where `fit` spends its time (cProfile), for the
  MNIST fit of one epoch and for a Franke fit.
"""

from __future__ import annotations

import cProfile
import itertools
import json
import pstats
import sys
from typing import Any

import numpy as np
from _common import LEARNING_RATE, WARM_UP_ROWS, franke_train, load_mnist_train, run_runner

from fyslearn import fit_many
from fyslearn.features import design_matrix
from fyslearn.linear_model import SGDRegressor
from fyslearn.nn import MLPClassifier, MLPRegressor


def mnist_model(epochs: int, batch_size: int) -> MLPClassifier:
    """784–128(ReLU)–10(softmax), plain SGD, float32: the benchmark's network."""
    return MLPClassifier(
        hidden_layer_sizes=(128,),
        activation="relu",
        learning_rate=LEARNING_RATE,
        batch_size=batch_size,
        epochs=epochs,
        kernel_init="glorot_uniform",
        dtype="float32",
        random_state=0,
    )


def franke_model(epochs: int, learning_rate: float = LEARNING_RATE, alpha: float = 0.0, seed=0):
    """2–128(ReLU)–1, batch 10, plain SGD: the report's Franke network."""
    return MLPRegressor(
        hidden_layer_sizes=(128,),
        activation="relu",
        learning_rate=learning_rate,
        alpha=alpha,
        batch_size=10,
        epochs=epochs,
        random_state=seed,
    )


def franke_grid(n_models: int, epochs: int) -> list[MLPRegressor]:
    """`n_models` Franke networks over 4 learning rates × 4 penalties, a seed each."""
    rates = np.geomspace(1e-4, 1e-1, 4)
    return [
        franke_model(epochs, float(rates[k % 4]) / 10, float(rates[(k // 4) % 4]), seed=k)
        for k in range(n_models)
    ]


def linear_grid(epochs: int, own_seeds: bool) -> list[SGDRegressor]:
    """Figure 4's 4 penalties × 4 learning rates, batch 10."""
    values = np.geomspace(1e-4, 1e-2, 4)
    return [
        SGDRegressor(
            alpha=float(alpha),
            learning_rate=float(rate),
            batch_size=10,
            epochs=epochs,
            random_state=k if own_seeds else 0,
        )
        for k, (alpha, rate) in enumerate(itertools.product(values, values))
    ]


def mnist(spec: dict[str, Any], warm_up: bool) -> dict:
    X, y = load_mnist_train(WARM_UP_ROWS if warm_up else spec["rows"])
    batch_size = spec["batch_size"]
    return {
        "fit1": lambda: mnist_model(1, batch_size).fit(X, y),
        "fit4": lambda: mnist_model(4, batch_size).fit(X, y),
    }


def franke(spec: dict[str, Any], warm_up: bool) -> dict:
    X, y = franke_train()
    model = franke_model(1 if warm_up else spec["epochs"])
    return {"fit": lambda: model.fit(X, y)}


def franke_many(spec: dict[str, Any], warm_up: bool) -> dict:
    X, y = franke_train()
    epochs, n_models = (1 if warm_up else spec["epochs"]), spec["models"]

    def one_by_one() -> None:
        for model in franke_grid(n_models, epochs):
            model.fit(X, y)

    return {
        "one_by_one": one_by_one,
        "at_once": lambda: fit_many(franke_grid(n_models, epochs), X, y),
    }


def linear_many(spec: dict[str, Any], warm_up: bool) -> dict:
    X, y = franke_train()
    D, epochs = design_matrix(X, 14), (1 if warm_up else spec["epochs"])

    def one_by_one() -> None:
        for model in linear_grid(epochs, own_seeds=False):
            model.fit(D, y)

    return {
        "one_by_one": one_by_one,
        "at_once_one_seed": lambda: fit_many(linear_grid(epochs, own_seeds=False), D, y),
        "at_once_own_seeds": lambda: fit_many(linear_grid(epochs, own_seeds=True), D, y),
    }


def top_functions(run, n_top: int) -> list[dict[str, Any]]:
    """The `n_top` functions with the most own time during `run()`, from cProfile.

    Each entry: `name` (file:line(function), shortened), `calls`, `own` and
    `cumulative` seconds. cProfile sees Python functions and C functions
    called by name (`take`, `permutation`); numpy's operators and ufuncs
    (`@`, `np.maximum`) are counted in the Python function that uses them.
    """
    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    total = sum(entry[2] for entry in stats.values())
    rows = sorted(stats.items(), key=lambda item: -item[1][2])[:n_top]
    return [
        {
            "name": f"{_short(file)}:{line}({name})" if line else name,
            "calls": int(calls),
            "own": float(own),
            "cumulative": float(cumulative),
            "share": float(own / total),
        }
        for (file, line, name), (_, calls, own, cumulative, _) in rows
    ]


def _short(file: str) -> str:
    parts = file.replace("\\", "/").split("/")
    return "/".join(parts[parts.index("fyslearn") :]) if "fyslearn" in parts else parts[-1]


def profile(spec: dict[str, Any]) -> dict[str, Any]:
    """cProfile of the MNIST `fit(epochs=1)` and of a Franke fit, after a warm-up of each."""
    X, y = load_mnist_train(spec["rows"])
    X_small, y_small = franke_train()
    mnist_model(1, spec["batch_size"]).fit(X[:WARM_UP_ROWS], y[:WARM_UP_ROWS])
    franke_model(1).fit(X_small, y_small)
    return {
        "mnist": top_functions(lambda: mnist_model(1, spec["batch_size"]).fit(X, y), 10),
        "franke": top_functions(lambda: franke_model(spec["epochs"]).fit(X_small, y_small), 10),
    }


WORKLOADS = {
    "mnist": mnist,
    "franke": franke,
    "franke_many": franke_many,
    "linear_many": linear_many,
}

if __name__ == "__main__":
    specification = json.loads(sys.argv[1])
    if specification["workload"] == "profile":
        print(json.dumps(profile(specification)))
    else:
        run_runner(WORKLOADS)
