"""Runs every case of every `cases_*.py` table and checks that the tables cover every registered op."""
import importlib
import pathlib

import pytest

import minitf  # registers every op and kernel
from minitf.framework.op_def import registered_ops

from harness import check_case, check_gradient

_HERE = pathlib.Path(__file__).parent
_MODULES = sorted(p.stem for p in _HERE.glob("cases_*.py"))
CASES = [case for module in _MODULES for case in importlib.import_module(module).CASES]
PARAMS = [pytest.param(case, dtype, id=case.id(dtype)) for case in CASES for dtype in case.dtypes]


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_op_case(case, dtype):
    check_case(case, dtype)


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_op_case_on_fake_gpu(case, dtype, monkeypatch):
    """The same table pinned to a NumPy-backed fake GPU: GPU kernel registration, placement with
    soft fallback for host-only dtypes, and transfers between memory spaces."""
    monkeypatch.setenv("MINITF_FAKE_GPUS", "1")
    check_case(case, dtype, device="/gpu:0")


@pytest.mark.gpu
@pytest.mark.parametrize("case,dtype", PARAMS)
def test_op_case_on_gpu(case, dtype):
    """The table on a real GPU through CuPy (run with `pytest -m gpu` on a GPU machine)."""
    if not minitf.test.is_gpu_available():
        pytest.skip("no GPU: CuPy or a device is missing")
    check_case(case, dtype, device="/gpu:0")


GRADIENT_CASES = [pytest.param(case, id=case.id(minitf.float64)) for case in CASES if case.checks_gradient()]


@pytest.mark.parametrize("case", GRADIENT_CASES)
def test_op_gradient(case):
    check_gradient(case)


def test_every_registered_op_has_a_case():
    covered = {case.op_type for case in CASES}
    missing = sorted(set(registered_ops()) - covered)
    assert not missing, f"ops without a harness case: {missing}"


def test_every_differentiable_op_has_a_gradient_check():
    checked = {case.op_type for case in CASES if case.checks_gradient()}
    differentiable = {name for name, op_def in registered_ops().items() if op_def.differentiable}
    missing = sorted(differentiable - checked)
    assert not missing, f"differentiable ops without a finite-difference check: {missing}"
