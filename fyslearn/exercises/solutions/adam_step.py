# fyslearn exercise: adam_step
r"""Exercise: one step of Adam.

$m \leftarrow \beta_1 m + (1 - \beta_1) g$, $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$,
bias correction $\hat m = m/(1 - \beta_1^t)$, $\hat v = v/(1 - \beta_2^t)$ for
step $t = 1, 2, \ldots$, and $\theta \leftarrow \theta - \eta\hat m/(\sqrt{\hat v} + \epsilon)$.
The checker runs several steps of a constant gradient from $m = v = 0$: SymPy
proves the corrected moments are then exactly $g$ and $g^2$ and every step is
$-\eta g/(|g| + \epsilon)$.
Derivation: site page derivations/sgd.md (Adam). Check your answer with
`fyslearn check adam_step.py`.
"""

import numpy as np


def adam_step(
    theta: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    gradient: np.ndarray,
    t: int,
    eta: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""One Adam step: the new parameters and moments.

    Args:
        theta: Parameters $\theta$, shape `(p,)`.
        m: First moment of the previous step (zeros at first), shape `(p,)`.
        v: Second moment of the previous step (zeros at first), shape `(p,)`.
        gradient: The gradient $g$ at `theta`, shape `(p,)`.
        t: The number of this step, from 1.
        eta: Learning rate $\eta$.
        beta1: Decay $\beta_1$ of the first moment.
        beta2: Decay $\beta_2$ of the second moment.
        epsilon: $\epsilon$ of the denominator.

    Returns:
        `(theta, m, v)` after the step, each of shape `(p,)`.
    """
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - eta * m_hat / (np.sqrt(v_hat) + epsilon), m, v
