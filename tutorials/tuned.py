r"""
# Beyond the report: the same models, tuned

The report's numbers are a floor. Keeping each architecture and changing only
the optimiser (learning rate, momentum D9, epochs), how far do they go?

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
from fyslearn.experiments import quick_mode
from fyslearn.experiments import tuned as experiment

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# On the Franke data the noise alone costs 0.04 of test MSE; the excess error
# against the noise-free function is what a better model could still remove.
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}")
