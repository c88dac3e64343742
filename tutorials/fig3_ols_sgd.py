r"""
# Figure 3: ordinary least squares by SGD

How do the learning rate, the batch size and the report's learning-rate decay
$\eta(e) = \eta_0/(e\,m + 1)$ affect SGD on a degree-14 polynomial model of
the Franke data?

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# `SGDRegressor` minimises $\frac1n\lVert y - X\beta\rVert^2$ with the gradient
# $\frac2n X^T(X\beta - y)$ of each mini-batch (D1). Every cell of the grid is
# one fit, scored by the bootstrap protocol of the report (100 resamples of the
# test set). Diverged fits are marked rather than hidden.
from fyslearn.experiments import fig3_ols_sgd as experiment
from fyslearn.experiments import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# Small batches and larger learning rates do best within 100 epochs. The decay
# divides the rate by $m + 1$ after the first epoch ($m$ = mini-batches per
# epoch, 75 for batch 10), so the decayed runs barely move after epoch one.
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}")
