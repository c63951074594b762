"""Runs every case of every `cases_*.py` table and checks that the tables cover every registered op."""
import importlib
import pathlib

import pytest

import minitf  # noqa: F401 - registers every op and kernel
from minitf.framework.op_def import registered_ops

from harness import check_case

_HERE = pathlib.Path(__file__).parent
_MODULES = sorted(p.stem for p in _HERE.glob("cases_*.py"))
CASES = [case for module in _MODULES for case in importlib.import_module(module).CASES]
PARAMS = [pytest.param(case, dtype, id=case.id(dtype)) for case in CASES for dtype in case.dtypes]


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_op_case(case, dtype):
    check_case(case, dtype)


def test_every_registered_op_has_a_case():
    covered = {case.op_type for case in CASES}
    missing = sorted(set(registered_ops()) - covered)
    assert not missing, f"ops without a harness case: {missing}"
