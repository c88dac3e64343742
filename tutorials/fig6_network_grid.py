r"""
# Figure 6: the Franke network over learning rate and L2 penalty

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# Sixteen networks, one per $(\lambda, \eta)$, each trained for 100 epochs and
# scored with the bootstrap protocol.
from fyslearn.experiments import fig6_network_grid as experiment
from fyslearn.experiments import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}")
