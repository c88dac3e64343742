"""Derivations for a terminal: LaTeX and Markdown as Unicode text, SymPy by its pretty printer."""

from __future__ import annotations

import re

import sympy as sp

__all__ = ["plain", "pretty_equation"]

WIDTH = 100
"""Columns of the pretty printer's output."""

_COMMANDS = {
    "partial": "∂", "nabla": "∇", "odot": "⊙", "sum": "Σ", "prod": "Π", "infty": "∞",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "to": "→", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "cdot": "·", "times": "×", "approx": "≈", "in": "∈",
    "ldots": "…", "dots": "…", "quad": "  ", "qquad": "    ", "lVert": "‖", "rVert": "‖",
    "lvert": "|", "rvert": "|", "left": "", "right": "", "big": "", "Big": "", "bigg": "",
    "Bigg": "", "ln": "ln", "log": "log", "exp": "exp", "tanh": "tanh", "cosh": "cosh",
    "lim": "lim", "max": "max", "min": "min", "sqrt": "√", ",": " ", ";": " ", "!": "",
}  # fmt: skip
_SUPERSCRIPT_LETTERS = "0123456789+-−()Tntlijk"
_SUPERSCRIPTS = str.maketrans(_SUPERSCRIPT_LETTERS, "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁽⁾ᵀⁿᵗˡⁱʲᵏ")
_GROUP = r"\{((?:[^{}]|\{[^{}]*\})*)\}"  # one level of nested braces


def _superscript(text: str) -> str:
    if all(c in _SUPERSCRIPT_LETTERS for c in text):
        return text.translate(_SUPERSCRIPTS)
    return f"^({text})"


def plain(text: str) -> str:
    """Markdown with `$...$` math, or a LaTeX string, as readable Unicode text."""
    text = text.replace("$$", "").replace("$", "")
    text = re.sub(rf"\\(?:text|mathrm|operatorname|mathbf|boldsymbol){_GROUP}", r"\1", text)
    text = re.sub(rf"\\hat{_GROUP}", lambda m: m.group(1) + "\u0302", text)
    text = re.sub(r"\\hat\s*(\w)", lambda m: m.group(1) + "\u0302", text)
    text = re.sub(r"\\([A-Za-z]+|[,;!])(\s*)", _command, text)
    for _ in range(3):  # nested fractions
        text = re.sub(rf"\\[dt]?frac\s*{_GROUP}\s*{_GROUP}", _fraction, text)
    text = re.sub(r"\\[dt]?frac\s*(\w)(\w)", r"\1/\2", text)  # \frac1n
    text = re.sub(rf"\\binom{_GROUP}{_GROUP}", r"C(\1, \2)", text)
    text = text.replace("\\", "")
    text = re.sub(rf"\^{_GROUP}", lambda m: _superscript(m.group(1)), text)
    text = re.sub(r"\^(\w)", lambda m: _superscript(m.group(1)), text)
    text = re.sub(rf"_{_GROUP}", r"_\1", text)
    text = text.replace("{", "").replace("}", "").replace("**", "").replace("*", "")
    return re.sub(r"[ \t]+", " ", text).strip()


_PREFIXES = {"partial", "nabla", "sqrt", "left", "right", "big", "Big", "bigg", "Bigg"}
"""Commands written right before what they apply to: the space after them goes."""


def _command(match: re.Match) -> str:
    name, space = match.group(1), match.group(2)
    if name not in _COMMANDS:
        return match.group(0)  # \frac, \binom: handled after
    return _COMMANDS[name] + ("" if name in _PREFIXES else space)


def _fraction(match: re.Match) -> str:
    top, bottom = match.group(1).strip(), match.group(2).strip()

    def wrap(part: str) -> str:
        return part if re.fullmatch(r"[\w∂^{}]+", part) else f"({part})"

    return f"{wrap(top)}/{wrap(bottom)}"


def _renamed(expression: sp.Basic) -> sp.Basic:
    r"""The expression with LaTeX-named symbols (`\beta`) renamed for the pretty printer (`β`)."""
    mapping = {}
    for symbol in expression.atoms(sp.Symbol):
        if "\\" in symbol.name or "{" in symbol.name:
            mapping[symbol] = sp.Symbol(plain(symbol.name).replace(" ", ""))
    for matrix in expression.atoms(sp.MatrixSymbol):
        if "\\" in matrix.name:
            mapping[matrix] = sp.MatrixSymbol(plain(matrix.name), *matrix.shape)
    return expression.xreplace(mapping) if mapping else expression


def pretty_equation(
    rhs: sp.Basic, lhs: sp.Basic | str | None = None, keep_order: bool = False
) -> str:
    """`lhs = rhs` drawn by SymPy's pretty printer in Unicode (a string `lhs` is LaTeX)."""
    options = {"use_unicode": True, "num_columns": WIDTH}
    if keep_order:
        options["order"] = "none"
    rhs = _renamed(sp.sympify(rhs))
    if lhs is None:
        return sp.pretty(rhs, **options)
    left = sp.Symbol(plain(lhs)) if isinstance(lhs, str) else _renamed(sp.sympify(lhs))
    try:
        return sp.pretty(sp.Eq(left, rhs, evaluate=False), **options)
    except (TypeError, ValueError, AttributeError):
        return f"{sp.pretty(left, **options)} =\n{sp.pretty(rhs, **options)}"
