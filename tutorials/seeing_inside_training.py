r"""
Seeing training from inside: the vanishing gradient in numbers
==============================================================

Figure 7 of the report shows that a sigmoid network fits the Franke data
much more slowly than a ReLU network, and the report explains it by the
sigmoid's small slope. In this tutorial you will *measure* that explanation:
fyslearn records, after every epoch, per-layer statistics of the
activations, of the weight gradients and of the relative size of each
epoch's update, and we compare a sigmoid and a ReLU network at the report's
Figure 7 settings (2–128–1, learning rate $10^{-3}$, batch 10, kernels
$\mathcal N(0, 0.05^2)$), then in a deeper network where the effect compounds.
"""

# %%
# The data and the two networks
# -----------------------------
# The report's Franke split; `diagnostics=[...]` asks the estimator to record
# the statistics (see `fyslearn.nn.diagnostics` for their definitions).
import matplotlib.pyplot as plt
import numpy as np

from fyslearn.datasets import franke_split
from fyslearn.experiments import quick_mode, show_or_save
from fyslearn.nn import MLPRegressor

EPOCHS = 10 if quick_mode() else 500  # the report trains 500 epochs
STATISTICS = ["activation_mean", "activation_std", "gradient_std", "update_ratio"]
split = franke_split(seed=0)


def network(activation, hidden_layer_sizes=(128,), kernel_init="normal"):
    """The report's Figure 7 network, with the statistics recorded."""
    return MLPRegressor(
        hidden_layer_sizes=hidden_layer_sizes,
        activation=activation,
        kernel_init=kernel_init,
        learning_rate=1e-3,
        batch_size=10,
        epochs=EPOCHS,
        random_state=0,
        diagnostics=STATISTICS,
    )


models = {name: network(name).fit(split.X_train, split.y_train) for name in ("sigmoid", "relu")}

# %%
# The hidden layer, epoch by epoch
# --------------------------------
# A sigmoid's activations start near $\sigma(0) = 1/2$ and barely spread; its
# slope is at most $1/4$ there, so every gradient that flows back through it
# is divided by at least four. ReLU passes the error through unchanged where
# it is active. The update-to-weight ratio $\lVert\Delta W\rVert/\lVert W\rVert$
# says how much an epoch actually changes each layer.
figure, axes = plt.subplots(1, 3, figsize=(12, 3.5))
for name, model in models.items():
    diagnostics = model.diagnostics_
    epochs = np.arange(1, model.n_iter_ + 1)
    axes[0].plot(epochs, diagnostics["activation_std"][:, 0], label=name)
    axes[1].semilogy(epochs, diagnostics["gradient_std"][:, 0], label=name)
    axes[2].semilogy(epochs, diagnostics["update_ratio"][:, 0], label=name)
for ax, title in zip(
    axes, ["std of hidden activations", "std of ∂C/∂W¹", "‖ΔW¹‖ / ‖W¹‖ per epoch"], strict=True
):
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.legend()
figure.tight_layout()

for name, model in models.items():
    ratio = model.diagnostics_["gradient_std"][-1, 0]
    print(f"{name:8s} std of the hidden kernel's gradient after the last epoch: {ratio:.2e}")

# %%
# Four hidden layers: the effect compounds
# ----------------------------------------
# With several sigmoid layers each one multiplies the backpropagated error by
# $\sigma'(z) \le 1/4$ (D4), so the gradient shrinks layer by layer towards the
# input: the early layers hardly learn. Glorot initialisation is used here so
# that the ReLU network is not limited by its start.
deep = {
    name: network(name, (32, 32, 32, 32), "glorot_uniform").fit(split.X_train, split.y_train)
    for name in ("sigmoid", "relu")
}
figure, ax = plt.subplots(figsize=(6, 3.5))
for name, model in deep.items():
    ax.semilogy(range(1, 6), model.diagnostics_["gradient_std"][-1], "o-", label=name)
    layers = model.diagnostics_["gradient_std"][-1]
    print(f"{name:8s} gradient std by layer (input → output):", [f"{v:.1e}" for v in layers])
ax.set_xticks(range(1, 6), ["W¹", "W²", "W³", "W⁴", "W⁵ (output)"])
ax.set_ylabel("std of ∂C/∂W after training")
ax.legend()
figure.tight_layout()

# %%
# Exercises
# ---------
# 1. Record `activation_mean` of the deep sigmoid network: where do its
#    activations sit, and what does that say about $\sigma'(z)$ there?
# 2. Swap the deep network's activation to `"tanh"` (slope 1 at 0): does its
#    gradient still vanish? Compare the second and the fourth layer.
#
# ??? example "Solution to 2"
#     ```python
#     tanh = network("tanh", (32, 32, 32, 32), "glorot_uniform").fit(split.X_train, split.y_train)
#     std = tanh.diagnostics_["gradient_std"][-1]
#     print("tanh, second / fourth layer:", std[1] / std[3])
#     ```

# %%
# ## Run it yourself
#
# Run as a script, this file shows its figures, or saves them as PNG files
# (into a folder it prints) when matplotlib has no screen (`MPLBACKEND=Agg`).
show_or_save("seeing_inside_training")
