r"""
# Beyond the report: terrain

In this tutorial you will learn what changes when OLS, Ridge, SGD and a
network meet real data instead of the Franke function: scaling, choosing the
degree by cross-validation and the bootstrap, why a condition number decides
whether two least-squares codes agree, and why a held-out region is a harder
test than held-out random points.

From 2020 to 2024 the course's regression project runs on real terrain: a
digital elevation model (DEM), heights on a grid of 3 arc-seconds (about
90 m). One such DEM ships with matplotlib, so nothing is downloaded:
[load_terrain][fyslearn.datasets.load_terrain] reads its sample file
`jacksboro_fault_dem.npz` (US Geological Survey, public domain, 344 × 403
heights around the Jacksboro fault in Tennessee, 236–1076 m).

What changes from the Franke function:

* **No noise-free truth.** On the Franke data the test MSE is the noise
  variance (0.04) plus an *excess* error against the known function. A
  terrain has no formula behind it: the measured heights are all we have,
  and no part of the test error can be called noise with certainty.
* **Scaling matters.** Longitude, latitude and metres are on scales where
  $x^{15}$ spans hundreds of orders of magnitude; the course scales the
  coordinates to $[0, 1]$ and standardises the heights (mean 0, standard
  deviation 1). Every MSE below is in those units; times $s_h^2$ it is m².
* **Where the test points lie.** Random test points sit between training
  points; a held-out *region* asks the model to extrapolate, and a
  polynomial does that very badly.

Set `FYSLEARN_QUICK=1` to run with the small test settings.
"""

# %%
# ## The data: a patch, subsampled and scaled
#
# The experiment cuts rows and columns 150–300 of the grid and keeps every
# 5th point: 30 × 30 = 900 heights spaced about 370 m (east–west) and 460 m
# (north–south) apart. `load_terrain` returns `(X, y)` ready for
# [design_matrix][fyslearn.features.design_matrix], with the numbers to go
# back to metres.
import numpy as np
import scipy.linalg
from sklearn.linear_model import LinearRegression

from fyslearn.datasets import load_terrain
from fyslearn.experiments import quick_mode, show_or_save
from fyslearn.experiments import terrain as experiment
from fyslearn.features import design_matrix
from fyslearn.linear_model import OLS

config = experiment.Config.quick() if quick_mode() else experiment.Config()
data = load_terrain(rows=config.rows, cols=config.cols, stride=config.stride)
X, y = data
print(f"X {X.shape} in [{X.min():.0f}, {X.max():.0f}], grid {data.shape}")
print(f"heights: mean {data.height_mean:.0f} m, standard deviation {data.height_std:.0f} m")
X_train, X_test, y_train, y_test = experiment.random_split(config, data)

# %%
# ## One fit, three least-squares codes
#
# OLS of degree 5 on the total-degree basis (21 coefficients), in closed
# form. fyslearn's [OLS][fyslearn.linear_model.OLS] solves it through the
# SVD of the design matrix; LAPACK's least squares (`scipy.linalg.lstsq`)
# does the same by another route, and scikit-learn's `LinearRegression`
# too, but it drops every singular value below `tol` (default $10^{-6}$)
# times the largest.
degree = config.sgd_degree
D_train = design_matrix(X_train, degree, "total")
ols = OLS().fit(D_train, y_train)
reference = scipy.linalg.lstsq(D_train, y_train)[0]
kappa = ols.singular_values_[0] / ols.singular_values_[-1]
difference = np.linalg.norm(ols.coef_ - reference) / np.linalg.norm(reference)
print(f"degree {degree}: condition number {kappa:.1e}, relative difference {difference:.1e}")

# %%
# The condition number $\kappa(X) = s_{max}/s_{min}$ grows about sixfold per
# degree on $[0, 1]^2$: the monomials $x^i y^j$ of high degree look more and
# more alike. Beyond $\kappa = 10^6$ (degree 9 here), `LinearRegression()`
# throws away the smallest singular directions and fits a different, worse
# model: a larger residual sum of squares, at degree 9 and more so at the
# highest degree. With `tol` small it agrees with the others again.
for high in (9, config.degrees[-1]):
    D_high = design_matrix(X_train, high, "total")
    fit = OLS().fit(D_high, y_train)
    for name, model in (
        ("fyslearn OLS", fit),
        ("LinearRegression()", LinearRegression(fit_intercept=False).fit(D_high, y_train)),
        (
            "LinearRegression(tol=1e-15)",
            LinearRegression(fit_intercept=False, tol=1e-15).fit(D_high, y_train),
        ),
    ):
        rss = np.sum((model.predict(D_high) - y_train) ** 2)
        print(f"degree {high:2d}, {name:<28} residual sum of squares {rss:.4f}")

# %%
# ## Degree, penalty, bias and variance
#
# The experiment fits OLS and Ridge at every degree from 1 to 15, scores
# them on the held-out points and by 5-fold cross-validation (scikit-learn's
# `KFold`) on the training points, refits each degree on 50 bootstrap
# resamples for the bias–variance split, fills a grid of degree × $\lambda$,
# and compares every closed-form fit with the references. It then fits
# degree 5 by SGD, momentum and Adam, an L1 penalty by SGD against
# scikit-learn's `Lasso`, and a 2–64–64–1 network against scikit-learn's.
result = experiment.run(config)
fig = experiment.plot(result)

# %%
# **The maps** (top row): the Ridge polynomial of lowest cross-validation
# error over degree × $\lambda$ (degree 10 with the smallest $\lambda$ of the
# grid, $10^{-12}$: almost OLS) follows the ridges and valleys at the scale
# of kilometres; the residuals, up to about 200 m, are the narrow valleys
# and spurs it cannot bend into.
#
# **Bias and variance** (middle): up to degree 9 or 10 the bootstrap error
# falls with the bias²; beyond, the variance of OLS grows fiftyfold by
# degree 15: with 720 training points and up to 136 coefficients each
# resample gives a different polynomial. Ridge's small penalty keeps the
# variance below 0.03. On real data "bias²" is everything the model family
# misses, measurement error included; there is no noise floor to subtract.
# Five folds are few: the CV curve of OLS jumps from degree to degree, and
# the OLS degree it picks (15, by a hair over 13) carries that noise; the
# bootstrap's spread of the test MSE (± 0.14 at degree 15) shows it too.
#
# **Conditioning** (bottom left): fyslearn's coefficients equal LAPACK's and
# scikit-learn's to $10^{-12}$ (relative) or better at every degree where
# $\kappa(X) \le 10^8$, and, on this patch, up to degree 15
# ($\kappa \approx 3\cdot10^{11}$) as well: all three take the SVD and keep
# every singular value above $\max(n, p)\,\epsilon\, s_{max}$. They need not
# agree beyond that: a change of the data in the 16th digit can move the
# coefficients by $\kappa\epsilon$, and past $\kappa \approx 1/(n\epsilon)$
# (degree 16 and up on the whole grid at stride 4) each code's cutoff decides which
# singular directions survive. The Ridge solution by Cholesky factorisation
# of $X^TX + n\lambda I$ differs by about $10^{-10}$, the price of squaring
# $\kappa$; `LinearRegression()` departs from degree 9, where $\kappa$
# passes $10^6$.
#
# **Random points against a region** (bottom right): trained on the western
# three quarters, the same OLS polynomial is off by many orders of magnitude
# on the eastern quarter, while the network stays within a few times its
# random-point error.
for row in experiment.rows(result):
    sklearn = f" (scikit-learn {row.reference})" if row.reference else ""
    print(f"{row.quantity}: {row.ours}{sklearn}")
well = experiment.well_conditioned(result)
print(f"well conditioned (κ ≤ 1e8): degrees {well[0]}–{well[-1]}")

# %%
# ## Exercises
#
# 1. Perturb the training heights by one part in $10^{12}$ and refit OLS at
#    the highest degree: by how much do the coefficients move, compared with
#    $\kappa(X) \cdot 10^{-12}$? And the fitted values?
# 2. Choose a different patch (say rows 0–120, columns 200–320, stride 4)
#    with `load_terrain`, and find the degree of lowest test MSE of OLS.
#    Does the experiment's degree carry over?
# 3. Give `load_terrain` a patch too small for degree 15 (`min_points`):
#    what does it say?
#
# ??? example "Solution 1"
#     ```python
#     rng = np.random.default_rng(0)
#     top = config.degrees[-1]
#     D_top = design_matrix(X_train, top, "total")
#     before = OLS().fit(D_top, y_train)
#     after = OLS().fit(D_top, y_train * (1 + 1e-12 * rng.standard_normal(len(y_train))))
#     kappa_top = before.singular_values_[0] / before.singular_values_[-1]
#     moved = np.linalg.norm(after.coef_ - before.coef_) / np.linalg.norm(before.coef_)
#     fitted = np.linalg.norm(D_top @ (after.coef_ - before.coef_)) / np.linalg.norm(
#         D_top @ before.coef_
#     )
#     print(f"κ·1e-12 = {kappa_top * 1e-12:.1e}; coefficients moved {moved:.1e}")
#     print(f"fitted values moved {fitted:.1e}")
#     ```
#
#     The coefficients move by up to $\kappa$ times the perturbation (at the
#     highest degree, many orders of magnitude more than the perturbation),
#     the fitted values by about the perturbation itself: an ill-conditioned
#     problem has unstable coefficients but a stable fit.
#
# ??? example "Solution 2"
#     ```python
#     from sklearn.model_selection import train_test_split
#
#     other = load_terrain(rows=(0, 120), cols=(200, 320), stride=4)
#     A_train, A_test, b_train, b_test = train_test_split(
#         other.X, other.y, test_size=0.2, random_state=0
#     )
#     errors = {}
#     for p in range(1, 16):
#         model = OLS().fit(design_matrix(A_train, p, "total"), b_train)
#         prediction = model.predict(design_matrix(A_test, p, "total"))
#         errors[p] = np.mean((prediction - b_test) ** 2)
#     best = min(errors, key=errors.get)
#     print(f"best degree {best}: test MSE {errors[best]:.3f}")
#     ```
#
#     Each patch has its own best degree: how rough the terrain is on the
#     scale of the patch decides it, so the degree is chosen again on new data.
#
# ??? example "Solution 3"
#     ```python
#     from fyslearn.features import n_monomials
#
#     try:
#         load_terrain(rows=(0, 20), cols=(0, 20), stride=2, min_points=n_monomials(15, "total"))
#     except ValueError as error:
#         print(error)
#     ```
#
#     A 10 × 10 patch has 100 points, fewer than the 136 coefficients of
#     degree 15: least squares would have no unique solution, and the loader
#     refuses before reading the file.

# %%
# ## Run it yourself
#
# Run as a script, this file shows its figures, or saves them as PNG files
# (into a folder it prints) when matplotlib has no screen (`MPLBACKEND=Agg`).
show_or_save("terrain")
