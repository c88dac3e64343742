"""Feed-forward neural networks trained by backpropagation and mini-batch SGD.

* [activations][fyslearn.nn.activations], [losses][fyslearn.nn.losses],
  [initializers][fyslearn.nn.initializers]: the building blocks, each formula beside its derivative;
* [FeedForwardNetwork][fyslearn.nn.network.FeedForwardNetwork]: forward pass and
  backpropagation (D3–D5);
* [train_network][fyslearn.nn.training.train_network] with
  [TrainingSettings][fyslearn.nn.training.TrainingSettings]: mini-batch SGD through the shared
  loop of [optim][fyslearn.optim];
* [MLPRegressor][fyslearn.nn.estimators.MLPRegressor],
  [MLPClassifier][fyslearn.nn.estimators.MLPClassifier],
  [LogisticRegression][fyslearn.nn.estimators.LogisticRegression]: scikit-learn estimators.
"""

from .._docstrings import readable_docstrings
from . import activations, diagnostics, estimators, initializers, losses, network, training
from .estimators import LogisticRegression, MLPClassifier, MLPRegressor, sklearn_equivalent
from .network import FeedForwardNetwork
from .training import TrainingSettings, train_network

__all__ = [
    "FeedForwardNetwork",
    "LogisticRegression",
    "MLPClassifier",
    "MLPRegressor",
    "TrainingSettings",
    "sklearn_equivalent",
    "train_network",
]

# help() shows plain names where the site shows links, in this package and each of its modules
for _module in (activations, diagnostics, estimators, initializers, losses, network, training):
    readable_docstrings(vars(_module))
readable_docstrings(globals())
del _module
