"""minitf.errors: TF1's OpError classes and canonical codes."""
import pickle

import pytest

import minitf as tf
import minitf.errors as errors


@pytest.mark.parametrize("cls,code", [
    (errors.CancelledError, 1), (errors.UnknownError, 2), (errors.InvalidArgumentError, 3),
    (errors.DeadlineExceededError, 4), (errors.NotFoundError, 5), (errors.AlreadyExistsError, 6),
    (errors.PermissionDeniedError, 7), (errors.ResourceExhaustedError, 8),
    (errors.FailedPreconditionError, 9), (errors.AbortedError, 10), (errors.OutOfRangeError, 11),
    (errors.UnimplementedError, 12), (errors.InternalError, 13), (errors.UnavailableError, 14),
    (errors.DataLossError, 15), (errors.UnauthenticatedError, 16)])
def test_codes(cls, code):
    error = cls(None, None, "message")
    assert isinstance(error, errors.OpError) and error.error_code == code
    assert errors.exception_type_from_error_code(code) is cls
    assert error.message == "message"
    assert isinstance(pickle.loads(pickle.dumps(error)), cls)


def test_errors_is_tf_errors():
    assert tf.errors is errors
