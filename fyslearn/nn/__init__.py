"""Feed-forward neural networks trained by backpropagation and mini-batch SGD.

* :mod:`~fyslearn.nn.activations`, :mod:`~fyslearn.nn.losses`,
  :mod:`~fyslearn.nn.initializers`: the building blocks, each formula beside its derivative;
* :class:`FeedForwardNetwork`: forward pass and backpropagation (D3–D5);
* :func:`train_network`: mini-batch SGD through the shared loop of :mod:`fyslearn.optim`;
* :class:`MLPRegressor`, :class:`MLPClassifier`, :class:`LogisticRegression`:
  scikit-learn estimators.
"""

from .estimators import LogisticRegression, MLPClassifier, MLPRegressor, sklearn_equivalent
from .network import FeedForwardNetwork
from .training import train_network

__all__ = [
    "FeedForwardNetwork",
    "LogisticRegression",
    "MLPClassifier",
    "MLPRegressor",
    "sklearn_equivalent",
    "train_network",
]
