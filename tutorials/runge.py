r"""
# Beyond the report: Runge's function

In this tutorial you will learn why polynomials of growing degree fit Runge's
function worse and worse at the ends of the interval, how a Ridge penalty
tames them, and how a small network does without a polynomial basis.

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
from fyslearn.experiments import quick_mode, show_or_save
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

# %%
# ## Exercises
#
# 1. Fit the second-order polynomial of the first cell with a degree-10
#    design matrix: what happens to the extra coefficients?
# 2. Draw Runge data with ten times more points: does OLS of degree 15 still
#    swing at the ends?
#
# ??? example "Solution 1"
#     ```python
#     coefficients = OLS().fit(design_matrix(X, 10), y).coef_
#     print("degree 10:", coefficients.round(2))
#     ```
#
#     The first three stay near 2, 3 and 4; the others fit the noise, some
#     of them with large opposite signs that cancel on the data.
#
# ??? example "Solution 2"
#     ```python
#     import numpy as np
#
#     from fyslearn.datasets import make_runge, runge
#
#     X_many, y_many = make_runge(400, noise=0.1, random_state=1)
#     fit = OLS().fit(design_matrix(X_many, 15), y_many)
#     grid = np.linspace(-1, 1, 401)[:, None]
#     error = np.mean((fit.predict(design_matrix(grid, 15)) - runge(grid[:, 0])) ** 2)
#     print(f"400 points, degree 15: MSE against f {error:.4f}")
#     ```
#
#     Ten times more points pin the polynomial down near the ends as well.

# %%
# ## Run it yourself
#
# Run as a script, this file shows its figures, or saves them as PNG files
# (into a folder it prints) when matplotlib has no screen (`MPLBACKEND=Agg`).
show_or_save("runge")
