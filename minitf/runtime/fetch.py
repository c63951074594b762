"""Fetch structures: flatten what `Session.run` is asked for, then rebuild the same structure from values."""
import collections

from minitf.framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from minitf.framework.operation import Operation


class FetchMapper:
    """Resolves a (nested) fetch argument against a graph.

    `tensors` and `targets` are the unique graph elements to compute; `build(values)` maps the
    values of `tensors` back into the caller's structure (None for ops), as TF1's run returns.
    """

    def __init__(self, graph, fetches):
        self.tensors = []
        self.targets = []
        self._tensor_index = {}
        self._build = self._mapper(graph, fetches)
        self.key = (tuple(self.tensors), tuple(self.targets))

    def build(self, values):
        return self._build(values)

    def _mapper(self, graph, fetch):
        if fetch is None:
            raise TypeError("Argument `fetch` = None has invalid type \"NoneType\". Cannot be None")
        if isinstance(fetch, (list, tuple)) and not isinstance(fetch, str):
            parts = [self._mapper(graph, f) for f in fetch]
            if _is_namedtuple(fetch):
                return lambda values: type(fetch)(*[p(values) for p in parts])
            container = type(fetch)
            return lambda values: container(p(values) for p in parts)
        if isinstance(fetch, IndexedSlices):  # fetched as TF1 does: an IndexedSlicesValue
            parts = [self._mapper(graph, t) for t in (fetch.values, fetch.indices)]
            shape = self._mapper(graph, fetch.dense_shape) if fetch.dense_shape is not None else None
            return lambda values: IndexedSlicesValue(*(p(values) for p in parts),
                                                     shape(values) if shape is not None else None)
        if isinstance(fetch, collections.abc.Mapping):
            keys = list(fetch.keys())
            parts = [self._mapper(graph, fetch[k]) for k in keys]
            container = type(fetch) if not isinstance(fetch, collections.defaultdict) else dict
            return lambda values: container(zip(keys, (p(values) for p in parts)))
        element = self._element(graph, fetch)
        if isinstance(element, Operation):
            if element not in self.targets:
                self.targets.append(element)
            return lambda values: None
        index = self._tensor_index.get(element)
        if index is None:
            index = self._tensor_index[element] = len(self.tensors)
            self.tensors.append(element)
        return lambda values: values[index]

    @staticmethod
    def _element(graph, fetch):
        try:
            return graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except TypeError as e:
            raise TypeError(f"Argument `fetch` = {fetch!r} has invalid type \"{type(fetch).__name__}\" "
                            f"must be a string or Tensor. ({e})") from None
        except (ValueError, KeyError) as e:
            raise ValueError(f"Argument `fetch` = {fetch} cannot be interpreted as a Tensor. ({e})") from None


def _is_namedtuple(value):
    return isinstance(value, tuple) and hasattr(type(value), "_fields")
