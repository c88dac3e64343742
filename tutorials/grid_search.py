r"""
# Hyper-parameter search with GridSearchCV, here and on a Dask cluster

Figure 6 of the report scans the learning rate and the L2 penalty of the
Franke network. fyslearn's estimators are scikit-learn estimators, so
scikit-learn's `GridSearchCV` can do that scan over $(\eta, \alpha)$ with
cross-validation, and its `n_jobs` spreads the fits over worker processes
through joblib. Under joblib's Dask backend the same fits run on the workers
of a Dask cluster, with the same numbers: every fit seeds its own
generators.

The Dask part needs the `cluster` extra (`pip install 'fyslearn[cluster]'`)
and is skipped without it. Set `FYSLEARN_QUICK=1` to run with small settings.
"""

# %%
# The data and the network: the report's Franke set (1000 points, noise 0.2,
# a quarter held out for the test), inputs centred, and the 2–128–1 network
# with ReLU, batch 10 and plain SGD.
import importlib.util

import matplotlib.pyplot as plt
import numpy as np
from joblib import parallel_config
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import GridSearchCV, train_test_split

from fyslearn.datasets import make_franke
from fyslearn.experiments import quick_mode, show_or_save
from fyslearn.nn import MLPRegressor

quick = quick_mode()
X, y = make_franke(300 if quick else 1000, noise=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
centre = X_train.mean()
X_train, X_test = X_train - centre, X_test - centre

network = MLPRegressor(
    hidden_layer_sizes=(128,), batch_size=10, epochs=5 if quick else 50, random_state=0
)
grid = {
    "learning_rate": [1e-3, 1e-2] if quick else [3e-4, 1e-3, 3e-3, 1e-2],
    "alpha": [0.0, 1e-2] if quick else [0.0, 1e-4, 1e-3, 1e-2, 1e-1],
}

# %%
# On this machine: every $(\eta, \alpha)$ pair is fitted on 3 folds, one fit
# per task, two worker processes at a time. `refit=True` (the default) then
# trains the best pair on the whole training set.
search = GridSearchCV(network, grid, cv=3, scoring="neg_mean_squared_error", n_jobs=2)
search.fit(X_train, y_train)
cv_mse = -search.cv_results_["mean_test_score"]
test_mse = mean_squared_error(y_test, search.predict(X_test))
print(f"best: {search.best_params_}, cross-validated MSE {-search.best_score_:.4f}")
print(f"test MSE of the refitted best network: {test_mse:.4f}")

# %%
# The mean cross-validated MSE of every pair. `cv_results_` lists the pairs
# with the parameter names sorted and the last one (`learning_rate`) varying
# fastest, so the scores fold into a penalty × learning rate table.
table = cv_mse.reshape(len(grid["alpha"]), len(grid["learning_rate"])).T
fig, ax = plt.subplots(figsize=(6, 4))
image = ax.imshow(table, cmap="viridis_r")
ax.set_xticks(range(len(grid["alpha"])), [f"{a:g}" for a in grid["alpha"]])
ax.set_yticks(range(len(grid["learning_rate"])), [f"{r:g}" for r in grid["learning_rate"]])
ax.set_xlabel(r"L2 penalty $\alpha$")
ax.set_ylabel(r"learning rate $\eta$")
for (row, column), value in np.ndenumerate(table):
    ax.text(column, row, f"{value:.3f}", ha="center", va="center", color="white", fontsize=8)
fig.colorbar(image, label="cross-validated MSE")
ax.set_title("GridSearchCV over the Franke network")
fig.tight_layout()

# %%
# On a Dask cluster: connect a `distributed.Client` to the scheduler and run
# the same search inside `parallel_config(backend="dask")`; `n_jobs=-1` then
# means every thread of the cluster. On a real cluster the client takes the
# scheduler's address, `Client("tcp://10.0.0.5:8786")`; here a `LocalCluster`
# of two workers inside this process stands in for one. The pooled trainings
# of `fyslearn reproduce` go the same way:
# `fyslearn reproduce --backend dask --scheduler tcp://10.0.0.5:8786`.
if importlib.util.find_spec("distributed") is None:
    print("distributed is not installed: pip install 'fyslearn[cluster]' to run this part")
else:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster),
        parallel_config(backend="dask"),
    ):
        on_cluster = GridSearchCV(network, grid, cv=3, scoring="neg_mean_squared_error", n_jobs=-1)
        on_cluster.fit(X_train, y_train)
    same = np.array_equal(on_cluster.cv_results_["mean_test_score"], -cv_mse)
    print(f"best on the cluster: {on_cluster.best_params_}; every score identical: {same}")

# %%
# ## Run it yourself
#
# Run as a script, this file shows its figures, or saves them as PNG files
# (into a folder it prints) when matplotlib has no screen (`MPLBACKEND=Agg`).
show_or_save("grid_search")
