"""Shared test setup: each test starts with a fresh default graph and no default session."""
import pathlib
import sys

import pytest

# Harness helpers (tests/ops/harness.py) are imported as plain modules by the op tables.
sys.path.insert(0, str(pathlib.Path(__file__).parent / "ops"))

import minitf as tf  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_default_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()
