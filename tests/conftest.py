"""Shared fixtures, and the property tests' settings."""

import numpy as np
import pytest
from hypothesis import settings

# No time limit per example: the machines that run the suite are shared, and a
# test's verdict must not depend on how busy they are (timings belong in benchmarks/).
settings.register_profile("fyslearn", deadline=None)
settings.load_profile("fyslearn")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20201113)
