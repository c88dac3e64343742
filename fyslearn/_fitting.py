"""What every fyslearn estimator's `fit` shares: fitting as a transaction, and `fit_many`.

A fit builds its new state while the old one is kept: if it fails, or is
interrupted with Ctrl-C, the estimator is put back exactly as it was, so it
never mixes the learned attributes of two fits. Divergence is the one
exception: a model whose training diverged is left unfitted (its previous fit
is forgotten too), so that it can never be mistaken for the model just asked for.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sklearn.utils.validation import validate_data

from ._validation import forget_fit
from .optim import DivergenceError, DivergenceWarning

__all__ = ["fit_many", "fit_transaction", "record_features", "settle"]


@contextlib.contextmanager
def fit_transaction(estimators: Iterable[Any]) -> Iterator[None]:
    """Run a fit of `estimators`; on any exception restore each one's attributes as they were.

    On a [`DivergenceError`][fyslearn.optim.DivergenceError] the estimators are left unfitted.
    """
    estimators = list(estimators)
    saved = [dict(vars(estimator)) for estimator in estimators]
    try:
        yield
    except BaseException as error:
        for estimator, attributes in zip(estimators, saved, strict=True):
            vars(estimator).clear()
            vars(estimator).update(attributes)
            if isinstance(error, DivergenceError):
                forget_fit(estimator)
        raise


def record_features(estimators: Iterable[Any], X: Any) -> None:
    """Record on each estimator the features of `X`, as its own `fit` would.

    A stacked fit checks the data once, through its first estimator; the
    others then only record what scikit-learn's `validate_data` sets on a fit:
    `n_features_in_`, and `feature_names_in_` for a data frame.
    """
    for estimator in estimators:
        validate_data(estimator, X, skip_check_array=True)


def settle(k: int, estimator: Any, commit: Callable[[], str | None]) -> str | None:
    """Finish model `k` of a stacked fit: `commit()` sets its learned attributes.

    `commit` raises [`DivergenceError`][fyslearn.optim.DivergenceError] if the
    model diverged (it is then left unfitted, as its own `fit` would leave it)
    and returns a warning message if its best epoch was restored.

    Returns:
        A line for the warning of [`fit_many`][fyslearn.fit_many], or `None`.
    """
    try:
        warning = commit()
    except DivergenceError as error:
        forget_fit(estimator)
        return f"#{k}: {error}"
    return None if warning is None else f"model {k}: {warning}"


def fit_many(estimators: Iterable[Any], X: Any, y: Any) -> list[Any]:
    r"""Fit several fyslearn estimators of one class and shape at once, as one stacked run.

    Takes [`MLPRegressor`][fyslearn.nn.MLPRegressor],
    [`MLPClassifier`][fyslearn.nn.MLPClassifier],
    [`LogisticRegression`][fyslearn.nn.LogisticRegression] or
    [`SGDRegressor`][fyslearn.linear_model.SGDRegressor] instances, all of one
    class, and hands them to that class's `fit_stack`: the networks train as
    one stack with a leading model axis
    ([`FeedForwardNetwork.stack`][fyslearn.nn.network.FeedForwardNetwork.stack]),
    the linear models as the columns of one coefficient matrix. Each estimator
    keeps its own learning rate, `alpha`, momentum and `random_state`, and ends
    as its own `fit(X, y)` would have left it (the same weights to rounding, the
    same `history_`); one that diverged is left unfitted and named in a
    [`DivergenceWarning`][fyslearn.optim.DivergenceWarning].

    Args:
        estimators: The estimators (any iterable; each object at most once).
        X: Inputs, shape `(n_samples, n_features)`.
        y: Targets or labels, shape `(n_samples,)` (or `(n_samples, n_outputs)`
            for [`MLPRegressor`][fyslearn.nn.MLPRegressor]).

    Returns:
        The estimators, in the order given.

    Raises:
        ValueError: No estimator, estimators of several classes, the same object
            twice, settings that must agree but differ, or anything the
            estimators' own `fit` rejects (checked before any training).
    """
    estimators = list(estimators)
    if not estimators:
        raise ValueError("fit_many needs a non-empty list of estimators.")
    kinds = sorted({type(estimator).__name__ for estimator in estimators})
    if len(kinds) > 1:
        raise ValueError(f"fit_many needs estimators of one class, got {kinds}.")
    if len({id(estimator) for estimator in estimators}) < len(estimators):
        raise ValueError("fit_many got the same estimator object more than once.")
    kind = type(estimators[0])
    if not hasattr(kind, "fit_stack"):
        raise TypeError(f"{kind.__name__} cannot be fitted by fit_many.")
    messages = kind.fit_stack(estimators, X, y)
    if messages:
        warnings.warn(
            "Some models diverged: " + "; ".join(messages), DivergenceWarning, stacklevel=2
        )
    return estimators
