# fyslearn exercise: l1_subgradient
r"""Exercise: the (sub)gradient of the L1 penalty $\alpha\sum_j |w_j|$.

Its derivative is $\alpha\,\mathrm{sign}(w)$ away from $w = 0$; at $w = 0$
every value in $[-\alpha, \alpha]$ is a subgradient and fyslearn takes 0.
Derivation: `fyslearn derive l1_subgradient`. Check your answer with
`fyslearn check l1_subgradient.py`.
"""

import numpy as np


def l1_subgradient(w: np.ndarray, alpha: float) -> np.ndarray:
    r"""$\alpha\,\mathrm{sign}(w)$, with 0 at $w = 0$.

    Args:
        w: Weights, any shape.
        alpha: The penalty $\alpha \ge 0$, a number.

    Returns:
        The subgradient, shape of `w`.
    """
    return alpha * np.sign(w)
