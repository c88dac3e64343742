"""The ``fyslearn`` command line.

``fyslearn demo`` fits the report's linear models on the Franke data;
``fyslearn derive NAME`` prints a derivation and checks its proofs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from sklearn.model_selection import train_test_split

    from .datasets import franke, make_franke
    from .features import design_matrix
    from .linear_model import OLS, Ridge
    from .resampling import bootstrap_scores

    X, y = make_franke(1000, noise=0.2, random_state=args.seed)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=args.seed
    )
    noise_free = franke(X_test[:, 0], X_test[:, 1])
    print("Closed-form fits of the Franke data (1000 points, noise 0.2, 25 % test)")
    print(f"{'model':<26}{'test MSE':>10}{'R²':>8}{'excess':>10}")
    for basis in ("total", "tensor"):
        for model in (OLS(), Ridge(alpha=1e-6)):
            D_train = design_matrix(X_train, args.degree, basis)
            D_test = design_matrix(X_test, args.degree, basis)
            model.fit(D_train, y_train)
            scores = bootstrap_scores(model, D_test, y_test, random_state=args.seed)
            excess = float(((model.predict(D_test) - noise_free) ** 2).mean())
            label = f"{type(model).__name__} ({basis}, p={args.degree})"
            print(f"{label:<26}{scores.mse_mean:>10.4f}{scores.r2_mean:>8.3f}{excess:>10.4f}")
    print("excess = MSE against the noise-free Franke function; the noise floor is 0.04.")
    return 0


def _derive(args: argparse.Namespace) -> int:
    from . import derivations

    derivation = getattr(derivations, args.name)()
    print(derivation.latex())
    derivation.verify()
    print("All proofs hold; every erratum is confirmed.")
    return 0


def _derivation_names() -> list[str]:
    from . import derivations

    return [name for name in derivations.__all__ if name[0].islower()]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``fyslearn`` command."""
    parser = argparse.ArgumentParser(
        prog="fyslearn", description="Reproduce FYS-STK4155 Project 2 with numpy and SymPy."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="fit OLS and Ridge on the Franke data")
    demo.add_argument("--degree", type=int, default=5, help="polynomial degree (default 5)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(run=_demo)

    derive = commands.add_parser("derive", help="print a derivation and check it")
    derive.add_argument("name", choices=_derivation_names())
    derive.set_defaults(run=_derive)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fyslearn`` console script."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
