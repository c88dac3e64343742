r"""
# Figure 7: hidden activation and weight initialisation

Which hidden activation trains fastest, and does Glorot initialisation (D11)
help?

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
from fyslearn.experiments import fig7_activations_init as experiment
from fyslearn.experiments import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# Sigmoid layers scale every backpropagated error by at most 1/4 and learn
# slowly; ReLU and leaky ReLU converge quickly.
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}")
