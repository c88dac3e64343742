"""Closed-form OLS and Ridge on the Franke data, averaged over seeds, next to the report.

Prints, for both polynomial bases at the report's degree 14 (and a low degree
for contrast), the mean ± standard deviation over 20 seeds of

* the test MSE against the noisy targets (the report's number, 0.046), and
* the excess error: the MSE against the noise-free Franke function, i.e. how
  far the fit is from the truth; the noisy test MSE is about this plus the
  noise variance 0.04.

Run: ``python benchmarks/franke_closed_form.py [--seeds 20]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.model_selection import train_test_split

from fyslearn.datasets import franke, make_franke
from fyslearn.features import design_matrix
from fyslearn.linear_model import OLS, Ridge

REPORT_OLS_MSE = 0.046


def scores(model, degree: int, basis: str, seed: int) -> tuple[float, float]:
    """Test MSE and excess error of one fit on the report's split (inputs centred)."""
    X, y = make_franke(1000, noise=0.2, random_state=seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed)
    centre = X_train.mean()  # the report's code subtracts one scalar mean
    model.fit(design_matrix(X_train - centre, degree, basis), y_train)
    prediction = model.predict(design_matrix(X_test - centre, degree, basis))
    truth = franke(X_test[:, 0], X_test[:, 1])
    return float(np.mean((prediction - y_test) ** 2)), float(np.mean((prediction - truth) ** 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    seeds = range(parser.parse_args().seeds)
    print(f"Franke, 1000 points, noise 0.2, 75/25 split, {len(seeds)} seeds (mean ± std)")
    print(f"report's closed-form OLS (total degree 14): test MSE {REPORT_OLS_MSE}\n")
    print(f"{'model':<30}{'test MSE':>22}{'excess error':>22}")
    for degree in (14, 5):
        for basis in ("total", "tensor"):
            for make_model, label in ((OLS, "OLS"), (lambda: Ridge(alpha=1e-6), "Ridge 1e-6")):
                results = np.array([scores(make_model(), degree, basis, s) for s in seeds])
                mean, std = results.mean(axis=0), results.std(axis=0)  # columns: MSE, excess
                name = f"{label}, {basis}, p={degree}"
                print(
                    f"{name:<30}{mean[0]:>12.4g} ± {std[0]:<8.2g}{mean[1]:>12.4g} ± {std[1]:<8.2g}"
                )


if __name__ == "__main__":
    main()
