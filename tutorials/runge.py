r"""
# Beyond the report: Runge's function

From 2022 on, the course warms up on one-dimensional data before the Franke
surface. Runge's function

$$
f(x) = \frac{1}{1 + 25x^2}, \qquad x \in [-1, 1],
$$

is smooth but hard for polynomials: interpolating it at more and more equally
spaced points makes the polynomial swing ever wider near $\pm 1$ (Runge's
phenomenon). [make_runge][fyslearn.datasets.make_runge] samples it with
noise, and [make_polynomial][fyslearn.datasets.make_polynomial] draws the
course's other 1-D set, a second-order polynomial.

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# ## A polynomial first: least squares recovers its coefficients
#
# On $y = 2 + 3x + 4x^2$ plus noise, OLS on the design matrix with columns
# $1, x, x^2$ ([design_matrix][fyslearn.features.design_matrix] of one
# input column) finds the three coefficients to within the noise.
from fyslearn.datasets import make_polynomial
from fyslearn.experiments import quick_mode
from fyslearn.experiments import runge as experiment
from fyslearn.features import design_matrix
from fyslearn.linear_model import OLS

X, y = make_polynomial(200, coefficients=(2.0, 3.0, 4.0), noise=0.1, random_state=0)
print("OLS coefficients:", OLS().fit(design_matrix(X, 2), y).coef_.round(3))

# %%
# ## Runge's function: degree against data
#
# 40 noisy points ($\sigma = 0.1$), 30 for training. OLS and Ridge
# ($\alpha = 10^{-5}$) fit every degree from 1 to 15 in closed form, and a
# 1–32–32–1 tanh network is trained by SGD with momentum. Each model is
# scored on the 10 held-out points, and against $f$ itself on 401 points
# spread over the whole interval, where the oscillations between and beyond
# the training points show. Every curve is the median over five data sets.
config = experiment.Config.quick() if quick_mode() else experiment.Config()
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# Up to degree 6 or so both errors fall; then OLS starts to fit the noise:
# its held-out error rises a little, but its error over the interval grows
# by two orders of magnitude, because the polynomial swings where no training
# point pins it down (the orange curve on the right). Ridge's small penalty
# keeps the coefficients, and the swings, in check. The network never sees
# a polynomial basis: with 32 + 32 tanh units it follows the peak and the
# flat tails and has the lowest error against $f$.
for row in experiment.rows(result):
    print(f"{row.quantity}: {row.ours}")
