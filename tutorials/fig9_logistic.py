r"""
# Figure 9: softmax logistic regression on MNIST

Logistic regression is the classifier network with no hidden layer,
$P(y = k \mid x) = \mathrm{softmax}(xW + b)_k$. How does an L2 penalty
$\lambda\lVert W\rVert^2$ change it?

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
from fyslearn.experiments import fig9_logistic as experiment
from fyslearn.experiments import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# A large penalty pins the weights near zero and the accuracy stays flat.
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours}")
