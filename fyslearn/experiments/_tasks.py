"""Independent pieces of the experiments, run in turn or on every core.

Most experiments train several models that never look at each other: the
four penalties of Figure 9, the ten networks of RandomNet, fyslearn's network
and scikit-learn's reference in Figures 5 and 8. Such an experiment lists them
as [Task][fyslearn.experiments.Task] objects (`tasks(config)`) and builds its result from their
outputs (`assemble(config, outputs)`). Its `run(config, n_jobs)` is then
just [run_tasks][fyslearn.experiments.run_tasks] followed by `assemble`, and `fyslearn reproduce`
can pool the tasks of *all* experiments and keep every core busy until the
last one is done ([run_plans][fyslearn.experiments.run_plans]), starting the longest tasks first.

Every task seeds its own generators, so a task computes the same numbers in a
worker process as in turn. The one exception is float32 work whose matrix
products BLAS splits over a different number of threads: the sums are then
added in another order, and MNIST curves can differ in their last digits.

The workers are joblib's (through `sklearn.utils.parallel`), so where they
run is joblib's choice: local processes (`loky`, the default), or the
workers of a Dask cluster inside [parallel_backend][fyslearn.experiments._tasks.parallel_backend]
(`fyslearn reproduce --backend dask --scheduler ADDRESS`), or whatever an
enclosing `joblib.parallel_config(backend=...)` chooses:

```python
from distributed import Client
from joblib import parallel_config

from fyslearn.experiments import run_experiment

with Client("tcp://scheduler:8786"), parallel_config(backend="dask"):
    result = run_experiment("fig6", n_jobs=-1)  # every thread of the cluster
```
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from joblib import parallel_config
from sklearn.utils.parallel import Parallel, delayed

from ..optim import ConvergenceWarning

__all__ = [
    "BACKENDS",
    "BackendError",
    "Plan",
    "Task",
    "merge_outputs",
    "parallel_backend",
    "run_plans",
    "run_tasks",
]

#: Where pooled tasks can run: `loky`, worker processes on this machine; `dask`, a Dask cluster.
BACKENDS = ("loky", "dask")

#: Seconds to wait for a Dask scheduler before giving up.
CONNECT_TIMEOUT = 5.0

CLUSTER_EXTRA = "pip install 'fyslearn[cluster]'"


@dataclass(frozen=True)
class Task:
    """One independent piece of work, `function(*args)`.

    Attributes:
        function: A module-level function (worker processes must be able to import it).
        args: Its arguments.
        cost: Rough seconds it takes at the report's settings, so that the
            scheduler can start the longest tasks first; only the order matters.
    """

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    cost: float = 1.0

    def __call__(self) -> Any:
        return self.function(*self.args)


@dataclass(frozen=True)
class Plan:
    """An experiment split into tasks, and how to build its result from their outputs."""

    name: str
    tasks: Sequence[Task]
    assemble: Callable[[Sequence[Any]], dict[str, Any]]


def merge_outputs(outputs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One result from tasks that each return some of its entries."""
    return {key: value for output in outputs for key, value in output.items()}


def _timed(key: tuple[str, int], task: Task) -> tuple[tuple[str, int], float, Any, int]:
    """Run `task`: its key, seconds, output, and how many fits in it ended unconverged.

    The experiments train at the report's settings, often deliberately short;
    each fit that ends with its loss still falling would warn
    ([ConvergenceWarning][fyslearn.optim.ConvergenceWarning]). They are
    counted here instead, and [run_plans][fyslearn.experiments.run_plans]
    says so in one line per experiment.
    """
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        output = task()
    unconverged = 0
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            unconverged += str(warning.message).count("Training ended while")
        else:  # not ours to silence: pass it on as it was
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return key, time.perf_counter() - start, output, unconverged


def unconverged_note(name: str, count: int) -> str:
    """The line that says how many fits of experiment `name` ended unconverged."""
    fits = "fit" if count == 1 else "fits"
    return (
        f"{name}: {count} {fits} ended with the training loss still falling (the experiment's "
        "settings, kept as they are; more epochs would lower the loss)."
    )


def run_tasks(tasks: Sequence[Task], n_jobs: int | None = 1) -> list[Any]:
    """The outputs of `tasks`, in their order.

    Args:
        tasks: Independent pieces of work.
        n_jobs: Worker processes; 1 (or `None`) runs in turn here, -1 uses every core.
    """
    plan = Plan("tasks", tasks, list)
    (result,) = (result for _, result, _ in run_plans([plan], n_jobs))
    return result


def run_plans(plans: Sequence[Plan], n_jobs: int | None = 1) -> Iterator[tuple[str, Any, float]]:
    """Run the tasks of all plans; yield `(name, result, seconds)` as each plan completes.

    `seconds` is the time spent in the plan's tasks, summed over workers. In
    turn (`n_jobs` 1), plans run one after the other in the given order; with
    workers, all tasks are pooled and the costliest start first, so that no
    core is left idle while one long task finishes. Fits that end with their
    loss still falling are counted, not warned about one by one: one line on
    stderr per plan says how many (`unconverged_note`).
    """
    keyed = [((plan.name, i), task) for plan in plans for i, task in enumerate(plan.tasks)]
    if n_jobs in (None, 1):
        outputs = (_timed(key, task) for key, task in keyed)
    else:
        keyed.sort(key=lambda item: -item[1].cost)
        outputs = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            delayed(_timed)(key, task) for key, task in keyed
        )
    by_name = {plan.name: plan for plan in plans}
    done: dict[str, dict[int, Any]] = {plan.name: {} for plan in plans}
    seconds = dict.fromkeys(by_name, 0.0)
    unconverged = dict.fromkeys(by_name, 0)
    for (name, index), elapsed, output, count in outputs:
        done[name][index] = output
        seconds[name] += elapsed
        unconverged[name] += count
        plan = by_name[name]
        if len(done[name]) == len(plan.tasks):
            ordered = [done[name][i] for i in range(len(plan.tasks))]
            if unconverged[name]:
                print(unconverged_note(name, unconverged[name]), file=sys.stderr, flush=True)
            yield name, plan.assemble(ordered), seconds[name]


class BackendError(RuntimeError):
    """A backend that cannot be used: its extra is missing, or its scheduler is unreachable."""


@contextmanager
def parallel_backend(
    name: str = "loky", scheduler: str | None = None, timeout: float = CONNECT_TIMEOUT
) -> Iterator[None]:
    """Run the tasks of [run_plans][fyslearn.experiments._tasks.run_plans] on a backend.

    Inside the block, every joblib `Parallel` (the pooled tasks, and
    scikit-learn's `n_jobs`, as in `GridSearchCV`) uses the backend. Results
    are those of a local run: every task seeds its own generators.

    Args:
        name: One of `BACKENDS`. `loky` leaves joblib's configuration as it is
            (local worker processes); `dask` connects to a Dask scheduler and
            sends the tasks to its workers.
        scheduler: Address of the Dask scheduler, such as `tcp://10.0.0.5:8786`
            (`dask` only).
        timeout: Seconds to wait for the scheduler.

    Raises:
        ValueError: `name` is not one of `BACKENDS`, or `scheduler` is given without `dask`.
        BackendError: `dask` without the cluster extra (`pip install 'fyslearn[cluster]'`),
            or no scheduler answered at `scheduler` within `timeout` seconds.
    """
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose from {', '.join(BACKENDS)}")
    if name != "dask":
        if scheduler is not None:
            raise ValueError(f"a scheduler address needs the dask backend, not {name!r}")
        yield
        return
    client = _dask_client(scheduler, timeout)
    try:
        with parallel_config(backend="dask"):
            yield
    finally:
        client.close()


def _dask_client(scheduler: str | None, timeout: float) -> Any:
    """A `distributed.Client` connected to `scheduler`, or a one-line `BackendError`."""
    try:
        from distributed import Client
    except ImportError:
        raise BackendError(f"the dask backend needs the cluster extra: {CLUSTER_EXTRA}") from None
    if not scheduler:
        raise BackendError("the dask backend needs the address of a scheduler (--scheduler)")
    try:
        return Client(scheduler, timeout=timeout)
    except Exception as error:  # refused, timed out, malformed, or not a Dask scheduler at all
        reason = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
        raise BackendError(
            f"cannot use the Dask scheduler at {scheduler} within {timeout:g} s ({reason})"
        ) from None
