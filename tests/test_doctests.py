"""Every `Examples:` section of a docstring runs, and prints what it shows.

The examples are what a reader of the API pages or of `help()` tries first:
each one is run here with `doctest`, module by module, with the module's own
globals (as `python -m doctest` would), and under the suite's warning filters,
so an example whose fit ends unconverged fails too.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import fyslearn

FINDER = doctest.DocTestFinder(exclude_empty=True)
OPTIONS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _modules_with_examples() -> dict[str, list[doctest.DocTest]]:
    names = ["fyslearn"] + [
        info.name for info in pkgutil.walk_packages(fyslearn.__path__, prefix="fyslearn.")
    ]
    found = {}
    for name in sorted(names):
        module = importlib.import_module(name)
        tests = [test for test in FINDER.find(module) if test.examples]
        if tests:
            found[name] = tests
    return found


EXAMPLES = _modules_with_examples()


def test_the_estimators_users_meet_first_have_examples():
    documented = {test.name.rsplit(".", 1)[-1] for tests in EXAMPLES.values() for test in tests}
    first_met = {
        "OLS",
        "Ridge",
        "SGDRegressor",
        "MLPRegressor",
        "MLPClassifier",
        "LogisticRegression",
        "PolynomialDesign",
        "FeedForwardNetwork",
        "SGD",
        "Adam",
        "make_optimizer",
        "make_franke",
        "load_terrain",
        "ConvergenceWarning",
    }
    assert first_met <= documented, sorted(first_met - documented)


@pytest.mark.parametrize("module", sorted(EXAMPLES))
def test_examples_run_and_print_what_they_show(module):
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    failures: list[str] = []
    for test in EXAMPLES[module]:
        runner.run(test, out=lambda text: failures.append(text))
    assert runner.failures == 0, "".join(failures)
