r"""
# Figure 2: activation functions and their slopes

In this tutorial you will learn what each activation of the report does to
its input and how steep it is, and why the steepness decides how fast a
network learns. Backpropagation multiplies the error by the slope
$\sigma'(z)$ at every layer (D4).

Run it as a script with `python fig2_activations.py`; with `FYSLEARN_QUICK=1`
it uses the small settings of the test suite.
"""

# %%
# ## The activations and their derivatives
#
# Every activation in `fyslearn.nn.activations` carries its derivative beside
# it, as `derivative(z)`. We evaluate the four of the report on $[-5, 5]$.
# Leaky ReLU is drawn with slope 0.05 below zero, as in the report's figure,
# so that its slope is visible (training uses 0.01).
import matplotlib.pyplot as plt
import numpy as np

from fyslearn.experiments import fig2_activations as experiment
from fyslearn.experiments import quick_mode, show_or_save
from fyslearn.nn.activations import LeakyReLU, Linear, ReLU, Sigmoid

config = experiment.Config.quick() if quick_mode() else experiment.Config()
z = np.linspace(-5.0, 5.0, config.n_points)  # 501 points; 101 in quick mode
activations = {
    "sigmoid": Sigmoid(),
    "relu": ReLU(),
    "leaky_relu (0.05)": LeakyReLU(negative_slope=0.05),
    "linear": Linear(),
}

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
for name, activation in activations.items():
    left.plot(z, activation(z), label=name)
    right.plot(z, activation.derivative(z), label=name)
left.set(title="activation σ(z)", xlabel="z")
right.set(title="derivative σ'(z)", xlabel="z")
left.legend()
fig.tight_layout()

# %%
# ## What the report claims, and what we see
#
# The sigmoid's slope never exceeds $\sigma'(0) = 1/4$: every sigmoid layer
# shrinks the backpropagated error at least fourfold, which is why the
# sigmoid networks of Figure 7 learn slowly. ReLU passes the error unchanged
# where $z > 0$ and blocks it where $z < 0$; leaky ReLU lets a little through.
largest_sigmoid_slope = float(np.max(activations["sigmoid"].derivative(z)))
print(f"largest sigmoid slope: {largest_sigmoid_slope:.3f}")

# %%
# `fyslearn reproduce fig2` draws the same figure with the experiment module;
# its number is the one above.
result = experiment.run(config)
fig = experiment.plot(result)
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}")

# %%
# ## Exercises
#
# 1. Check numerically that the sigmoid's derivative is $\sigma(1 - \sigma)$
#    (D8): how far apart are the two on the grid?
# 2. A signal backpropagated through five sigmoid layers is scaled by at most
#    how much? Compare with five ReLU layers where $z > 0$.
# 3. Plot leaky ReLU's derivative with the training slope 0.01: can you still
#    see that it is not zero below zero?
#
# ??? example "Solution 1"
#     ```python
#     sigmoid = Sigmoid()
#     gap = np.max(np.abs(sigmoid.derivative(z) - sigmoid(z) * (1 - sigmoid(z))))
#     print(f"largest difference: {gap:.1e}")  # rounding only
#     ```
#
# ??? example "Solution 2"
#     ```python
#     five_sigmoid = largest_sigmoid_slope**5
#     five_relu = 1.0**5
#     print(f"five sigmoid layers: at most {five_sigmoid:.1e}; five ReLU layers: {five_relu}")
#     ```
#
#     About $10^{-3}$: the first layers of a deep sigmoid network hardly move.
#
# ??? example "Solution 3"
#     ```python
#     fig, ax = plt.subplots(figsize=(4.5, 3))
#     ax.plot(z, LeakyReLU(negative_slope=0.01).derivative(z))
#     ax.set(title="leaky ReLU (0.01): derivative", xlabel="z", ylim=(-0.1, 1.1))
#     ```
#
#     The step at zero is plain; the 0.01 below it is hard to tell from zero,
#     which is why the report drew 0.05.

# %%
# ## Run it yourself
#
# Run as a script, this file shows its figures, or saves them as PNG files
# (into a folder it prints) when matplotlib has no screen (`MPLBACKEND=Agg`).
show_or_save("fig2_activations")
