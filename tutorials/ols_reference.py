r"""
# The closed-form OLS reference, and why the basis matters

The report's text builds the design matrix from all $x^i y^j$ with
$0 \le i, j \le 14$ (225 columns); its code used total degree $i + j \le 14$
(120 columns). Which one produced the reference MSE of 0.046?

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# `OLS` solves least squares through the SVD (never an explicit inverse), and
# records the singular values, whose ratio is the condition number of $X$.
from fyslearn.experiments import ols_reference as experiment
from fyslearn.experiments import quick_mode

config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# The tensor basis contains monomials up to degree 28. On 750 points their
# columns are nearly dependent (condition numbers beyond $10^{15}$), and the
# least-squares fit chases the noise: its test MSE swings by orders of
# magnitude from seed to seed. The total-degree basis behaves.
for row in experiment.rows(result):
    print(f"{row.quantity}: report {row.report}, fyslearn {row.ours or row.reference}")
