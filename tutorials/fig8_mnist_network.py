r"""
# Figure 8: a neural network on MNIST

A 784–128–10 network with a softmax output, trained on the 60 000 MNIST
training digits with cross-entropy, whose output error is simply
$\delta = a - y$ (D7).

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# `load_mnist` reads the IDX files shipped with fyslearn (no download) and
# checks their checksums; `MLPClassifier` records train and test loss and
# accuracy after every epoch. scikit-learn's `MLPClassifier` with the same
# SGD settings is the reference curve.
from fyslearn.experiments import fig8_mnist_network as experiment
from fyslearn.experiments import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
# fyslearn's training and scikit-learn's are independent: `n_jobs=-1` runs
# them side by side, one per core.
result = experiment.run(config, n_jobs=1 if quick_mode() else -1)
fig = experiment.plot(result)

# %%
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}, scikit-learn {row.reference}")
