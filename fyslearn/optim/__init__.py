r"""Mini-batch gradient descent and its adaptive variants, shared by every model in fyslearn.

The optimizers, the learning-rate schedules and the one training loop live here;
[SGDRegressor][fyslearn.linear_model.SGDRegressor] and the networks of
`fyslearn.nn` only supply the gradient of a mini-batch. One concern per module:

- `fyslearn/optim/optimizers.py`: the update rules and
  [make_optimizer][fyslearn.optim.make_optimizer];
- `fyslearn/optim/schedules.py`: the learning-rate schedules of
  [SCHEDULES][fyslearn.optim.SCHEDULES];
- `fyslearn/optim/loop.py`: [run_epochs][fyslearn.optim.run_epochs], the one
  training loop, and how it detects divergence;
- `fyslearn/optim/settings.py`: the allowed values of every setting.

Every optimizer keeps a list of parameter arrays and updates them in place, one
`step(grads)` per mini-batch, at the rate `current_rate` that `start_epoch` sets from
the schedule. With $g$ the mini-batch gradient, $\eta$ the rate of the epoch, the state
zero at the start, and squares, roots and quotients element by element:

- [SGD][fyslearn.optim.SGD], with momentum (the report's D9):
  $v \leftarrow \omega v + \eta g,\ \theta \leftarrow \theta - v$; with $\omega = 0$
  plain SGD, $\theta \leftarrow \theta - \eta g$;
- [Adagrad][fyslearn.optim.Adagrad]:
  $G \leftarrow G + g^2,\ \theta \leftarrow \theta - \eta g/(\sqrt{G} + \epsilon)$,
  optionally with momentum on that step;
- [RMSprop][fyslearn.optim.RMSprop]:
  $v \leftarrow \rho v + (1 - \rho) g^2,\
  \theta \leftarrow \theta - \eta g/(\sqrt{v} + \epsilon)$;
- [Adam][fyslearn.optim.Adam]: bias-corrected moments,
  $\hat m = m/(1 - \beta_1^t)$, $\hat v = v/(1 - \beta_2^t)$,
  $\theta \leftarrow \theta - \eta \hat m/(\sqrt{\hat v} + \epsilon)$ (Kingma & Ba,
  Algorithm 1).

[make_optimizer][fyslearn.optim.make_optimizer] builds one by its name in
[SOLVERS][fyslearn.optim.SOLVERS].

Every hyper-parameter (`learning_rate`, `momentum`, `rho`, `beta_1`, `beta_2`, `epsilon`,
`power_t`, `decay_every`, `decay_factor`) is a number, or an array that broadcasts
against every parameter array: one setting per model when the parameters hold
several models trained at once (an `(M, 1, 1)` array for a stack of $M$ networks,
`M` values for the `M` columns of a linear model's coefficients). The schedules of
[SCHEDULES][fyslearn.optim.SCHEDULES] (`"constant"`, the report's `"inverse"` decay
D10, `"invscaling"` and `"step"`) work on such arrays as on numbers, and each is
constant within an epoch.
"""

from .._docstrings import readable_docstrings
from . import loop, optimizers, schedules, settings
from .loop import (
    ConvergenceWarning,
    DivergenceError,
    DivergenceWarning,
    Outcome,
    ParameterSnapshots,
    feature_scale_hint,
    has_diverged,
    run_epochs,
    shuffled_orders,
    still_falling,
    unconverged_message,
    warn_if_unconverged,
)
from .optimizers import (
    SGD,
    SOLVERS,
    Adagrad,
    Adam,
    Optimizer,
    RMSprop,
    make_optimizer,
)
from .schedules import (
    SCHEDULES,
    constant_rate,
    inverse_decay,
    inverse_scaling,
    make_schedule,
    step_decay,
)
from .settings import SOLVER_SETTINGS, solver_settings

__all__ = [
    "SCHEDULES",
    "SGD",
    "SOLVERS",
    "SOLVER_SETTINGS",
    "Adagrad",
    "Adam",
    "ConvergenceWarning",
    "DivergenceError",
    "DivergenceWarning",
    "Optimizer",
    "Outcome",
    "ParameterSnapshots",
    "RMSprop",
    "constant_rate",
    "feature_scale_hint",
    "has_diverged",
    "inverse_decay",
    "inverse_scaling",
    "make_optimizer",
    "make_schedule",
    "run_epochs",
    "shuffled_orders",
    "solver_settings",
    "step_decay",
    "still_falling",
    "unconverged_message",
    "warn_if_unconverged",
]

# help() shows plain names where the site shows links, in this package and each of its modules
for _module in (loop, optimizers, schedules, settings):
    readable_docstrings(vars(_module))
readable_docstrings(globals())
del _module
