"""A derivation as data: titled SymPy steps, a result, proofs and errata.

Every formula the numeric code implements is derived once, here, by SymPy.
A [Derivation][fyslearn.derivations.Derivation] keeps

- `steps`: the way from the definition to the result, each a titled SymPy
  expression, for the reader;
- `result`: the formula in the report's form;
- `proofs`: identities SymPy must reduce to zero difference (for example,
  "differentiating the scalar cost gives the matrix form");
- `errata`: statements printed in the report that SymPy shows to be wrong,
  each beside its correction;
- `numeric()`: a numpy function made from the derivation with
  `sympy.lambdify`, which the tests compare with fyslearn's hand-written
  numpy code.

Titles are Markdown whose math is written `$...$`, so that a page shows them
as formulas. `latex()` renders everything for the documentation, so the page,
the code and the test all come from one object.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy as sp

from ._plain import plain, pretty_equation

__all__ = ["Derivation", "Erratum", "Identity", "Step", "Verification", "is_zero", "numeric_twin"]

#: Proofs whose LaTeX is longer than this are listed by title only in `latex()`.
MAX_DISPLAYED_LATEX = 700


def is_zero(expression: sp.Basic) -> bool:
    """Whether SymPy proves `expression` (a scalar or a matrix) identically zero."""
    if isinstance(expression, sp.MatrixBase):
        return all(is_zero(entry) for entry in expression)
    expression = sp.expand(expression)
    if expression == 0 or sp.simplify(expression) == 0:
        return True
    # Hyperbolic and exponential forms of one function: compare them as exponentials;
    # Max/Min and Piecewise forms: compare them as one Piecewise.
    if sp.simplify(expression.rewrite(sp.exp)) == 0:
        return True
    return sp.simplify(sp.piecewise_fold(expression.rewrite(sp.Piecewise))) == 0


def numeric_twin(function: Callable, name: str, parameters: Sequence[str], doc: str) -> Callable:
    r"""`function` (often made by `sympy.lambdify`) under a name, a signature and a docstring.

    A lambdified function's arguments are named after SymPy's symbols (or
    dummies for `\eta`), and its docstring is SymPy's; the twin names its
    arguments as the docstring does, and a call with the wrong number or names
    of arguments raises a `TypeError` that shows the signature.

    Args:
        function: The numeric function, called with the arguments in order.
        name: The twin's name, e.g. `"sigmoid_derivative_numeric"`.
        parameters: The names of its arguments, in order.
        doc: Its docstring: what it computes, each argument with its shape, the result's shape.

    Returns:
        The named function.
    """
    signature = inspect.Signature(
        [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in parameters]
    )

    def twin(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{name}{signature}: {error}") from None
        return function(*bound.args)

    twin.__signature__ = signature
    twin.__name__ = twin.__qualname__ = name
    twin.__doc__ = doc
    return twin


def _differs_somewhere(lhs: sp.Basic, rhs: sp.Basic, trials: int = 5) -> bool:
    """Whether `lhs - rhs` is non-zero at some random rational point (a disproof)."""
    difference = sp.Matrix(lhs - rhs) if isinstance(lhs, sp.MatrixBase) else lhs - rhs
    symbols = sorted(difference.free_symbols, key=str)
    chooser = random.Random(0)
    for _ in range(trials):
        point = {s: sp.Rational(chooser.randint(1, 97), chooser.randint(1, 13)) for s in symbols}
        value = difference.subs(point)
        if isinstance(value, sp.MatrixBase):
            value = value.norm()
        if sp.N(value) != 0:
            return True
    return False


@dataclass(frozen=True)
class Step:
    r"""One titled line of a derivation: `lhs = rhs`, or just `rhs` when `lhs` is `None`.

    Attributes:
        title: What the step does, in Markdown (math as `$...$`).
        rhs: The SymPy expression the step arrives at.
        lhs: What it equals: a SymPy expression, a LaTeX string (for notation
            SymPy does not print, such as $\partial C/\partial w$), or `None`.
        keep_order: Print the factors and terms of `rhs` in the order they were
            built (for a product made with `evaluate=False`, such as a chain rule).
    """

    title: str
    rhs: sp.Basic
    lhs: sp.Basic | str | None = None
    keep_order: bool = False

    def latex(self) -> str:
        """The step as LaTeX, `lhs = rhs`."""
        rhs = sp.latex(self.rhs, order="none") if self.keep_order else sp.latex(self.rhs)
        if self.lhs is None:
            return rhs
        lhs = self.lhs if isinstance(self.lhs, str) else sp.latex(self.lhs)
        return rf"{lhs} = {rhs}"


@dataclass(frozen=True)
class Identity:
    r"""A claim `lhs == rhs` that SymPy must prove (their difference simplifies to 0).

    Attributes:
        title: The claim in words, in Markdown with its math as `$...$`.
        lhs: One side, a SymPy scalar or matrix.
        rhs: The other side.
        assuming: Substitutions applied first, e.g. `{y3: 1 - y1 - y2}` to
            impose $\sum_k y_k = 1$.
        display: LaTeX shown instead of `lhs = rhs` when SymPy's form hides the point.
    """

    title: str
    lhs: sp.Basic
    rhs: sp.Basic
    assuming: dict = field(default_factory=dict)
    display: str | None = None

    def difference(self) -> sp.Basic:
        """`lhs - rhs` after the substitutions of `assuming`."""
        lhs, rhs = (sp.sympify(side).subs(self.assuming) for side in (self.lhs, self.rhs))
        return lhs - rhs

    def holds(self) -> bool:
        """Whether SymPy proves the difference identically zero."""
        return is_zero(self.difference())

    def latex(self) -> str:
        """The identity as LaTeX: `display`, or `lhs = rhs`."""
        if self.display is not None:
            return self.display
        return rf"{sp.latex(self.lhs)} = {sp.latex(self.rhs)}"


@dataclass(frozen=True)
class Erratum:
    """A formula printed in the report, its correction, and the check that they differ.

    The slip is confirmed when SymPy finds a point where `printed` and
    `corrected` disagree, and the correction is confirmed by `proof`.

    Attributes:
        title: The correction in words, in Markdown with its math as `$...$`.
        printed: The report's formula as a SymPy expression.
        corrected: The correct formula.
        proof: An [Identity][fyslearn.derivations.Identity] that proves the correction.
        explanation: What went wrong, in Markdown with its math as `$...$`.
        printed_display: The report's notation for `printed` (LaTeX), shown
            instead of SymPy's expanded form.
        corrected_display: The same for `corrected`.
    """

    title: str
    printed: sp.Basic
    corrected: sp.Basic
    proof: Identity
    explanation: str = ""
    printed_display: str | None = None
    corrected_display: str | None = None

    def latex_printed(self) -> str:
        """The printed formula as LaTeX."""
        return self.printed_display or sp.latex(self.printed)

    def latex_corrected(self) -> str:
        """The corrected formula as LaTeX."""
        return self.corrected_display or sp.latex(self.corrected)

    def printed_is_wrong(self) -> bool:
        """Whether the printed and corrected formulas differ at some random rational point."""
        return _differs_somewhere(self.printed, self.corrected)

    def correction_holds(self) -> bool:
        """Whether SymPy proves `proof`."""
        return self.proof.holds()


def _indented(text: str, by: str = "    ") -> str:
    return "\n".join(by + line for line in text.splitlines())


@dataclass(frozen=True)
class Verification:
    """What [`Derivation.verify`][fyslearn.derivations.Derivation.verify] proved.

    True when every proof holds and every erratum is confirmed (its printed
    form is wrong and its correction proved); printed, a checklist.

    Attributes:
        name: The derivation's name.
        title: Its title.
        steps: The titles of its steps, in order.
        proofs: `(title, holds)` of each proof.
        errata: `(title, printed_is_wrong, correction_holds)` of each erratum.
    """

    name: str
    title: str
    steps: tuple[str, ...]
    proofs: tuple[tuple[str, bool], ...]
    errata: tuple[tuple[str, bool, bool], ...]

    def __bool__(self) -> bool:
        return all(holds for _, holds in self.proofs) and all(
            wrong and corrected for _, wrong, corrected in self.errata
        )

    def first_failure(self) -> str:
        """What fails first, in words, or `""`."""
        for title, holds in self.proofs:
            if not holds:
                return f"proof failed: {title}"
        for title, wrong, corrected in self.errata:
            if not wrong:
                return f"printed form is not wrong: {title}"
            if not corrected:
                return f"correction does not hold: {title}"
        return ""

    def __str__(self) -> str:
        mark = {True: "✓", False: "✗"}
        lines = [f"{plain(self.title)}: {len(self.steps)} steps"]
        lines += [f"  {mark[holds]} proof: {plain(title)}" for title, holds in self.proofs]
        lines += [
            f"  {mark[wrong and corrected]} erratum: {plain(title)}"
            + ("" if wrong else " (the printed form is not wrong)")
            + ("" if corrected else " (the correction is not proved)")
            for title, wrong, corrected in self.errata
        ]
        verdict = "everything holds" if self else f"FAILED: {self.first_failure()}"
        lines.append(
            f"{sum(h for _, h in self.proofs)}/{len(self.proofs)} proofs hold, "
            f"{len(self.errata)} errata checked: {verdict}."
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Derivation:
    """A derivation: steps from definition to result, proofs, errata and a numeric twin.

    Attributes:
        name: Short identifier, e.g. `"mse_gradient"`.
        title: Human title.
        summary: One paragraph saying what is derived and why, in Markdown
            with its math as `$...$`.
        steps: The derivation, in reading order.
        result: The final formula in the report's form.
        proofs: Identities that must hold.
        errata: Slips of the report's text, each with its correction.
        numeric_factory: Builds the numpy function of `numeric()`.
        report_reference: Where the report states it (e.g. `"D1"`).
    """

    name: str
    title: str
    summary: str
    steps: Sequence[Step]
    result: sp.Basic
    proofs: Sequence[Identity] = ()
    errata: Sequence[Erratum] = ()
    numeric_factory: Callable[[], Callable] | None = None
    report_reference: str = ""

    def numeric(self) -> Callable:
        """The derivation's result as a numpy function (made with `sympy.lambdify`).

        Raises:
            NotImplementedError: The derivation has no numeric form.
        """
        if self.numeric_factory is None:
            raise NotImplementedError(f"{self.name} has no numeric form.")
        return self.numeric_factory()

    def verify(self, raise_on_failure: bool = True) -> Verification:
        """Check every proof and erratum with SymPy, and say what was proved.

        Args:
            raise_on_failure: Raise when something does not hold (the default, so
                that a bare `derivation.verify()` in a test fails); `False`
                returns the result, which is then false.

        Returns:
            The [Verification][fyslearn.derivations.Verification]: the steps,
                each proof and erratum with its outcome; true when everything
                holds; printed (or shown in a notebook), a checklist.

        Raises:
            AssertionError: With `raise_on_failure`, a proof does not hold, or an
                erratum's printed form is not wrong or its correction does not hold.
        """
        proofs = tuple((proof.title, proof.holds()) for proof in self.proofs)
        errata = tuple(
            (erratum.title, erratum.printed_is_wrong(), erratum.correction_holds())
            for erratum in self.errata
        )
        verification = Verification(
            name=self.name,
            title=self.title,
            steps=tuple(step.title for step in self.steps),
            proofs=proofs,
            errata=errata,
        )
        if raise_on_failure and not verification:
            raise AssertionError(f"{self.name}: {verification.first_failure()}")
        return verification

    def plain_title(self) -> str:
        """The title as Unicode text, without Markdown or LaTeX."""
        return plain(self.title)

    def pretty(self) -> str:
        """The derivation for a terminal: the steps, result, proofs and errata in Unicode.

        Formulas are drawn by SymPy's pretty printer; titles and notation SymPy
        does not print are LaTeX turned into Unicode.
        """
        lines = [self.plain_title(), "=" * len(self.plain_title()), "", plain(self.summary), ""]
        for number, step in enumerate(self.steps, start=1):
            lines += [f"{number}. {plain(step.title)}", ""]
            lines += [_indented(pretty_equation(step.rhs, step.lhs, step.keep_order)), ""]
        lines += ["Result", "", _indented(pretty_equation(self.result)), ""]
        if self.proofs:
            lines += ["Proved by SymPy:"]
            lines += [f"  - {plain(proof.title)}" for proof in self.proofs]
            lines += [""]
        for erratum in self.errata:
            lines += [f"Erratum: {plain(erratum.title)}"]
            lines += [f"  printed:   {plain(erratum.latex_printed())}"]
            lines += [f"  corrected: {plain(erratum.latex_corrected())}", ""]
        return "\n".join(lines)

    def latex(self) -> str:
        """Markdown with display math: the steps, the result, the proofs and the errata."""
        lines = [f"**{self.title}**", ""]
        for step in self.steps:
            lines += [f"*{step.title}*", "", f"$$ {step.latex()} $$", ""]
        lines += ["*Result*", "", f"$$ {sp.latex(self.result)} $$", ""]
        for proof in self.proofs:
            verdict = "proved" if proof.holds() else "NOT proved"
            lines += [f"*{proof.title}* ({verdict} by SymPy)", ""]
            if len(proof.latex()) <= MAX_DISPLAYED_LATEX:
                lines += [f"$$ {proof.latex()} $$", ""]
        for erratum in self.errata:
            lines += [
                f"*Erratum: {erratum.title}*",
                "",
                f"Printed: $$ {erratum.latex_printed()} $$",
                "",
                f"Corrected: $$ {erratum.latex_corrected()} $$",
                "",
            ]
        return "\n".join(lines)
