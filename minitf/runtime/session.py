"""TF1's `tf.Session` and `tf.InteractiveSession`: run fetches with feeds through cached plans."""
import concurrent.futures
import threading
import time

import numpy as np

from minitf.framework import dtypes, errors, tensor_util
from minitf.framework.default_graph import get_default_graph
from minitf.framework.default_stack import DefaultStack
from minitf.framework.tensor import Tensor
from minitf.runtime.cancellation import CancellationManager, StepContext, running_step
from minitf.runtime.devices import local_devices, to_host
from minitf.runtime.fetch import FetchMapper
from minitf.runtime.kernel_registry import KernelContext, find_kernel, scalar_or_array
from minitf.runtime.placer import Placer
from minitf.runtime.plan import Plan
from minitf.runtime.resource_manager import ResourceManager


_default_sessions = DefaultStack()


def get_default_session():
    """The innermost session made default in this thread, or None (TF1 `tf.get_default_session`)."""
    return _default_sessions.top()


def session_for_eval(session, graph, what):
    """The session `Tensor.eval`/`Operation.run` should use, with TF1's errors when there is none."""
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(f"Cannot evaluate tensor using `eval()`: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             f"`eval(session=sess)` ({what})")
    if session.graph is not graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph is "
                         "different from the session's graph.")
    return session


class BaseSession:
    """Runs a graph on local devices. Thread-safe: several threads may call `run` at once."""

    def __init__(self, target="", graph=None, config=None):
        if target:
            raise errors.UnimplementedError(None, None, f"Session target {target!r}: only local "
                                            "sessions (target '') are supported")
        self._graph = graph if graph is not None else get_default_graph()
        self._config = config
        self._target = target
        self._closed = False
        self._lock = threading.RLock()
        self._devices = local_devices(config)
        self._resources = ResourceManager()
        self._placer = Placer(self._devices,
                              allow_soft_placement=bool(config and config.allow_soft_placement),
                              log_device_placement=bool(config and config.log_device_placement))
        self._kernels = {}
        self._plans = {}
        self._plans_version = self._graph.version
        self._cancellation = CancellationManager()
        self._pool = None
        self._operation_timeout_ms = config.operation_timeout_in_ms if config is not None else 0
        self._blas_limits = _limit_blas_threads(config)
        self._fetch_mappers = {}
        self._feed_specs = {}
        self._context_stack = []

    # --- properties ---------------------------------------------------------------------------
    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self):
        return self._target

    def list_devices(self):
        return list(self._devices)

    # --- running ------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """TF1 `Session.run`: returns fetched values in the structure of `fetches`."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if self._graph.version != self._plans_version:
            self._drop_plans()
        mapper = self._fetch_mapper(fetches)
        if feed_dict:
            feed_tensors, feed_values = self._process_feeds(feed_dict)
        else:
            feed_tensors = feed_values = ()
        key = (mapper.key, feed_tensors)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._compile(key)
        timeout_ms = (options.timeout_in_ms if options is not None else 0) or self._operation_timeout_ms
        if plan.parallel or timeout_ms > 0:
            return mapper.build(self._run_step(plan, feed_values, options, run_metadata, timeout_ms))
        if options is not None and run_metadata is not None and options.trace_level:
            return mapper.build(plan.run_traced(feed_values, run_metadata))
        return mapper.build(plan.run(feed_values))

    def _run_step(self, plan, feed_values, options, run_metadata, timeout_ms):
        """Runs a plan with a step context: blocking ops in it can be cancelled by close() and
        end at the step's deadline."""
        deadline = time.monotonic() + timeout_ms / 1000.0 if timeout_ms > 0 else None
        step = StepContext(self._cancellation, deadline)
        try:
            with running_step(step):
                if options is not None and run_metadata is not None and options.trace_level:
                    return plan.run_traced(feed_values, run_metadata)
                return plan.run(feed_values)
        finally:
            step.detach()

    @property
    def _blocking_pool(self):
        """Threads for the blocking ops of running steps (created on first use)."""
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=64, thread_name_prefix="minitf-blocking-op")
            return self._pool

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """TF1 `Session.make_callable`: a function running `fetches` with positional feed values."""
        mapper = FetchMapper(self._graph, fetches)
        specs = [self._feed_spec(f) for f in (feed_list or [])]
        key = (mapper.key, tuple(spec.tensor for spec in specs))

        def call(*values, **kwargs):
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if self._graph.version != self._plans_version:
                self._drop_plans()
            plan = self._plans.get(key) or self._compile(key)
            feed_values = [spec.convert(v) for spec, v in zip(specs, values)]
            if plan.parallel or self._operation_timeout_ms > 0:
                return mapper.build(self._run_step(plan, feed_values, None, None, self._operation_timeout_ms))
            return mapper.build(plan.run(feed_values))
        return call

    def _fetch_mapper(self, fetches):
        """The FetchMapper for `fetches`, cached when the fetch argument is hashable."""
        # Keyed by type too: a namedtuple equals the plain tuple of the same tensors.
        key = (type(fetches), fetches)
        try:
            mapper = self._fetch_mappers.get(key)
        except TypeError:  # lists and dicts: map them each time
            return FetchMapper(self._graph, fetches)
        if mapper is None:
            mapper = self._fetch_mappers[key] = FetchMapper(self._graph, fetches)
        return mapper

    def _process_feeds(self, feed_dict):
        tensors, values = [], []
        specs = self._feed_specs
        for key, value in feed_dict.items():
            try:
                spec = specs.get(key)
            except TypeError:
                spec = None
            if spec is None:
                spec = self._feed_spec(key)
            tensors.append(spec.tensor)
            values.append(spec.convert(value))
        return tuple(tensors), values

    def _feed_spec(self, key):
        try:
            tensor = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, ValueError, KeyError) as e:
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
        spec = FeedSpec(tensor)
        try:
            self._feed_specs[key] = spec
        except TypeError:
            pass
        return spec

    def _drop_plans(self):
        with self._lock:
            self._plans = {}
            self._feed_specs = {}  # static shapes may have been refined (set_shape)
            self._plans_version = self._graph.version

    def _compile(self, key):
        with self._lock:
            plan = self._plans.get(key)
            if plan is None:
                (fetch_tensors, targets), feed_tensors = key
                plan = FetchingPlan(self, fetch_tensors, feed_tensors, targets)
                self._plans[key] = plan
            return plan

    def _kernel_for(self, op, device):
        """The session's kernel instance for `op` on `device` (created on first use, then reused)."""
        kernel = self._kernels.get(op)
        if kernel is None:
            factory = find_kernel(op, device.device_type)
            if factory is None:
                raise errors.NotFoundError(None, op, f"No registered '{op.type}' OpKernel for "
                                           f"{device.device_type} devices compatible with node {op.name}")
            with device.context():  # a Const's value is made on its device
                kernel = self._kernels[op] = factory(KernelContext(op, device, self._resources, self))
        return kernel

    # --- lifetime -----------------------------------------------------------------------------
    def close(self):
        """Frees the session's resources; later `run` calls raise RuntimeError."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._cancellation.cancel()  # frees every thread blocked in a queue or reader
            if self._blas_limits is not None:
                self._blas_limits.restore_original_limits()
            if self._pool is not None:
                self._pool.shutdown(wait=False)
            self._plans = {}
            self._kernels = {}
            self._resources.clear()

    def as_default(self):
        return _default_sessions.as_default(self)

    def __enter__(self):
        graph_context = self._graph.as_default()
        session_context = self.as_default()
        graph_context.__enter__()
        session_context.__enter__()
        self._context_stack.append((graph_context, session_context))
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        graph_context, session_context = self._context_stack.pop()
        session_context.__exit__(exc_type, exc_value, traceback)
        graph_context.__exit__(exc_type, exc_value, traceback)
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass


def _limit_blas_threads(config):
    """`intra_op_parallelism_threads` caps the BLAS threads that NumPy's matmuls use while the
    session is open (process-wide: NumPy has one BLAS pool)."""
    threads = config.intra_op_parallelism_threads if config is not None else 0
    if threads <= 0:
        return None
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=threads, user_api="blas")


class FetchingPlan(Plan):
    """A plan whose results are turned into what TF1's run returns (NumPy arrays and scalars)."""

    def run(self, feed_values):
        return [_fetch_value(value, tensor) for value, tensor in
                zip(self.program(feed_values), self.fetch_tensors)]

    def run_traced(self, feed_values, run_metadata):
        return [_fetch_value(value, tensor) for value, tensor in
                zip(super().run_traced(feed_values, run_metadata), self.fetch_tensors)]


def _fetch_value(value, tensor):
    kind = type(value)
    if kind is np.ndarray:
        if value.ndim == 0:
            return value[()]
        # A copy, as TF1 returns: the array may be a variable's storage, updated in place later.
        return value.copy()
    if isinstance(value, np.generic):
        return value
    if hasattr(value, "value") and tensor.dtype.is_ref_dtype:  # a variable's storage
        if value.value is None:
            raise errors.FailedPreconditionError(None, tensor.op, f"Attempting to use uninitialized value {value.name}")
        return _fetch_value(value.value, tensor)
    if hasattr(value, "get") and hasattr(value, "device"):  # a CuPy array: copy it to the host
        return _fetch_value(to_host(value), tensor)
    array = tensor_util.to_numpy(value, tensor.dtype.base_dtype)
    return array[()] if array.ndim == 0 else array


class FeedSpec:
    """How values fed to one tensor are converted and checked (TF1's rules), prepared once."""

    __slots__ = ("tensor", "_dtype", "_numpy_dtype", "_dims", "_scalar_type")

    def __init__(self, tensor):
        self.tensor = tensor
        self._dtype = tensor.dtype.base_dtype
        self._numpy_dtype = self._dtype.as_numpy_dtype
        shape = tensor.shape
        self._dims = None if shape.dims is None else tuple(d.value for d in shape.dims)
        # A NumPy scalar of exactly the right type needs no conversion for a scalar feed.
        self._scalar_type = self._numpy_dtype if self._dims in (None, ()) else None

    def convert(self, value):
        if type(value) is self._scalar_type:
            return value
        if isinstance(value, Tensor):
            raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values "
                            "include Python scalars, strings, lists, numpy ndarrays, or TensorHandles. "
                            f"For reference, the tensor object was {value} which was passed to the "
                            f"feed with key {self.tensor}.")
        dtype = self._dtype
        if isinstance(value, int) and not isinstance(value, bool) and dtype.is_integer:
            if not dtype.min <= value <= dtype.max:
                raise TypeError(f"Type of feed value {value} with type {type(value)} is not compatible "
                                f"with Tensor type {self._numpy_dtype}. Try explicitly setting the "
                                "type of the feed tensor to a larger type (e.g. int64).")
        if dtype == dtypes.string:
            array = tensor_util.to_numpy(value, dtype)
        else:
            array = np.asarray(value, dtype=self._numpy_dtype)
        dims = self._dims
        if dims is not None and (len(dims) != array.ndim or any(
                d is not None and d != s for d, s in zip(dims, array.shape))):
            raise ValueError(f"Cannot feed value of shape {array.shape!r} for Tensor {self.tensor.name}, "
                             f"which has shape {self.tensor.shape}")
        return scalar_or_array(array)


class Session(BaseSession):
    """TF1 `tf.Session(target='', graph=None, config=None)`."""


class InteractiveSession(BaseSession):
    """TF1 `tf.InteractiveSession`: makes itself (and its graph) the default until closed."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._graph_context = self._graph.as_default()
        self._session_context = self.as_default()
        self._graph_context.__enter__()
        self._session_context.__enter__()

    def close(self):
        if not self._closed and hasattr(self, "_session_context"):
            self._session_context.__exit__(None, None, None)
            self._graph_context.__exit__(None, None, None)
        super().close()
