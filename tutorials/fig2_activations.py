r"""
# Figure 2: activation functions and their slopes

What does each activation do to its input, and how steep is it? The slope is
what backpropagation multiplies by at every layer (D4), so a flat activation
means small gradients and slow learning.

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# Each activation in `fyslearn.nn.activations` carries its derivative beside
# it. The experiment evaluates both on $[-5, 5]$; leaky ReLU is drawn with
# slope 0.05 below zero (as in the report's figure) so the slope is visible.
from fyslearn.experiments import fig2_activations as experiment
from fyslearn.experiments import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# The sigmoid's slope never exceeds $\sigma'(0) = 1/4$: every sigmoid layer
# shrinks the gradient at least fourfold, which is why the sigmoid networks of
# Figure 7 learn slowly. ReLU passes gradients unchanged where $z > 0$.
for row in experiment.rows(result):
    print(f"{row.quantity}: {row.ours}")
