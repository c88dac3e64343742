r"""
# RandomNet: do deeper random networks do better?

Ten networks with random depth (1–10 hidden layers), widths, activations and
initialisers per layer, trained on the Franke data.

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# `MLPRegressor` takes one activation per hidden layer and one initialiser per
# weight layer, which is all RandomNet needs.
from fyslearn.experiments import quick_mode
from fyslearn.experiments import randomnet as experiment

config = experiment.Config.quick() if quick_mode() else experiment.Config()
# The ten trainings are independent: `n_jobs=-1` runs them side by side,
# one per core (the same numbers as in turn).
result = experiment.run(config, n_jobs=1 if quick_mode() else -1)
fig = experiment.plot(result)

# %%
for k, net in enumerate(result.networks):
    print(
        f"#{k}: layers {net['hidden_layer_sizes']}, activations {net['activation']}, "
        f"test MSE {net['mse']:.3f}"
    )
