r"""
# Figure 4: Ridge regression by SGD

What does the L2 penalty $\lambda\lVert\beta\rVert^2$ do to SGD on the Franke
data? Its gradient adds $2\lambda\beta$ (D2).

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
from fyslearn.experiments import fig4_ridge_sgd as experiment
from fyslearn.experiments._common import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# Small penalties change little; large ones shrink the coefficients towards
# zero and the fit towards a constant.
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}")
