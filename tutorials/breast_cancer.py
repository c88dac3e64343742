r"""
# Beyond the report: breast cancer

In this tutorial you will learn how two classes change a network's output
layer (one sigmoid unit with binary cross-entropy), how to scale features
without leaking the test set, and how fyslearn's logistic regression meets
scikit-learn's when the penalties are matched.

From 2021 on, the course's classification data set is no longer MNIST but the
Wisconsin breast-cancer data: 569 tumours described by 30 features of their
cell nuclei, 212 malignant and 357 benign. It ships with scikit-learn
(`sklearn.datasets.load_breast_cancer`), so everything here runs offline.

Two classes change the output layer. Instead of a softmax over the classes,
fyslearn's [LogisticRegression][fyslearn.nn.LogisticRegression] and
[MLPClassifier][fyslearn.nn.MLPClassifier] use one sigmoid unit,
$a = P(\text{benign} \mid x)$, with the binary cross-entropy

$$
C = -\frac1n\sum_i \big[y_i\ln a_i + (1 - y_i)\ln(1 - a_i)\big],
$$

whose output error is again $\delta = a - y$
([derivation][fyslearn.derivations.sigmoid_binary_cross_entropy_delta]).

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# ## One split, and the scaling
#
# Stratified 80/20 splits keep the 37 % of malignant tumours in both parts.
# The features differ in scale by four orders of magnitude (areas in the
# hundreds, smoothness near 0.1), so the split is standardised by a
# `StandardScaler` fitted on its **training part only**: the test tumours must
# not leak their mean and spread into the model.
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.preprocessing import StandardScaler

from fyslearn.experiments import breast_cancer as experiment
from fyslearn.experiments import quick_mode, show_or_save
from fyslearn.nn import LogisticRegression, MLPClassifier

config = experiment.Config.quick() if quick_mode() else experiment.Config()
X, y = load_breast_cancer(return_X_y=True)
splits = StratifiedShuffleSplit(n_splits=config.n_splits, test_size=0.2, random_state=0)
train, test = next(splits.split(X, y))  # the first of the splits
scaler = StandardScaler().fit(X[train])
X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
y_train, y_test = y[train], y[test]
print(f"train {X_train.shape}, test {X_test.shape}, malignant share {1 - y_train.mean():.3f}")

# %%
# ## The same logistic regression, two solvers
#
# scikit-learn's `LogisticRegression(C)` minimises
# $C\sum_i \ell_i + \tfrac12\lVert w\rVert^2$; fyslearn minimises
# $\frac1n\sum_i \ell_i + \alpha\lVert w\rVert^2$. Dividing the first by
# $Cn$ shows that both have the same minimum when $\alpha = 1/(2nC)$. With
# scikit-learn's default $C = 1$ and $n = 455$ training tumours:
alpha = 1 / (2 * len(y_train) * 1.0)
print(f"alpha = 1/(2nC) = {alpha:.2e}")

# %%
# fyslearn gets there by plain gradient descent (`batch_size=None`: every
# step sees the whole training set) for 2000 steps; scikit-learn by L-BFGS.
# Fitted to the same minimum, they should classify the test tumours alike.
logistic = LogisticRegression(
    alpha=alpha,
    learning_rate=0.5,
    batch_size=None,
    epochs=config.logistic_epochs,  # 2000 (50 in quick mode)
    random_state=0,
).fit(X_train, y_train)
sk_logistic = SkLogisticRegression(C=1.0, max_iter=10_000).fit(X_train, y_train)
print(
    f"test accuracy: fyslearn {logistic.score(X_test, y_test):.4f}, "
    f"scikit-learn {sk_logistic.score(X_test, y_test):.4f}"
)

# %%
# ## A network with one sigmoid output
#
# A 30–16–1 ReLU network trained by SGD with momentum; its output layer is
# the one sigmoid unit above.
network = MLPClassifier(
    hidden_layer_sizes=(16,),
    learning_rate=0.01,
    momentum=0.9,
    alpha=1e-3,
    batch_size=32,
    epochs=config.epochs,  # 100 (5 in quick mode)
    random_state=0,
).fit(X_train, y_train)
print(f"network test accuracy {network.score(X_test, y_test):.4f}")

# %%
# ## The whole figure: five splits
#
# `fyslearn reproduce breast_cancer` fits the same models on every split,
# and scikit-learn's `MLPClassifier` takes the same SGD steps as the network
# ([sklearn_equivalent][fyslearn.nn.sklearn_equivalent]) from its own
# initial weights. The first split's numbers are the ones above.
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# The confusion matrices add the five test sets: most errors are malignant
# tumours classified as benign, the costly mistake for this data. The grid
# on the right is one [fit_many][fyslearn.fit_many] run per split over
# learning rate $\eta$ × L2 penalty $\alpha$: too small an $\eta$ has not
# learnt in 100 epochs, $\eta = 1$ diverges (blank cells) or collapses to
# predicting one class, and a mild penalty helps a little.
for row in experiment.rows(result):
    print(f"{row.quantity}: fyslearn {row.ours}; scikit-learn {row.reference or '-'}")

# %%
# ## Exercises
#
# 1. Train fyslearn's logistic regression with the L1 penalty instead
#    (`penalty="l1"`, the same $\alpha$): how many of the 30 weights end up
#    (nearly) zero?
# 2. Train the logistic regression without scaling the features: what does
#    plain gradient descent at the same learning rate do?
#
# ??? example "Solution 1"
#     ```python
#     from fyslearn.nn import LogisticRegression
#
#     lasso_like = LogisticRegression(
#         penalty="l1", alpha=alpha, learning_rate=0.5, batch_size=None,
#         epochs=config.logistic_epochs, random_state=0,
#     ).fit(X_train, y_train)
#     small = (abs(lasso_like.coefs_[0]) < 1e-2).sum()
#     print(f"{small} of 30 weights below 0.01; test accuracy "
#           f"{lasso_like.score(X_test, y_test):.4f}")
#     ```
#
#     The L1 subgradient pushes every weight towards zero by the same step,
#     so the weakest features drop out.
#
# ??? example "Solution 2"
#     ```python
#     from sklearn.datasets import load_breast_cancer
#
#     from fyslearn.nn import LogisticRegression
#     from fyslearn.optim import DivergenceError
#
#     X_raw, y_raw = load_breast_cancer(return_X_y=True)
#     try:
#         raw = LogisticRegression(
#             learning_rate=0.5, batch_size=None, epochs=50, random_state=0
#         ).fit(X_raw, y_raw)
#         print(f"unscaled: training accuracy {raw.score(X_raw, y_raw):.3f}")
#     except DivergenceError as error:
#         print("unscaled:", error)
#     ```
#
#     Features in the hundreds make the gradient steps hundreds of times too
#     large for this learning rate: training oscillates or diverges.

# %%
# ## Run it yourself
#
# Run as a script, this file shows its figures, or saves them as PNG files
# (into a folder it prints) when matplotlib has no screen (`MPLBACKEND=Agg`).
show_or_save("breast_cancer")
