# fyslearn exercise: sgd_momentum_step
r"""Exercise: one step of SGD with momentum (D9).

$v \leftarrow \omega v + \eta g$, then $\theta \leftarrow \theta - v$, with the
new $v$. The checker runs several steps from $v = 0$ and compares the
parameters after each with SymPy's unrolled sums.
Derivation: site page derivations/sgd.md (D9). Check your answer with
`fyslearn check sgd_momentum_step.py`.
"""

import numpy as np


def sgd_momentum_step(
    theta: np.ndarray, velocity: np.ndarray, gradient: np.ndarray, eta: float, omega: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""One momentum step: the new parameters and the new velocity.

    Args:
        theta: Parameters $\theta$, shape `(p,)`.
        velocity: Velocity $v$ of the previous step (zeros at first), shape `(p,)`.
        gradient: The gradient $g$ at `theta`, shape `(p,)`.
        eta: Learning rate $\eta > 0$.
        omega: Momentum $0 \le \omega < 1$.

    Returns:
        `(theta, velocity)` after the step, each of shape `(p,)`.
    """
    velocity = omega * velocity + eta * gradient
    return theta - velocity, velocity
