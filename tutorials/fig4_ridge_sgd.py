r"""
# Figure 4: Ridge regression by SGD

What does the L2 penalty $\lambda\lVert\beta\rVert^2$ (`alpha` in fyslearn, see
the [glossary](../../glossary.md)) do to SGD on the Franke data? Its gradient
adds $2\lambda\beta$ (D2).

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
import time

import numpy as np

from fyslearn import fit_many
from fyslearn.datasets import franke_split
from fyslearn.experiments import fig4_ridge_sgd as experiment
from fyslearn.experiments import quick_mode
from fyslearn.features import design_matrix
from fyslearn.linear_model import SGDRegressor

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# Small penalties change little; large ones shrink the coefficients towards
# zero and the fit towards a constant.
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}")

# %%
# ## The whole grid in one run
#
# The models of the grid share their seed, hence their starting point and
# their shuffling order. `fit_many` keeps their coefficients as the columns of
# one matrix $B = [\beta_1 \cdots \beta_M]$, so one SGD step of all of them is
# two matrix products,
#
# $$G = \frac{2}{m} X_B^T \left(X_B B - y_B \mathbf{1}^T\right) + 2 B\,\mathrm{diag}(\lambda),$$
#
# instead of $2M$ matrix-vector products. Each column keeps its own $\lambda$
# and learning rate, and ends where its own `fit` would (this is how
# `experiment.run` trains the grid):
split = franke_split(config.seed, centring=config.centring)
D_train = design_matrix(split.X_train, config.degree, config.basis)


def grid() -> list[SGDRegressor]:
    return [
        SGDRegressor(alpha=alpha, learning_rate=rate, epochs=20, random_state=config.seed)
        for alpha in config.alphas
        for rate in config.learning_rates
    ]


start = time.perf_counter()
alone = [model.fit(D_train, split.y_train) for model in grid()]
one_by_one = time.perf_counter() - start
start = time.perf_counter()
together = fit_many(grid(), D_train, split.y_train)
at_once = time.perf_counter() - start
difference = max(np.max(np.abs(a.coef_ - b.coef_)) for a, b in zip(alone, together, strict=True))
print(f"{len(alone)} models: one by one {one_by_one:.3f} s, at once {at_once:.3f} s")
print(f"largest difference between their coefficients: {difference:.1e}")
