"""What every experiment module provides, and the base of their typed results."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from matplotlib.figure import Figure

from ._common import Row, to_jsonable
from ._tasks import Task, run_tasks

__all__ = ["Experiment", "Result", "one_task", "only_output", "run_in_tasks"]

ResultT = TypeVar("ResultT", bound="Result")


@dataclasses.dataclass(frozen=True)
class Result:
    """Base of the experiments' results: a dataclass written to and read from JSON.

    Arrays become lists and NaN (a diverged fit) becomes `null` in JSON; read
    back, the fields hold lists, which every `plot` and `rows` accepts.
    """

    #: Fields a result file may lack (written by an experiment configured without them).
    OPTIONAL: ClassVar[tuple[str, ...]] = ()

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON values (lists, numbers, strings, `None` for NaN)."""
        return to_jsonable({field.name: getattr(self, field.name) for field in _fields(self)})

    @classmethod
    def from_json(cls: type[ResultT], data: dict[str, Any]) -> ResultT:
        """The result stored as `data` (from [to_json][fyslearn.experiments.Result.to_json]).

        Raises:
            ValueError: `data` is not a JSON object or lacks a field of the result.
        """
        if not isinstance(data, dict):
            raise ValueError(f"a {cls.__name__} is a JSON object, got {type(data).__name__}")
        names = [field.name for field in _fields(cls)]
        missing = [name for name in names if name not in data and name not in cls.OPTIONAL]
        if missing:
            raise ValueError(f"{cls.__name__} lacks the field(s) {', '.join(missing)}")
        return cls(**{name: data.get(name) for name in names})


def _fields(result: Any) -> tuple[dataclasses.Field, ...]:
    return tuple(field for field in dataclasses.fields(result) if field.init)


@runtime_checkable
class Experiment(Protocol):
    """The contract of an experiment module (`fyslearn.experiments.fig3_ols_sgd`, ...).

    `fyslearn reproduce` and the tutorials use nothing else. Every experiment
    is made of independent tasks (one, for most); `run` is `tasks`, then
    `assemble`, in this process or on several.

    Attributes:
        TITLE: One line naming the figure of the report.
        Config: A frozen dataclass of the report's settings, with a `quick()` variant.
        Result: The experiment's [Result][fyslearn.experiments.Result] dataclass.
    """

    TITLE: str
    Config: type[Any]
    Result: type[Result]

    def tasks(self, config: Any) -> list[Task]:
        """The independent trainings of the experiment."""

    def assemble(self, config: Any, outputs: Sequence[Any]) -> Result:
        """The result, from the outputs of the tasks in their order."""

    def run(self, config: Any, n_jobs: int | None = 1) -> Result:
        """The result, from all tasks run on `n_jobs` processes."""

    def plot(self, result: Result) -> Figure:
        """The figure of the report, redrawn."""

    def rows(self, result: Result) -> list[Row]:
        """Its lines of the results table."""


def one_task(function: Callable[[Any], Any], config: Any, cost: float) -> list[Task]:
    """An experiment that is a single training: `function(config)`, `cost` rough seconds."""
    return [Task(function, (config,), cost=cost)]


def only_output(config: Any, outputs: Sequence[ResultT]) -> ResultT:
    """`assemble` of a single-task experiment: the task's output is the result."""
    (result,) = outputs
    return result


def run_in_tasks(
    tasks: Callable[[Any], list[Task]],
    assemble: Callable[[Any, Sequence[Any]], ResultT],
    config: Any,
    n_jobs: int | None,
) -> ResultT:
    """`assemble(config, outputs)` of `tasks(config)` run on `n_jobs` processes."""
    return assemble(config, run_tasks(tasks(config), n_jobs))
