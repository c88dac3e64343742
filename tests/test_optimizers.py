"""The optimizers of fyslearn.optim against references written out by hand, and their schedules.

Each reference below walks the update rule of the issue coordinate by coordinate
with Python floats, independently of the numpy code under test.
"""

import math
from functools import partial

import numpy as np
import pytest

from fyslearn.optim import (
    SCHEDULES,
    SGD,
    SOLVERS,
    Adagrad,
    Adam,
    RMSprop,
    make_optimizer,
    make_schedule,
)

# -- a small least-squares problem ------------------------------------------------------


def _problem(rng, n_models=1):
    """Gradient of the mean squared error of y ≈ X θ + b, for `n_models` columns at once."""
    X = rng.normal(size=(12, 3))
    Y = rng.normal(size=(12, n_models))

    def gradient(kernel, bias):
        residual = X @ kernel.reshape(3, n_models) + bias.reshape(n_models) - Y
        grad_kernel, grad_bias = (2 / 12) * (X.T @ residual), (2 / 12) * residual.sum(axis=0)
        return grad_kernel.reshape(kernel.shape), grad_bias.reshape(bias.shape)

    return gradient


def _rates(eta, n_epochs, n_batches):
    """The rate of every step of `n_epochs` epochs of the step schedule (halve every 2)."""
    return [eta * 0.5 ** (epoch // 2) for epoch in range(n_epochs) for _ in range(n_batches)]


def _run(optimizer, gradient, n_epochs, n_batches):
    """Parameters after every step, with `start_epoch` called as the training loop does."""
    path = []
    for epoch in range(n_epochs):
        optimizer.start_epoch(epoch, n_batches)
        for _ in range(n_batches):
            optimizer.step(list(gradient(*optimizer.params)))
            path.append(np.concatenate([p.ravel() for p in optimizer.params]))
    return np.array(path)


def _reference(update, theta0, gradient, rates):
    """Walk `update(j, g_j, eta, t)` over every coordinate j of every step t = 1, 2, ...

    `update` returns the change of coordinate j; `theta0` is (kernel, bias).
    """
    theta = [float(x) for x in np.concatenate([p.ravel() for p in theta0])]
    path = []
    for t, eta in enumerate(rates, start=1):
        kernel, bias = np.array(theta[:-1]), np.array(theta[-1:])
        g = [float(x) for x in np.concatenate([p.ravel() for p in gradient(kernel, bias)])]
        for j, g_j in enumerate(g):
            theta[j] += update(j, g_j, eta, t)
        path.append(list(theta))
    return np.array(path)


def _momentum_sgd(momentum):
    velocity = {}

    def update(j, g, eta, t):
        velocity[j] = momentum * velocity.get(j, 0.0) + eta * g
        return -velocity[j]

    return update


def _adagrad(momentum, epsilon):
    G, velocity = {}, {}

    def update(j, g, eta, t):
        G[j] = G.get(j, 0.0) + g * g
        velocity[j] = momentum * velocity.get(j, 0.0) + eta * g / (math.sqrt(G[j]) + epsilon)
        return -velocity[j]

    return update


def _rmsprop(rho, epsilon):
    v = {}

    def update(j, g, eta, t):
        v[j] = rho * v.get(j, 0.0) + (1 - rho) * g * g
        return -eta * g / (math.sqrt(v[j]) + epsilon)

    return update


def _adam(beta_1, beta_2, epsilon):
    m, v = {}, {}

    def update(j, g, eta, t):
        m[j] = beta_1 * m.get(j, 0.0) + (1 - beta_1) * g
        v[j] = beta_2 * v.get(j, 0.0) + (1 - beta_2) * g * g
        m_hat = m[j] / (1 - beta_1**t)
        v_hat = v[j] / (1 - beta_2**t)
        return -eta * m_hat / (math.sqrt(v_hat) + epsilon)

    return update


# Each case: the optimizer, its settings, and a factory of the fresh reference update.
CASES = {
    "sgd": (SGD, {}, partial(_momentum_sgd, 0.0)),
    "sgd momentum": (SGD, {"momentum": 0.8}, partial(_momentum_sgd, 0.8)),
    "adagrad": (Adagrad, {"epsilon": 1e-3}, partial(_adagrad, 0.0, 1e-3)),
    "adagrad momentum": (Adagrad, {"momentum": 0.5, "epsilon": 1e-8}, partial(_adagrad, 0.5, 1e-8)),
    "rmsprop": (RMSprop, {"rho": 0.8, "epsilon": 1e-6}, partial(_rmsprop, 0.8, 1e-6)),
    "adam": (Adam, {"beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-7}, partial(_adam, 0.8, 0.9, 1e-7)),
    "adam defaults": (Adam, {}, partial(_adam, 0.9, 0.999, 1e-8)),
}


@pytest.mark.parametrize("case", CASES)
def test_steps_equal_a_hand_unrolled_reference(rng, case):
    optimizer_class, settings, reference_update = CASES[case]
    gradient = _problem(rng)
    kernel, bias = rng.normal(size=3), rng.normal(size=1)
    expected = _reference(reference_update(), (kernel, bias), gradient, _rates(0.05, 5, 4))
    optimizer = optimizer_class(
        [kernel, bias], 0.05, schedule="step", decay_every=2, decay_factor=0.5, **settings
    )
    path = _run(optimizer, gradient, 5, 4)
    assert path.shape == expected.shape == (20, 4)
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", CASES)
def test_make_optimizer_builds_the_named_solver(rng, case):
    optimizer_class, settings, reference_update = CASES[case]
    solver = next(name for name, cls in SOLVERS.items() if cls is optimizer_class)
    gradient = _problem(rng)
    kernel, bias = rng.normal(size=3), rng.normal(size=1)
    expected = _reference(reference_update(), (kernel, bias), gradient, [0.05] * 6)
    optimizer = make_optimizer(solver, [kernel, bias], 0.05, **settings)
    assert type(optimizer) is optimizer_class
    np.testing.assert_allclose(_run(optimizer, gradient, 2, 3), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_parameters_change_in_place_and_gradients_stay_as_given(rng, momentum):
    """The caller's arrays are the optimizer's and move; the gradients handed over do not."""
    kernel, bias = rng.normal(size=3), rng.normal(size=1)
    for solver, optimizer_class in SOLVERS.items():
        settings = {"momentum": momentum} if solver in ("sgd", "adagrad") else {}
        optimizer = optimizer_class([kernel, bias], 0.1, **settings)
        optimizer.start_epoch(0, 1)
        for _ in range(2):  # the second step also reads the state the first one left
            before = kernel.copy()
            grads = [rng.normal(size=3), rng.normal(size=1)]
            given = [g.copy() for g in grads]
            optimizer.step(grads)
            assert optimizer.params[0] is kernel and optimizer.params[1] is bias
            assert not np.array_equal(kernel, before)
            for g, g_given in zip(grads, given, strict=True):
                np.testing.assert_array_equal(g, g_given)


# -- against torch.optim -----------------------------------------------------------------

# Each case: the solver and its settings here, and torch's optimizer with the same settings.
TORCH_CASES = {
    "sgd": ("sgd", {}, "SGD", {}),
    "sgd momentum": ("sgd", {"momentum": 0.9}, "SGD", {"momentum": 0.9}),
    "adagrad": ("adagrad", {"epsilon": 1e-3}, "Adagrad", {"eps": 1e-3}),
    "rmsprop": ("rmsprop", {"rho": 0.8, "epsilon": 1e-6}, "RMSprop", {"alpha": 0.8, "eps": 1e-6}),
    "adam": ("adam", {}, "Adam", {}),
    "adam settings": (
        "adam",
        {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
        "Adam",
        {"betas": (0.5, 0.9), "eps": 1e-3},
    ),
}


@pytest.mark.parametrize("case", TORCH_CASES)
def test_steps_equal_torch_optim(rng, case):
    """60 steps on three parameters of different shapes, gradients of scales 1e-4 to 1e2."""
    torch = pytest.importorskip("torch")
    solver, settings, torch_name, torch_settings = TORCH_CASES[case]
    shapes = [(4, 3), (3,), (2, 2, 5)]
    params = [rng.normal(size=shape) for shape in shapes]
    tensors = [torch.tensor(param.copy(), requires_grad=True) for param in params]
    ours = make_optimizer(solver, params, 0.01, **settings)
    theirs = getattr(torch.optim, torch_name)(tensors, lr=0.01, **torch_settings)
    ours.start_epoch(0, 1)
    for _ in range(60):
        grads = [10.0 ** rng.uniform(-4, 2) * rng.normal(size=shape) for shape in shapes]
        ours.step(grads)
        for tensor, grad in zip(tensors, grads, strict=True):
            tensor.grad = torch.tensor(grad)
        theirs.step()
    for param, tensor in zip(params, tensors, strict=True):
        np.testing.assert_allclose(param, tensor.detach().numpy(), rtol=1e-12, atol=1e-14)


# -- invariance to the scale of the loss ------------------------------------------------


@pytest.mark.parametrize("c", [1e-3, 1e4])
@pytest.mark.parametrize("solver", ["adam", "rmsprop"])
def test_update_is_invariant_to_the_scale_of_the_loss(rng, solver, c):
    r"""Multiplying the loss by c multiplies every gradient by c; the steps barely change.

    Both steps have the form η a/(s + ε) with s the root of a running average of g²
    (Adam: a = m̂, s = √v̂ ≥ min|g|; RMSprop: a = g, s = √v ≥ √(1 − ρ) min|g|). With
    the gradients c g the step is η a/(s + ε/c) in the original units, so the relative
    change of each step is at most ε |1 − 1/c| / s.
    """
    epsilon, rho = 1e-8, 0.9
    gradients = rng.uniform(0.5, 2.0, size=(25, 4)) * rng.choice([-1.0, 1.0], size=(25, 4))
    s_min = np.abs(gradients).min() * (1.0 if solver == "adam" else math.sqrt(1 - rho))
    bound = epsilon * abs(1 - 1 / c) / s_min

    def steps(scale):
        theta = np.zeros(4)
        optimizer = make_optimizer(solver, [theta], 0.01, rho=rho, epsilon=epsilon)
        optimizer.start_epoch(0, 1)
        path = [theta.copy()]
        for g in gradients:
            optimizer.step([scale * g])
            path.append(theta.copy())
        return np.diff(path, axis=0)

    unscaled, scaled = steps(1.0), steps(c)
    assert bound < 1e-4  # |g| ≫ ε: the derivation's condition holds
    np.testing.assert_allclose(scaled, unscaled, rtol=bound + 1e-14, atol=0)
    # Plain SGD, by contrast, takes steps c times as long.
    theta = np.zeros(4)
    sgd = SGD([theta], 0.01)
    sgd.start_epoch(0, 1)
    sgd.step([c * gradients[0]])
    np.testing.assert_allclose(theta, -0.01 * c * gradients[0], rtol=1e-15)


# -- one setting per model --------------------------------------------------------------

ARRAY_SETTINGS = {
    "sgd": {"momentum": [0.0, 0.5, 0.9]},
    "adagrad": {"momentum": [0.3, 0.0, 0.6], "epsilon": [1e-8, 1e-2, 1.0]},
    "rmsprop": {"rho": [0.0, 0.5, 0.99], "epsilon": [1e-8, 1e-3, 1e-1]},
    "adam": {"beta_1": [0.0, 0.9, 0.5], "beta_2": [0.999, 0.0, 0.9], "epsilon": [1e-8, 1e-4, 1.0]},
}
SCHEDULE_SETTINGS = {
    "constant": {},
    "inverse": {},
    "invscaling": {"power_t": [0.5, 1.0, 0.25]},
    "step": {"decay_every": 2, "decay_factor": [0.5, 1.0, 0.1]},
}


@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("solver", SOLVERS)
def test_array_settings_train_each_column_as_its_own_run(rng, solver, schedule):
    """Columns of a (3, M) kernel and an (M,) bias, settings of shape (M,): M separate runs."""
    n_models = 3
    gradient = _problem(rng, n_models)
    kernel, bias = rng.normal(size=(3, n_models)), rng.normal(size=n_models)
    learning_rates = [0.05, 0.01, 0.2]
    settings = {**ARRAY_SETTINGS[solver], **SCHEDULE_SETTINGS[schedule]}
    as_arrays = {k: np.array(v) if isinstance(v, list) else v for k, v in settings.items()}
    together = make_optimizer(
        solver,
        [kernel.copy(), bias.copy()],
        np.array(learning_rates),
        schedule=schedule,
        **as_arrays,
    )
    together_path = _run(together, gradient, 5, 3)
    for k in range(n_models):
        own = {name: v[k] if isinstance(v, list) else v for name, v in settings.items()}

        def column_gradient(kernel_k, bias_k, k=k):
            full = [kernel.copy(), bias.copy()]
            full[0][:, k], full[1][k] = kernel_k, bias_k[0]
            grad_kernel, grad_bias = gradient(*full)
            return grad_kernel[:, k].copy(), grad_bias[k : k + 1].copy()

        alone = make_optimizer(
            solver,
            [kernel[:, k].copy(), bias[k : k + 1].copy()],
            learning_rates[k],
            schedule=schedule,
            **own,
        )
        alone_path = _run(alone, column_gradient, 5, 3)
        # the together path holds the (3, M) kernel row by row, then the M biases
        column = together_path.reshape(15, 4, n_models)[:, :, k]
        np.testing.assert_allclose(column, alone_path, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("schedule", ["constant", "step"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_settings_of_shape_m11_train_each_leading_slice_as_its_own_run(rng, solver, schedule):
    """A stack of M networks: parameters (M, n_in, n_out) and (M, 1, n_out), settings (M, 1, 1)."""
    n_models, shapes = 3, [(3, 3, 2), (3, 1, 2)]
    params = [rng.normal(size=shape) for shape in shapes]
    learning_rates = [0.05, 0.01, 0.2]
    settings = {**ARRAY_SETTINGS[solver], **SCHEDULE_SETTINGS[schedule]}

    def as_column(value):
        return np.reshape(value, (n_models, 1, 1)) if isinstance(value, list) else value

    together = make_optimizer(
        solver,
        [param.copy() for param in params],
        as_column(learning_rates),
        schedule=schedule,
        **{name: as_column(value) for name, value in settings.items()},
    )
    alone = [
        make_optimizer(
            solver,
            [param[k].copy() for param in params],
            learning_rates[k],
            schedule=schedule,
            **{name: v[k] if isinstance(v, list) else v for name, v in settings.items()},
        )
        for k in range(n_models)
    ]
    for epoch in range(5):
        for optimizer in [together, *alone]:
            optimizer.start_epoch(epoch, 3)
        for _ in range(3):
            grads = [rng.normal(size=shape) for shape in shapes]
            together.step(grads)
            for k, optimizer in enumerate(alone):
                optimizer.step([g[k] for g in grads])
    for k, optimizer in enumerate(alone):
        for stacked, own in zip(together.params, optimizer.params, strict=True):
            np.testing.assert_allclose(stacked[k], own, rtol=1e-14, atol=1e-15)


# -- schedules ----------------------------------------------------------------------------


def test_schedules_give_the_documented_rates():
    assert SCHEDULES["constant"](0.1, 7, 1200) == 0.1
    assert SCHEDULES["inverse"](0.1, 1, 1200) == pytest.approx(0.1 / 1201, rel=1e-15)
    assert SCHEDULES["inverse"](0.1, 2, 1200) == pytest.approx(0.1 / 2401, rel=1e-15)
    invscaling = make_schedule("invscaling")  # power_t = 0.5
    assert [invscaling(1.0, e, 1200) for e in (0, 3, 99)] == pytest.approx([1, 0.5, 0.1])
    assert make_schedule("invscaling", power_t=1.0)(0.3, 2, 5) == pytest.approx(0.1)
    assert make_schedule("invscaling", power_t=0.0)(0.3, 50, 5) == 0.3
    step = make_schedule("step")  # halve every 10 epochs
    assert [step(0.8, e, 1200) for e in (0, 9, 10, 19, 20, 35)] == [0.8, 0.8, 0.4, 0.4, 0.2, 0.1]
    step_3 = make_schedule("step", decay_every=3, decay_factor=0.1)
    assert [step_3(1.0, e, 1) for e in (0, 2, 3, 6)] == pytest.approx([1, 1, 0.1, 0.01])


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_schedules_work_on_arrays_entry_by_entry(schedule):
    eta0 = np.array([1e-3, 0.1, 2.0])
    settings = {"power_t": np.array([0.5, 1.0, 2.0]), "decay_factor": np.array([0.5, 0.9, 1.0])}
    rate = make_schedule(schedule, decay_every=2, **settings)
    for epoch in (0, 1, 2, 5, 100):
        rates = np.broadcast_to(rate(eta0, epoch, 75), (3,))
        for k in range(3):
            own = make_schedule(
                schedule,
                decay_every=2,
                power_t=float(settings["power_t"][k]),
                decay_factor=float(settings["decay_factor"][k]),
            )
            assert rates[k] == pytest.approx(own(float(eta0[k]), epoch, 75), rel=1e-15)


def test_optimizer_rate_follows_its_schedule():
    optimizer = Adam([np.zeros(2)], 0.2, schedule="invscaling", power_t=1.0)
    assert [optimizer.start_epoch(e, 10) for e in range(4)] == pytest.approx(
        [0.2, 0.1, 0.2 / 3, 0.05]
    )
    assert optimizer.current_rate == pytest.approx(0.05)
    optimizer = RMSprop([np.zeros(2)], 0.2, schedule="step", decay_every=1, decay_factor=0.5)
    assert [optimizer.start_epoch(e, 10) for e in range(3)] == [0.2, 0.1, 0.05]


def test_settings_of_another_schedule_are_ignored():
    assert make_schedule("constant", power_t=3.0, decay_every=1, decay_factor=0.1)(0.1, 9, 9) == 0.1
    optimizer = SGD([np.zeros(1)], 0.1, schedule="invscaling", decay_factor=0.1)
    assert optimizer.schedule_settings == {"power_t": 0.5}


# -- bad input ---------------------------------------------------------------------------


def test_unknown_solver_lists_the_valid_ones():
    with pytest.raises(
        ValueError, match=r"solver must be one of \['adagrad', 'adam', 'rmsprop', 'sgd'\]"
    ):
        make_optimizer("adamw", [np.zeros(1)], 0.1)


def test_unknown_schedule_lists_the_valid_ones():
    expected = r"schedule must be one of \['constant', 'inverse', 'invscaling', 'step'\]"
    with pytest.raises(ValueError, match=expected):
        make_optimizer("adam", [np.zeros(1)], 0.1, schedule="cosine")
    with pytest.raises(ValueError, match=expected):
        make_schedule("Step")


OUT_OF_RANGE = (
    [("learning_rate", value) for value in (0.0, -0.1, math.inf, math.nan)]
    + [
        (name, value)
        for name in ("momentum", "rho", "beta_1", "beta_2")
        for value in (-1e-12, 1.0, 1.5, math.nan, -math.inf)
    ]
    + [("epsilon", value) for value in (0.0, -1e-8, math.inf, math.nan)]
    + [
        ("power_t", -0.5),
        ("decay_factor", 0.0),
        ("decay_factor", 1.01),
    ]
)


@pytest.mark.parametrize(("name", "value"), OUT_OF_RANGE)
def test_settings_out_of_range_are_named(name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        make_optimizer("adam", [np.zeros(2)], **{"learning_rate": 0.1, name: value})


@pytest.mark.parametrize(
    ("optimizer_class", "name", "value"),
    [
        (SGD, "momentum", 1.0),
        (Adagrad, "momentum", -0.5),
        (Adagrad, "epsilon", 0.0),
        (RMSprop, "rho", 1.0),
        (RMSprop, "epsilon", -1.0),
        (Adam, "beta_1", 1.0),
        (Adam, "beta_2", -0.1),
        (Adam, "epsilon", 0.0),
    ],
)
def test_each_optimizer_checks_its_own_settings(optimizer_class, name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        optimizer_class([np.zeros(2)], 0.1, **{name: value})


def test_one_bad_entry_of_an_array_setting_is_named():
    with pytest.raises(
        ValueError,
        match=r"beta_2 must be a float in the range \[0\.0, 1\.0\) in every entry; "
        r"entry \(2,\) is 1\.0",
    ):
        Adam([np.zeros((2, 3))], 0.1, beta_2=np.array([0.9, 0.99, 1.0]))
    with pytest.raises(
        ValueError, match=r"learning_rate must be a float in the range \(0\.0, inf\) in every entry"
    ):
        SGD([np.zeros((2, 3))], np.array([[0.1, 0.0, 0.1]]))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.9", r"beta_1 must be a float in the range \[0\.0, 1\.0\), got str '0\.9'"),
        (True, r"beta_1 must be a float in the range \[0\.0, 1\.0\), got a bool True"),
        (None, r"beta_1 must be a float in the range \[0\.0, 1\.0\), got NoneType None"),
        (np.array([]), "beta_1 must be a real number or a non-empty array of real numbers"),
        ([0.9, "x"], "beta_1 must be a real number or a non-empty array of real numbers"),
    ],
)
def test_settings_that_are_not_real_numbers_are_type_errors(value, message):
    with pytest.raises(TypeError, match=message):
        make_optimizer("adam", [np.zeros(2)], 0.1, beta_1=value)


def test_decay_every_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="decay_every"):
        make_schedule("step", decay_every=0)
    with pytest.raises(TypeError, match="decay_every"):
        make_schedule("step", decay_every=2.5)
    with pytest.raises(
        ValueError, match=r"decay_every must be a whole number .* entry \(1,\) is 2\.5"
    ):
        make_schedule("step", decay_every=np.array([2.0, 2.5]))
    with pytest.raises(
        ValueError, match=r"decay_every must be an int in the range \[1, inf\) in every entry"
    ):
        make_schedule("step", decay_every=np.array([3, 0]))


def test_decay_every_per_model_drops_each_rate_on_its_own_epochs():
    """A stack of models holds `decay_every` as an array, like every other setting."""
    rate = make_schedule("step", decay_every=np.array([1.0, 2.0, 5.0]), decay_factor=0.5)
    rates = [rate(np.array([1.0, 1.0, 2.0]), epoch, 10) for epoch in range(6)]
    expected = [[1, 1, 2], [0.5, 1, 2], [0.25, 0.5, 2], [0.125, 0.5, 2], [0.0625, 0.25, 2],
                [0.03125, 0.25, 1]]  # fmt: skip
    np.testing.assert_array_equal(rates, expected)


def test_settings_of_another_solver_are_checked_then_ignored():
    """As in scikit-learn: beta_1 has no effect on SGD, but a value out of range is an error."""
    optimizer = make_optimizer("sgd", [np.zeros(2)], 0.1, beta_1=0.5, rho=0.0, epsilon=1.0)
    assert not hasattr(optimizer, "beta_1")
    assert not hasattr(optimizer, "epsilon")
    with pytest.raises(ValueError, match="beta_1"):
        make_optimizer("sgd", [np.zeros(2)], 0.1, beta_1=1.0)
    with pytest.raises(ValueError, match="momentum"):
        make_optimizer("adam", [np.zeros(2)], 0.1, momentum=1.0)


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="power"):
        SGD([np.zeros(1)], 0.1, schedule="invscaling", power=0.5)


def test_an_array_setting_is_copied(rng):
    rates = np.array([0.1, 0.2])
    optimizer = SGD([np.zeros((3, 2))], rates)
    rates[0] = -1.0
    assert optimizer.learning_rate[0] == 0.1
