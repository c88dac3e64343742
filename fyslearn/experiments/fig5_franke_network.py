r"""Figure 5: the 2–128–1 network on the Franke data, with scikit-learn's equivalent.

ReLU hidden layer, linear output, kernels $\mathcal N(0, 0.05^2)$, zero biases, SGD with
learning rate 1e-3 and batch 10 for 1000 epochs. The report compared with a
TensorFlow model; here the reference is scikit-learn's `MLPRegressor` with
the same architecture and SGD settings ([sklearn_equivalent][fyslearn.nn.sklearn_equivalent]
maps the loss conventions), its own initial weights and shuffling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure

from ..datasets import franke_split
from ..nn import MLPRegressor, sklearn_equivalent
from ._common import MSE_WITHIN, Row, fmt, scores, verdict
from ._contract import Result as _Result
from ._contract import run_in_tasks
from ._networks import curves_figure, sklearn_curves
from ._tasks import Task, merge_outputs

TITLE = "Figure 5: Franke network 2–128–1 and scikit-learn's MLPRegressor"


@dataclass(frozen=True)
class Config:
    """Settings of Figure 5 (the report's by default)."""

    hidden_layer_sizes: tuple[int, ...] = (128,)
    learning_rate: float = 1e-3
    batch_size: int = 10
    epochs: int = 1000
    seed: int = 0
    centring: str = "scalar"
    sklearn_reference: bool = True

    @classmethod
    def quick(cls) -> Config:
        return cls(epochs=20)


@dataclass(frozen=True)
class Result(_Result):
    """Curves and final scores of the Franke network, and scikit-learn's test curve.

    Attributes:
        train_mse: Training MSE after every epoch, shape `(epochs,)`.
        test_mse: Test MSE after every epoch, shape `(epochs,)`.
        final: Bootstrap test `mse`, `mse_std`, `r2` and `excess` after training.
        sklearn_test_mse: Scikit-learn's test MSE after every epoch, shape `(epochs,)`;
            `None` without the reference.
    """

    OPTIONAL = ("sklearn_test_mse",)

    train_mse: Any
    test_mse: Any
    final: dict[str, float]
    sklearn_test_mse: Any = None


def make_model(config: Config, **overrides: Any) -> MLPRegressor:
    params = dict(
        hidden_layer_sizes=config.hidden_layer_sizes,
        activation="relu",
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        epochs=config.epochs,
        kernel_init="normal",
        bias_init="zeros",
        random_state=config.seed,
    )
    return MLPRegressor(**{**params, **overrides})


def fyslearn_curves(config: Config) -> dict[str, Any]:
    """Train fyslearn's network; its train and test curves and final scores."""
    split = franke_split(config.seed, centring=config.centring)
    model = make_model(config, validation_data=(split.X_test, split.y_test))
    model.fit(split.X_train, split.y_train)
    return {
        "train_mse": model.history_["mse"],
        "test_mse": model.history_["val_mse"],
        "final": scores(model, split.X_test, split, config.seed),
    }


def reference_curve(config: Config) -> dict[str, Any]:
    """Scikit-learn's equivalent MLPRegressor, trained one epoch at a time."""
    split = franke_split(config.seed, centring=config.centring)
    reference = sklearn_equivalent(make_model(config))
    curves = sklearn_curves(
        reference, split.X_train, split.y_train, split.X_test, split.y_test, config.epochs
    )
    return {"sklearn_test_mse": curves["val_mse"]}


def tasks(config: Config) -> list[Task]:
    """fyslearn's training and scikit-learn's: independent, so they can run side by side."""
    parts = [Task(fyslearn_curves, (config,), cost=0.005 * config.epochs)]
    if config.sklearn_reference:
        parts.append(Task(reference_curve, (config,), cost=0.017 * config.epochs))
    return parts


def assemble(config: Config, outputs: Sequence[dict[str, Any]]) -> Result:
    return Result(**merge_outputs(outputs))


def run(config: Config = Config(), n_jobs: int | None = 1) -> Result:
    """Train and test curves of fyslearn's network and scikit-learn's, and final scores."""
    return run_in_tasks(tasks, assemble, config, n_jobs)


def plot(result: Result) -> Figure:
    curves = {"fyslearn train": result.train_mse, "fyslearn test": result.test_mse}
    if result.sklearn_test_mse is not None:
        curves["scikit-learn test"] = result.sklearn_test_mse
    return curves_figure([("Franke network 2–128–1", "MSE", curves)], logy=True)


def rows(result: Result) -> list[Row]:
    reference = (
        fmt(float(result.sklearn_test_mse[-1])) if result.sklearn_test_mse is not None else ""
    )
    final = result.final
    return [
        Row(
            "Fig. 5",
            "test MSE after training (excess over truth)",
            "≈0.06",
            f"{fmt(final['mse'])} ({fmt(final['excess'], 4)})",
            reference,
            verdict(final["mse"], 0.06, MSE_WITHIN, "a higher test MSE after training"),
        )
    ]
