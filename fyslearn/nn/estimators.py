r"""Scikit-learn estimators around [FeedForwardNetwork][fyslearn.nn.network.FeedForwardNetwork].

* [MLPRegressor][fyslearn.nn.estimators.MLPRegressor]: hidden layers + linear output,
  mean squared error;
* [MLPClassifier][fyslearn.nn.estimators.MLPClassifier]: hidden layers + softmax output,
  cross-entropy;
* [LogisticRegression][fyslearn.nn.estimators.LogisticRegression]: the classifier with no hidden
  layer, i.e. multinomial (softmax) logistic regression, $P(y = k \mid x) = S(xW + b)_k$.

Each class lists its parameters and the values each may take in the table
`parameter_constraints` (read by `fit`, `fit_many`, `save` and `load`). All
three train by mini-batch SGD through
[train_network][fyslearn.nn.training.train_network], follow scikit-learn's
estimator API (`fit` returns `self`, learned state ends in `_`,
`get_params`/`set_params`, `random_state`), and record a per-epoch `history_`.
The cost is the report's: data loss averaged over samples plus
$\alpha\sum_l\lVert W^l\rVert^2$ on the kernels.

Comparing with scikit-learn's own MLP
([sklearn_equivalent][fyslearn.nn.estimators.sklearn_equivalent]): with
$m$ = `batch_size`, scikit-learn minimises

$$\frac{1}{2n}\sum_i\lVert y_i - a_i\rVert^2 + \frac{\alpha_{sk}}{2m}\sum_l\lVert W^l\rVert^2$$

for regression (half our MSE) and
$-\frac1n\sum y\ln a + \frac{\alpha_{sk}}{2m}\sum\lVert W\rVert^2$ for
classification. Equating the SGD steps $\eta_{sk}\nabla C_{sk} = \eta\nabla C$ gives

* regression: $\eta_{sk} = 2\eta$, $\alpha_{sk} = \alpha m$;
* classification: $\eta_{sk} = \eta$, $\alpha_{sk} = 2\alpha m$.

The steps then agree exactly for every full batch (a smaller last batch has
another $m$, so its L2 step differs slightly when $\alpha > 0$).
"""

from __future__ import annotations

import functools
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_array
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._fitting import fit_transaction, record_features, settle
from .._params import (
    COUNT,
    NON_NEGATIVE,
    RANDOM_STATE,
    SOLVER_DOMAINS,
    VALIDATION_DATA,
    VERBOSE,
    HiddenLayerSizes,
    LayerNames,
    Rule,
    ScikitLearnNames,
    options,
    output_layer,
    validate_params,
)
from .._validation import as_generator, check_option
from ..optim import (
    SCHEDULES,
    SOLVER_SETTINGS,
    SOLVERS,
    DivergenceWarning,
    feature_scale_hint,
    solver_settings,
    warn_if_unconverged,
)
from ..penalties import PENALTIES
from ..persistence import PersistenceMixin
from .activations import ACTIVATIONS
from .diagnostics import check_diagnostics
from .initializers import INITIALIZERS
from .losses import LOSSES
from .network import FeedForwardNetwork
from .training import TrainingResult, TrainingSettings, predicted_classes, train_network

if TYPE_CHECKING:
    from sklearn.utils import Tags

__all__ = ["LogisticRegression", "MLPClassifier", "MLPRegressor", "sklearn_equivalent"]

ON_DIVERGENCE = ("raise", "restore")
FLOAT_DTYPES = (np.float64, np.float32)
"""Inputs already in one of these types are not converted (no copy of a float32 MNIST)."""
DTYPES = ("float32", "float64")
PROBABILITY_OUTPUTS = (None, "softmax", "sigmoid")
"""`out_activation` values whose outputs are probabilities (`None`: the default, softmax)."""
STACK_SETTINGS = (
    "hidden_layer_sizes",
    "activation",
    "out_activation",
    "loss",
    "penalty",
    "batch_size",
    "epochs",
    "schedule",
    "solver",
    "dtype",
    "verbose",
    "diagnostics",
)
"""Settings that must agree for estimators to train as one stack (fit_many). The hidden
layers are compared as the estimators read them (`3`, `(3,)` and `[3]` are one
architecture), the other settings as given (`loss=None` and `loss="mse"` differ).
"""


def check_dtype(dtype: object) -> str:
    """The name of a supported float type (`"float32"` or `"float64"`), or a clear error.

    Raises:
        TypeError: `dtype` is not a string or a numpy float type (e.g. `3` or `None`).
        ValueError: Another type, such as `"int64"`.
    """
    if dtype is None or not isinstance(dtype, (str, type, np.dtype)):
        raise TypeError(f"dtype must be 'float32' or 'float64', got {dtype!r}.")
    try:
        name = str(np.dtype(dtype))
    except TypeError as error:
        raise TypeError(f"dtype must be 'float32' or 'float64', got {dtype!r}.") from error
    return check_option(name, "dtype", DTYPES)


ACTIVATION = LayerNames(frozenset(ACTIVATIONS) - {"softmax"}, per="hidden layer")
"""A hidden activation, or one per hidden layer (softmax only as an output)."""
INITIALIZER = LayerNames(frozenset(INITIALIZERS), per="weight layer")
"""An initializer, or one per weight layer (hidden layers, then output)."""

NETWORK_PARAMETERS: Mapping[str, Any] = MappingProxyType(
    {
        "hidden_layer_sizes": HiddenLayerSizes(),
        "activation": ACTIVATION,
        "learning_rate": SOLVER_DOMAINS["learning_rate"],
        "batch_size": [None, COUNT],
        "epochs": COUNT,
        "alpha": NON_NEGATIVE,
        "momentum": SOLVER_DOMAINS["momentum"],
        "schedule": options(SCHEDULES),
        "kernel_init": INITIALIZER,
        "bias_init": INITIALIZER,
        "random_state": RANDOM_STATE,
        "verbose": VERBOSE,
        "validation_data": VALIDATION_DATA,
        "dtype": Rule(lambda value, name: check_dtype(value)),
        "on_divergence": options(ON_DIVERGENCE),
        "penalty": options(PENALTIES),
        "out_activation": [None, options(ACTIVATIONS)],
        "loss": [None, options(LOSSES)],
        "solver": options(SOLVERS),
        **{name: SOLVER_DOMAINS[name] for name in SOLVER_SETTINGS},
        "diagnostics": Rule(lambda value, name: check_diagnostics(value)),
    }
)
"""The network estimators' parameters and what each may be (see `fyslearn._params`).
"""


@dataclass
class FitData:
    """A fit's validated inputs, in the estimator's dtype.

    Attributes:
        X: Inputs, shape `(n, n_features)`.
        Y: Targets, shape `(n, n_outputs)` (one-hot rows for classifiers).
        validation_data: `(X_val, Y_val)` encoded the same way, or `None`.
        classes: The class labels (classifiers), else `None`.
    """

    X: np.ndarray
    Y: np.ndarray
    validation_data: tuple[np.ndarray, np.ndarray] | None
    classes: np.ndarray | None = None

    @property
    def n_targets(self) -> int:
        """Number of classes (classifiers) or of target columns (regressors)."""
        return self.Y.shape[1] if self.classes is None else len(self.classes)


class _NetworkEstimator(ScikitLearnNames, PersistenceMixin, BaseEstimator):
    """What the three network estimators share: validation, training, prediction."""

    _is_classifier = False
    _transient_attributes = ("network_",)
    parameter_constraints = NETWORK_PARAMETERS

    def __init__(
        self,
        *,
        hidden_layer_sizes: Sequence[int] = (128,),
        activation: str | Sequence[str] = "relu",
        learning_rate: float = 1e-3,
        batch_size: int = 10,
        epochs: int = 100,
        alpha: float = 0.0,
        momentum: float = 0.0,
        schedule: str = "constant",
        kernel_init: str | Sequence[str] = "normal",
        bias_init: str | Sequence[str] = "zeros",
        random_state: int | np.random.Generator | None = None,
        verbose: int = 0,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        dtype: str = "float64",
        on_divergence: str = "raise",
        penalty: str = "l2",
        out_activation: str | None = None,
        loss: str | None = None,
        solver: str = "sgd",
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        rho: float = 0.9,
        power_t: float = 0.5,
        decay_every: int = 10,
        decay_factor: float = 0.5,
        diagnostics: Sequence[str] | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.alpha = alpha
        self.momentum = momentum
        self.schedule = schedule
        self.kernel_init = kernel_init
        self.bias_init = bias_init
        self.random_state = random_state
        self.verbose = verbose
        self.validation_data = validation_data
        self.dtype = dtype
        self.on_divergence = on_divergence
        self.penalty = penalty
        self.out_activation = out_activation
        self.loss = loss
        self.solver = solver
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.rho = rho
        self.power_t = power_t
        self.decay_every = decay_every
        self.decay_factor = decay_factor
        self.diagnostics = diagnostics

    # -- the parameters as the network reads them (checked by `validate_params`) ----------

    def _hidden_sizes(self) -> list[int]:
        return HiddenLayerSizes.read(self.hidden_layer_sizes)

    def _hidden_activations(self) -> list[str]:
        return ACTIVATION.read(self.activation, "activation", _layers(self))

    def _per_weight_layer(self, value: str | Sequence[str], name: str) -> list[str]:
        return INITIALIZER.read(value, name, _layers(self))

    def _prepare_fit(self, X: ArrayLike, y: ArrayLike) -> FitData:
        """Check the data, as `fit` and `fit_many` both do, before any work."""
        raise NotImplementedError

    def _check_validation(
        self, encode: Any, n_features: int, n_outputs: int
    ) -> tuple[np.ndarray, np.ndarray] | None:
        if self.validation_data is None:
            return None
        X_val, y_val = self.validation_data
        X_val = check_array(X_val, dtype=FLOAT_DTYPES, input_name="validation_data X_val")
        if X_val.shape[1] != n_features:
            raise ValueError(
                f"validation_data X_val has {X_val.shape[1]} features, X has {n_features}."
            )
        Y_val = encode(y_val)
        if len(Y_val) != len(X_val):
            raise ValueError("validation_data X_val and y_val have different numbers of rows.")
        if Y_val.shape[1] != n_outputs:
            raise ValueError(
                f"validation_data y_val has {Y_val.shape[1]} outputs, y has {n_outputs}."
            )
        dtype = np.dtype(self.dtype)
        return _in_dtype(X_val, dtype, "validation_data X_val"), Y_val.astype(dtype, copy=False)

    # -- training ---------------------------------------------------------------------------

    def _output_layer(self, n_targets: int) -> tuple[str, str, int]:
        """The output activation, the loss and the number of output units (`output_layer`)."""
        return output_layer(self.get_params(deep=False), n_targets, self._is_classifier)

    def _build_network(
        self, n_in: int, n_targets: int, rng: np.random.Generator
    ) -> FeedForwardNetwork:
        """A fresh network for `n_in` features and `n_targets` targets (or classes)."""
        out_activation, loss, n_out = self._output_layer(n_targets)
        return FeedForwardNetwork(
            [n_in, *self._hidden_sizes(), n_out],
            [*self._hidden_activations(), out_activation],
            loss=loss,
            alpha=self.alpha,
            kernel_init=self._per_weight_layer(self.kernel_init, "kernel_init"),
            bias_init=self._per_weight_layer(self.bias_init, "bias_init"),
            random_state=rng,
            dtype=self.dtype,
            penalty=getattr(self, "penalty", "l2"),
        )

    def _train(
        self, network: FeedForwardNetwork, data: FitData, rng: Any, settings: list[Any]
    ) -> list[TrainingResult]:
        """Train `network` (one, or the stack of `settings`' networks) on `data`."""
        training = TrainingSettings(
            learning_rate=[e.learning_rate for e in settings],
            batch_size=len(data.X) if self.batch_size is None else self.batch_size,
            epochs=self.epochs,
            momentum=[e.momentum for e in settings],
            schedule=self.schedule,
            solver=self.solver,
            solver_settings=solver_settings(settings),
            on_divergence=[e.on_divergence for e in settings],
            track_accuracy=self._is_classifier,
            diagnostics=check_diagnostics(self.diagnostics),
            verbose=self.verbose,
            description=type(self).__name__
            if len(settings) == 1
            else f"{len(settings)} {type(self).__name__}",
        )
        return train_network(network, data.X, data.Y, training, rng, data.validation_data)

    def _finish_fit(
        self, network: FeedForwardNetwork, result: TrainingResult, data: FitData
    ) -> str | None:
        """Set the learned attributes; raise if training diverged; return a restore warning."""
        error = result.outcome.error(self.learning_rate, self.epochs, feature_scale_hint(data.X))
        if error is not None:
            raise error
        self.network_ = network
        self.coefs_ = network.coefs_
        self.intercepts_ = network.intercepts_
        self.history_ = {self._history_key(key): value for key, value in result.history.items()}
        self.n_iter_ = result.outcome.epochs
        self.n_outputs_ = data.Y.shape[1]
        if result.diagnostics:
            self.diagnostics_ = result.diagnostics
        if data.classes is not None:
            self.classes_ = data.classes
        self._record_fitted_params()
        return result.outcome.warning()

    def fit(self, X: ArrayLike, y: ArrayLike) -> _NetworkEstimator:
        """Train on `X` and `y`; returns `self`.

        A failed or interrupted fit leaves the estimator as it was; one that
        diverged (with `on_divergence="raise"`) leaves it unfitted.

        Args:
            X: Inputs, shape `(n, n_features)`.
            y: Targets: shape `(n,)` or `(n, n_outputs)` for a regressor, class
                labels of shape `(n,)` for a classifier.

        Returns:
            The fitted estimator.

        Raises:
            fyslearn.optim.DivergenceError: The training loss became NaN, infinite or exploded.

        Warns:
            fyslearn.optim.ConvergenceWarning: Training ended while the loss was still
                falling fast ([`still_falling`][fyslearn.optim.still_falling]).
        """
        with fit_transaction([self]):
            validate_params(self)
            data = self._prepare_fit(X, y)
            rng = as_generator(self.random_state)
            network = self._build_network(data.X.shape[1], data.n_targets, rng)
            (result,) = self._train(network, data, rng, [self])
            message = self._finish_fit(network, result, data)
        if message is not None:
            warnings.warn(message, DivergenceWarning, stacklevel=2)
        warn_if_unconverged([self], stacklevel=2)
        return self

    @classmethod
    def fit_stack(
        cls, estimators: Sequence[_NetworkEstimator], X: ArrayLike, y: ArrayLike
    ) -> list[str]:
        """Fit several estimators of this class at once, as one stack of networks.

        What [`fyslearn.fit_many`][fyslearn.fit_many] runs (use that: it also
        checks the list). Each estimator keeps its own `learning_rate`,
        `alpha`, `momentum`, `random_state`, initializers, `on_divergence` and
        solver settings; the architecture, output layer, loss, penalty, batch
        size, epochs, schedule, solver, dtype, `verbose`, `diagnostics` and
        `validation_data` must agree (`STACK_SETTINGS`). Before any training, every estimator's
        settings are checked as its own `fit` would check them, and the data
        once, through the first estimator (with the messages of `fit`). Each
        estimator ends as its own `fit(X, y)` would leave it, or unfitted if
        it diverged.

        Args:
            estimators: The estimators to fit, all of this class.
            X: Inputs shared by all of them, shape `(n, n_features)`.
            y: Targets as for `fit`:
                shape `(n,)` or `(n, n_outputs)`, or class labels of shape `(n,)`.

        Returns:
            One line per model that diverged or was restored, for a warning.
        """
        with fit_transaction(estimators):
            for estimator in estimators:
                validate_params(estimator)
            _check_stackable(estimators)
            data = estimators[0]._prepare_fit(X, y)  # the data, checked once for all
            record_features(estimators[1:], X)
            rngs = [as_generator(estimator.random_state) for estimator in estimators]
            networks = [
                estimator._build_network(data.X.shape[1], data.n_targets, rng)
                for estimator, rng in zip(estimators, rngs, strict=True)
            ]
            stack = FeedForwardNetwork.stack(networks)
            results = estimators[0]._train(stack, data, rngs, estimators)
            ends = zip(estimators, stack.unstack(), results, strict=True)
            messages = [
                settle(k, estimator, functools.partial(estimator._finish_fit, *end, data))
                for k, (estimator, *end) in enumerate(ends)
            ]
        warn_if_unconverged(estimators, stacklevel=3)
        return [message for message in messages if message is not None]

    def _history_key(self, key: str) -> str:
        return key.replace("data_loss", self.network_.loss.name)

    def _output(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)
        output = self.network_.predict(_in_dtype(X, np.dtype(self.dtype), "X"))
        if not np.all(np.isfinite(output)):
            raise ValueError(
                "The network's output is not finite for some rows of X (inputs far outside "
                "the range seen in training); no prediction is made from it."
            )
        return output

    def _after_load(self) -> None:
        n_targets = len(self.classes_) if self._is_classifier else self.n_outputs_
        network = self._build_network(self.n_features_in_, n_targets, as_generator(0))
        network.coefs_, network.intercepts_ = self.coefs_, self.intercepts_
        self.network_ = network


def _in_dtype(values: np.ndarray, dtype: np.dtype, name: str) -> np.ndarray:
    """`values` in the network's float type; refused if they do not fit in it (float32 range)."""
    with np.errstate(over="ignore"):  # checked just below, with a clear message
        converted = values.astype(dtype, copy=False)
    if converted is not values and not np.all(np.isfinite(converted)):
        raise ValueError(
            f"{name} has values beyond the range of {dtype} (largest {np.finfo(dtype).max:.3g}); "
            "scale the data or use dtype='float64'."
        )
    return converted


def _check_stackable(estimators: Sequence[_NetworkEstimator]) -> None:
    """Settings that must agree for one stacked run (after each estimator's own checks)."""
    first = estimators[0]
    for estimator in estimators[1:]:
        for name in STACK_SETTINGS:
            if _stack_setting(estimator, name) != _stack_setting(first, name):
                raise ValueError(f"fit_many needs the same {name} for every estimator.")
        if not _same_validation_data(estimator.validation_data, first.validation_data):
            raise ValueError("fit_many needs the same validation_data for every estimator.")


def _layers(estimator: _NetworkEstimator) -> dict[str, Any]:
    """What the per-layer names of the table read: the hidden layer sizes."""
    return {"hidden_layer_sizes": estimator.hidden_layer_sizes}


def _stack_setting(estimator: _NetworkEstimator, name: str) -> object:
    """The value of a `STACK_SETTINGS` entry as the estimator reads it."""
    if name == "hidden_layer_sizes":
        return HiddenLayerSizes.read(estimator.hidden_layer_sizes)
    if name == "activation":
        return ACTIVATION.read(estimator.activation, name, _layers(estimator))
    if name == "diagnostics":
        return check_diagnostics(getattr(estimator, "diagnostics", None))
    return getattr(estimator, name, None)


def _same_validation_data(a: object, b: object) -> bool:
    """Whether two `validation_data` values hold the same arrays (clones copy them)."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    try:
        return len(a) == len(b) == 2 and all(
            np.array_equal(np.asarray(u), np.asarray(v)) for u, v in zip(a, b, strict=True)
        )
    except (TypeError, ValueError):
        return False


class MLPRegressor(RegressorMixin, _NetworkEstimator):
    r"""Feed-forward network for regression: hidden layers, linear output, MSE loss.

    Defaults are the report's Franke network (Figure 5): one hidden layer of
    128 ReLU units, kernels $\mathcal N(0, 0.05^2)$, zero biases, SGD with
    learning rate $10^{-3}$ and batch 10.

    Args:
        hidden_layer_sizes: Units per hidden layer.
        activation: Hidden activation name, or one name per hidden layer.
        learning_rate: Initial SGD learning rate $\eta_0$.
        batch_size: Rows per mini-batch; `None`: the whole training set (plain gradient descent).
        epochs: Passes over the training data.
        alpha: Penalty strength $\alpha$ on the kernels (the report's $\lambda$).
        momentum: Momentum $\omega \in [0, 1)$ (D9).
        schedule: `"constant"`, `"inverse"` (D10, the report's decay), `"invscaling"`
            or `"step"` ([`SCHEDULES`][fyslearn.optim.SCHEDULES]).
        kernel_init: Kernel initializer, or one per weight layer (hidden layers, then output).
        bias_init: Bias initializer, or one per weight layer.
        random_state: Seed (an int >= 0, numpy integers too), `numpy.random.Generator`
            or `numpy.random.RandomState`, for the initial weights and the shuffling;
            a model trained from a generator cannot be saved, use a seed.
        verbose: Progress bar when > 0.
        validation_data: `(X_val, y_val)` scored after every epoch (learning curves).
        dtype: `"float64"` (exact) or `"float32"` (faster).
        on_divergence: `"raise"` or `"restore"`: put back the parameters that
            ended the epoch with the lowest training loss, and warn with that
            loss (measured at the epoch's end, unlike the epoch means of
            `history_`). Ranking them costs one more forward pass over the
            training data per epoch. A network that diverges in its first epoch
            has nothing to restore: it raises.
        penalty: `"l2"` (the report's) or `"l1"`.
        out_activation: Output activation instead of `"linear"`.
        loss: Loss instead of `"mse"`.
        solver: `"sgd"` (the report's, with `momentum`), `"adagrad"` (with
            `momentum`), `"rmsprop"` or `"adam"` ([`fyslearn.optim`][fyslearn.optim]).
        beta_1: Adam's decay $\beta_1 \in [0, 1)$ of the first moment.
        beta_2: Adam's decay $\beta_2 \in [0, 1)$ of the second moment.
        epsilon: $\epsilon > 0$ of Adagrad, RMSprop and Adam.
        rho: RMSprop's decay $\rho \in [0, 1)$.
        power_t: Exponent of the `"invscaling"` schedule, $\eta_0/(e + 1)^{p}$.
        decay_every: Epochs $k \ge 1$ between two drops of the `"step"` schedule,
            $\eta_0\,\gamma^{\lfloor e/k \rfloor}$.
        decay_factor: Factor $\gamma \in (0, 1]$ of each drop of the `"step"` schedule.
        diagnostics: Per-layer statistics to record after every epoch (names from
            [`DIAGNOSTICS`][fyslearn.nn.diagnostics.DIAGNOSTICS]), kept in `diagnostics_`.

    Attributes:
        coefs_: Kernels, shapes `(n_in, n_out)`.
        intercepts_: Biases, shapes `(n_out,)`.
        history_: Per-epoch arrays: `"loss"` (training cost with L2), `"mse"`
            (mean of the mini-batch MSEs of the epoch), and with validation data
            `"val_loss"` and `"val_mse"` (after the epoch). With several outputs
            the MSE is summed over them (the report's cost), not averaged as in
            `sklearn.metrics.mean_squared_error`.
        n_iter_: Completed epochs.
        n_outputs_: Number of target columns (output units).
        n_features_in_: Number of input features seen in `fit`.
        feature_names_in_: The inputs' column names, shape `(n_features_in_,)`, when `X`
            had string column names (a pandas DataFrame).
        network_: The trained [`FeedForwardNetwork`][fyslearn.nn.network.FeedForwardNetwork].
        diagnostics_: With `diagnostics`, one array of shape `(n_iter_, n_layers)`
            per statistic.

    Examples:
        >>> from fyslearn.datasets import make_franke
        >>> from fyslearn.nn import MLPRegressor
        >>> X, z = make_franke(300, random_state=0)
        >>> model = MLPRegressor(
        ...     hidden_layer_sizes=(16,), activation="tanh", solver="adam",
        ...     learning_rate=0.01, epochs=100, random_state=0,
        ... )
        >>> model = model.fit(X, z)
        >>> [W.shape for W in model.coefs_]
        [(2, 16), (16, 1)]
        >>> round(model.score(X, z), 1)
        0.5
    """

    def _prepare_fit(self, X: ArrayLike, y: ArrayLike) -> FitData:
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=FLOAT_DTYPES)
        dtype = np.dtype(self.dtype)
        Y = y.reshape(len(y), -1)
        validation = self._check_validation(self._encode_targets, X.shape[1], Y.shape[1])
        return FitData(_in_dtype(X, dtype, "X"), _in_dtype(Y, dtype, "y"), validation)

    def _encode_targets(self, y: ArrayLike) -> np.ndarray:
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="validation_data y_val")
        return y.reshape(len(y), -1)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Network output for `X` (shape `(n, n_features)`): shape `(n,)`, or `(n, n_outputs)`."""
        output = self._output(X)
        return output.ravel() if self.n_outputs_ == 1 else output

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class MLPClassifier(ClassifierMixin, _NetworkEstimator):
    r"""Feed-forward network for classification: hidden layers, softmax output, cross-entropy.

    Defaults are the report's MNIST network (Figure 8): 128 ReLU units, Glorot
    uniform kernels, zero biases, SGD with learning rate $10^{-3}$, batch
    50, 50 epochs. Tuned for 60 000 images, they take only a few hundred
    steps on a data set of a few hundred rows, too few to learn it: there,
    raise `learning_rate` (e.g. to 0.1) or use `solver="adam"`, and compare
    `history_` with the loss of guessing ($\ln K$ for $K$ balanced classes).
    Any label type works (integers, strings, bools). The output
    has one softmax unit per class; for two classes it is one sigmoid unit,
    $a = P(y = \text{classes\_}[1])$, with binary cross-entropy
    $-\frac1n\sum_i [y_i\ln a_i + (1 - y_i)\ln(1 - a_i)]$, as scikit-learn does.
    Its output error is again $a - y$
    ([derivation][fyslearn.derivations.sigmoid_binary_cross_entropy_delta]).
    `out_activation` and `loss` replace the output layer (for example sigmoid
    units with squared error, as in Nielsen's book).

    Args:
        hidden_layer_sizes: Units per hidden layer.
        activation: Hidden activation name, or one name per hidden layer.
        learning_rate: Initial SGD learning rate.
        batch_size: Rows per mini-batch.
        epochs: Passes over the training data.
        alpha: L2 penalty $\alpha$ on the kernels.
        momentum: Momentum $\omega \in [0, 1)$.
        schedule: `"constant"`, `"inverse"` (D10), `"invscaling"` or `"step"`.
        kernel_init: Kernel initializer, or one per weight layer.
        bias_init: Bias initializer, or one per weight layer.
        random_state: Seed (an int >= 0, numpy integers too), `numpy.random.Generator`
            or `numpy.random.RandomState`, for the initial weights and the shuffling;
            a model trained from a generator cannot be saved, use a seed.
        verbose: Progress bar when > 0.
        validation_data: `(X_val, y_val)` scored after every epoch.
        dtype: `"float64"` or `"float32"`.
        on_divergence: `"raise"` or `"restore"` (as for
            [`MLPRegressor`][fyslearn.nn.MLPRegressor]).
        penalty: `"l2"` ($\alpha\sum_l\lVert W^l\rVert_2^2$) or `"l1"`
            ($\alpha\sum_l\lVert W^l\rVert_1$).
        out_activation: Output activation instead of the default (softmax; sigmoid for two classes).
        loss: Loss instead of the default (`"cross_entropy"`; `"binary_cross_entropy"`
            for two classes), e.g. `"mse"`.
        solver: `"sgd"` (the report's, with `momentum`), `"adagrad"` (with
            `momentum`), `"rmsprop"` or `"adam"` ([`fyslearn.optim`][fyslearn.optim]).
        beta_1: Adam's decay $\beta_1 \in [0, 1)$ of the first moment.
        beta_2: Adam's decay $\beta_2 \in [0, 1)$ of the second moment.
        epsilon: $\epsilon > 0$ of Adagrad, RMSprop and Adam.
        rho: RMSprop's decay $\rho \in [0, 1)$.
        power_t: Exponent of the `"invscaling"` schedule, $\eta_0/(e + 1)^{p}$.
        decay_every: Epochs $k \ge 1$ between two drops of the `"step"` schedule,
            $\eta_0\,\gamma^{\lfloor e/k \rfloor}$.
        decay_factor: Factor $\gamma \in (0, 1]$ of each drop of the `"step"` schedule.
        diagnostics: Per-layer statistics to record after every epoch (names from
            [`DIAGNOSTICS`][fyslearn.nn.diagnostics.DIAGNOSTICS]), kept in `diagnostics_`.

    Attributes:
        classes_: The class labels, in the order of the output units.
        coefs_: Kernels, shapes `(n_in, n_out)`; the last has `n_out` = `n_classes`,
            or 1 for two classes (one sigmoid unit).
        intercepts_: Biases, shapes `(n_out,)`.
        history_: Per-epoch arrays `"loss"` (cost with L2), `"cross_entropy"`
            (`"binary_cross_entropy"` for two classes), `"accuracy"` (running
            over the epoch's mini-batches), and with validation data the same
            with `"val_"` in front (`"val_loss"`, `"val_accuracy"`, ...).
        n_iter_: Completed epochs.
        n_outputs_: Number of output units: one per class, or 1 for two classes.
        n_features_in_: Number of input features seen in `fit`.
        feature_names_in_: The inputs' column names, shape `(n_features_in_,)`, when `X`
            had string column names (a pandas DataFrame).
        network_: The trained network.
        diagnostics_: With `diagnostics`, one array of shape `(n_iter_, n_layers)`
            per statistic.

    Examples:
        >>> from sklearn.datasets import make_moons
        >>> from fyslearn.nn import MLPClassifier
        >>> X, y = make_moons(200, noise=0.2, random_state=0)
        >>> model = MLPClassifier(
        ...     hidden_layer_sizes=(16,), solver="adam", learning_rate=0.05, epochs=100,
        ...     random_state=0,
        ... )
        >>> model = model.fit(X, y)
        >>> model.predict_proba(X[:2]).shape
        (2, 2)
        >>> round(model.score(X, y), 2)
        0.98
    """

    _is_classifier = True

    def __init__(
        self,
        *,
        hidden_layer_sizes: Sequence[int] = (128,),
        activation: str | Sequence[str] = "relu",
        learning_rate: float = 1e-3,
        batch_size: int = 50,
        epochs: int = 50,
        alpha: float = 0.0,
        momentum: float = 0.0,
        schedule: str = "constant",
        kernel_init: str | Sequence[str] = "glorot_uniform",
        bias_init: str | Sequence[str] = "zeros",
        random_state: int | np.random.Generator | None = None,
        verbose: int = 0,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        dtype: str = "float64",
        on_divergence: str = "raise",
        penalty: str = "l2",
        out_activation: str | None = None,
        loss: str | None = None,
        solver: str = "sgd",
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        rho: float = 0.9,
        power_t: float = 0.5,
        decay_every: int = 10,
        decay_factor: float = 0.5,
        diagnostics: Sequence[str] | None = None,
    ) -> None:
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            learning_rate=learning_rate,
            batch_size=batch_size,
            epochs=epochs,
            alpha=alpha,
            momentum=momentum,
            schedule=schedule,
            kernel_init=kernel_init,
            bias_init=bias_init,
            random_state=random_state,
            verbose=verbose,
            validation_data=validation_data,
            dtype=dtype,
            on_divergence=on_divergence,
            penalty=penalty,
            out_activation=out_activation,
            loss=loss,
            solver=solver,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            rho=rho,
            power_t=power_t,
            decay_every=decay_every,
            decay_factor=decay_factor,
            diagnostics=diagnostics,
        )

    def _prepare_fit(self, X: ArrayLike, y: ArrayLike) -> FitData:
        X, y = validate_data(self, X, y, dtype=FLOAT_DTYPES)
        check_classification_targets(y)
        if len(y) < 2:
            raise ValueError(f"n_samples={len(y)}: a classifier needs at least 2 samples.")
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                f"y has a single class ({classes[0]!r}); a classifier needs at least 2 classes."
            )
        dtype = np.dtype(self.dtype)
        _, _, n_out = self._output_layer(len(classes))

        def encode(labels: ArrayLike) -> np.ndarray:  # one unit for two classes: 1 for classes[1]
            Y = one_hot(labels, classes)
            return Y[:, 1:] if n_out == 1 else Y

        validation = self._check_validation(encode, X.shape[1], n_out)
        return FitData(_in_dtype(X, dtype, "X"), encode(y).astype(dtype), validation, classes)

    @available_if(lambda self: getattr(self, "out_activation", None) in PROBABILITY_OUTPUTS)
    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        r"""Class probabilities for `X` (shape `(n, n_features)`): shape `(n, n_classes)`.

        Columns in the order of `classes_`. With one sigmoid output (two
        classes) the columns are $1 - a$ and $a$; sigmoid outputs, one per
        class (an `out_activation` override), are scaled to sum to 1 per row.
        Only output layers whose values are probabilities have it (the
        default, softmax or sigmoid): for others `hasattr(model, "predict_proba")`
        is false, as scikit-learn's scorers and ensembles expect.
        """
        output = self._output(X)  # checks that the model is fitted
        if output.shape[1] == 1:
            return np.column_stack([1.0 - output[:, 0], output[:, 0]])
        if self.network_.activations[-1].name == "softmax":
            return output
        totals = output.sum(axis=1, keepdims=True)
        return np.divide(
            output, totals, out=np.full_like(output, 1.0 / output.shape[1]), where=totals > 0
        )

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable class of each row of `X`: shape `(n,)`.

        The class of the largest output (for one sigmoid output: class 1 where $a > 1/2$),
        the class `predict_proba` ranks first wherever it gives probabilities.
        """
        output = self._output(X)  # checks that the model is fitted
        return self.classes_[predicted_classes(output)]


def one_hot(labels: ArrayLike, classes: np.ndarray) -> np.ndarray:
    """One row per label with a 1 in the column of its class: shape `(n, n_classes)`.

    Raises:
        ValueError: A label that is not among `classes`, or labels that are not 1-D.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {labels.shape}.")
    index = np.searchsorted(classes, labels)
    index = np.minimum(index, len(classes) - 1)
    unknown = classes[index] != labels
    if np.any(unknown):
        raise ValueError(
            f"labels {np.unique(labels[unknown])!r} are not among the classes seen in fit."
        )
    return np.eye(len(classes))[index]


class LogisticRegression(MLPClassifier):
    r"""Multinomial logistic regression: the classifier network with no hidden layer.

    $P(y = k \mid x) = S(xW + b)_k$ with softmax $S$, trained by
    mini-batch SGD on the cross-entropy plus $\alpha\lVert W\rVert^2$.
    Defaults are the report's Figure 9 settings, tuned for MNIST's 60 000
    images: on small data sets raise `learning_rate` (see
    [`MLPClassifier`][fyslearn.nn.MLPClassifier]).

    Args:
        alpha: L2 penalty $\alpha$ on the kernel.
        learning_rate: Initial SGD learning rate.
        batch_size: Rows per mini-batch.
        epochs: Passes over the training data.
        momentum: Momentum $\omega \in [0, 1)$.
        schedule: `"constant"`, `"inverse"` (D10), `"invscaling"` or `"step"`.
        kernel_init: Kernel initializer.
        bias_init: Bias initializer.
        random_state: Seed (an int >= 0, numpy integers too), `numpy.random.Generator`
            or `numpy.random.RandomState`, for the initial weights and the shuffling;
            a model trained from a generator cannot be saved, use a seed.
        verbose: Progress bar when > 0.
        validation_data: `(X_val, y_val)` scored after every epoch.
        dtype: `"float64"` or `"float32"`.
        on_divergence: `"raise"` or `"restore"` (as for
            [`MLPRegressor`][fyslearn.nn.MLPRegressor]).
        penalty: `"l2"` ($\alpha\lVert W\rVert_2^2$) or `"l1"` ($\alpha\lVert W\rVert_1$).
        solver: `"sgd"` (the report's, with `momentum`), `"adagrad"` (with
            `momentum`), `"rmsprop"` or `"adam"` ([`fyslearn.optim`][fyslearn.optim]).
        beta_1: Adam's decay $\beta_1 \in [0, 1)$ of the first moment.
        beta_2: Adam's decay $\beta_2 \in [0, 1)$ of the second moment.
        epsilon: $\epsilon > 0$ of Adagrad, RMSprop and Adam.
        rho: RMSprop's decay $\rho \in [0, 1)$.
        power_t: Exponent of the `"invscaling"` schedule, $\eta_0/(e + 1)^{p}$.
        decay_every: Epochs $k \ge 1$ between two drops of the `"step"` schedule,
            $\eta_0\,\gamma^{\lfloor e/k \rfloor}$.
        decay_factor: Factor $\gamma \in (0, 1]$ of each drop of the `"step"` schedule.

    Relation to scikit-learn: [`sklearn.linear_model.LogisticRegression`](https://scikit-learn.org/stable/modules/generated/sklearn.linear_model.LogisticRegression.html)
    minimises $C_{sk}\sum_i \ell_i + \frac12\lVert W\rVert^2$ over the $n$
    samples; dividing by $C_{sk} n$ gives our cost
    $\frac1n\sum_i \ell_i + \alpha\lVert W\rVert^2$ with
    $\alpha = 1/(2 n C_{sk})$, so the two have the same minimiser when
    $C_{sk} = 1/(2 n \alpha)$ (with `penalty="l2"`).

    Attributes:
        classes_: The class labels.
        coefs_: `[W]` with `W` of shape `(n_features, n_classes)`, or
            `(n_features, 1)` for two classes (one sigmoid output).
        intercepts_: `[b]`, `b` of shape `(n_classes,)` (or `(1,)`).
        history_: As for [`MLPClassifier`][fyslearn.nn.MLPClassifier].
        n_iter_: Completed epochs.
        n_outputs_: Number of output units: one per class, or 1 for two classes.
        n_features_in_: Number of input features seen in `fit`.
        feature_names_in_: The inputs' column names, shape `(n_features_in_,)`, when `X`
            had string column names (a pandas DataFrame).

    Examples:
        On a small data set, raise the learning rate from the MNIST default (with
        the defaults this fit would end unconverged, with a
        [`ConvergenceWarning`][fyslearn.optim.ConvergenceWarning]):

        >>> from sklearn.datasets import load_breast_cancer
        >>> from sklearn.preprocessing import StandardScaler
        >>> from fyslearn.nn import LogisticRegression
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> X = StandardScaler().fit_transform(X)
        >>> model = LogisticRegression(learning_rate=0.1, epochs=100, random_state=0)
        >>> model = model.fit(X, y)
        >>> round(model.score(X, y), 2)
        0.99
    """

    hidden_layer_sizes = ()
    activation = "relu"  # no hidden layer: never used
    diagnostics = None
    out_activation = None  # the classifier's output layer: softmax, or sigmoid for two classes
    loss = None
    parameter_constraints = MappingProxyType(
        {
            name: constraint
            for name, constraint in NETWORK_PARAMETERS.items()
            if name
            not in ("hidden_layer_sizes", "activation", "diagnostics", "out_activation", "loss")
        }
    )

    def __init__(
        self,
        *,
        alpha: float = 0.0,
        learning_rate: float = 1e-3,
        batch_size: int = 50,
        epochs: int = 50,
        momentum: float = 0.0,
        schedule: str = "constant",
        kernel_init: str = "glorot_uniform",
        bias_init: str = "zeros",
        random_state: int | np.random.Generator | None = None,
        verbose: int = 0,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        dtype: str = "float64",
        on_divergence: str = "raise",
        penalty: str = "l2",
        solver: str = "sgd",
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        rho: float = 0.9,
        power_t: float = 0.5,
        decay_every: int = 10,
        decay_factor: float = 0.5,
    ) -> None:
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.momentum = momentum
        self.schedule = schedule
        self.kernel_init = kernel_init
        self.bias_init = bias_init
        self.random_state = random_state
        self.verbose = verbose
        self.validation_data = validation_data
        self.dtype = dtype
        self.on_divergence = on_divergence
        self.penalty = penalty
        self.solver = solver
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.rho = rho
        self.power_t = power_t
        self.decay_every = decay_every
        self.decay_factor = decay_factor


_SKLEARN_ACTIVATIONS = {"relu": "relu", "sigmoid": "logistic", "tanh": "tanh", "linear": "identity"}


def sklearn_equivalent(estimator: MLPRegressor | MLPClassifier) -> BaseEstimator:
    r"""An unfitted scikit-learn MLP that takes the same SGD steps as `estimator`.

    Maps the loss conventions (module docstring): for regression
    `learning_rate_init` $= 2\eta$ and `alpha` $= \alpha\cdot$`batch_size`; for
    classification `learning_rate_init` $= \eta$ and `alpha` $= 2\alpha\cdot$`batch_size`.
    Plain SGD (`momentum` is carried over, without Nesterov), constant or
    inverse-scaling schedules are not mapped (only `"constant"`), no early
    stopping, and `max_iter` = `epochs` with the tolerance disabled so every
    epoch runs. scikit-learn draws its own initial weights; inject ours
    through `partial_fit` + in-place assignment to compare from one start.
    For two classes both use one logistic output with binary cross-entropy.

    Args:
        estimator: An [MLPRegressor][fyslearn.nn.estimators.MLPRegressor] or
            [MLPClassifier][fyslearn.nn.estimators.MLPClassifier] (fitted or not).

    Returns:
        A `sklearn.neural_network.MLPRegressor` or `MLPClassifier` with the mapped settings.

    Raises:
        ValueError: An option scikit-learn's MLP has no counterpart for
            (leaky ReLU, per-layer activations, decay schedule, `batch_size=None`).
    """
    from sklearn.neural_network import MLPClassifier as SkClassifier
    from sklearn.neural_network import MLPRegressor as SkRegressor

    if not isinstance(estimator, (MLPRegressor, MLPClassifier)):
        raise TypeError(f"expected a fyslearn MLP estimator, got {type(estimator).__name__}.")
    if estimator.schedule != "constant":
        raise ValueError(
            f"scikit-learn's MLP has no exact counterpart of the {estimator.schedule!r} schedule."
        )
    if estimator.solver != "sgd":
        raise ValueError(
            f"scikit-learn's {estimator.solver!r} solver updates differently (its Adam folds the "
            "bias correction into the learning rate); only 'sgd' steps are mapped exactly."
        )
    if estimator.batch_size is None:
        raise ValueError(
            "batch_size=None (the whole training set) has no fixed counterpart: scikit-learn's "
            "alpha is scaled by the batch size. Set batch_size to the number of training rows."
        )
    if estimator.penalty != "l2" or estimator.out_activation or estimator.loss:
        raise ValueError("scikit-learn's MLP has only the L2 penalty and its own output layer.")
    names = set(ACTIVATION.read(estimator.activation, "activation", _layers(estimator))) or {"relu"}
    if len(names) != 1 or next(iter(names)) not in _SKLEARN_ACTIVATIONS:
        raise ValueError(f"scikit-learn's MLP has no single activation for {sorted(names)}.")
    is_classifier = isinstance(estimator, MLPClassifier)
    factor = 1.0 if is_classifier else 2.0
    common = {
        "hidden_layer_sizes": tuple(HiddenLayerSizes.read(estimator.hidden_layer_sizes)),
        "activation": _SKLEARN_ACTIVATIONS[next(iter(names))],
        "solver": "sgd",
        "learning_rate": "constant",
        "learning_rate_init": factor * estimator.learning_rate,
        "alpha": (2.0 / factor) * estimator.alpha * estimator.batch_size,
        "batch_size": estimator.batch_size,
        "momentum": estimator.momentum,
        "nesterovs_momentum": False,
        "max_iter": estimator.epochs,
        "shuffle": True,
        "tol": 0.0,
        "n_iter_no_change": estimator.epochs + 1,
        "early_stopping": False,
        "random_state": (
            int(estimator.random_state)
            if isinstance(estimator.random_state, numbers.Integral)
            else None
        ),
    }
    return (SkClassifier if is_classifier else SkRegressor)(**common)
