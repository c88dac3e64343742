r"""
# Figure 5: a neural network on the Franke data

Does our backpropagation train like a reference implementation? The report
compared with TensorFlow; we compare with scikit-learn's `MLPRegressor`,
configured with the same architecture and SGD settings.

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# The network is 2–128–1: ReLU hidden layer, linear output, kernels
# $\mathcal N(0, 0.05^2)$, SGD with $\eta = 10^{-3}$ and batch 10.
# `fyslearn.nn.sklearn_equivalent` maps the loss conventions (scikit-learn
# halves the squared error, so its learning rate is doubled).
from fyslearn.experiments import fig5_franke_network as experiment
from fyslearn.experiments import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# The two test curves follow each other; they differ only through their
# random starts and shuffling orders.
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}, scikit-learn {row.reference}")
