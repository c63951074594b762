"""TF1's `tf.train.Saver`, `tf.train.export_meta_graph` and `tf.train.import_meta_graph`.

A Saver builds TF1's graph structure under the name scope "save":
  save/filename/input (Const "model") -> save/filename, save/Const (PlaceholderWithDefault: the
  checkpoint prefix, fed at save and restore time), save/SaveV2 (with save/SaveV2/tensor_names
  and .../shape_and_slices), save/control_dependency (the prefix, after SaveV2: the save tensor),
  save/RestoreV2 (on /device:CPU:0), one save/Assign[_N] per saveable and the NoOp
  save/restore_all; `saver_def` names them. Checkpoint keys are the variables' op names (or the
  keys of a dict var_list), sorted. Saving runs the save tensor, records the checkpoint in the
  directory's `checkpoint` state file, deletes checkpoints beyond `max_to_keep` (unless
  `keep_checkpoint_every_n_hours` keeps them) and writes `<prefix>.meta`.

Departures: only V2 checkpoints are written (another `write_version` logs a warning);
`sharded=True` builds the single-shard graph (one device holds every variable) and only sets
`saver_def.sharded`; `restore_sequentially` is accepted and ignored, as TF1's default bulk
builder does.
"""
import logging
import os
import time

import numpy as np

from minitf.framework import dtypes, errors, meta_graph
from minitf.framework.default_graph import (colocate_with, device, get_default_graph, name_scope)
from minitf.framework.graph import GraphKeys
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import array_ops, control_flow_ops, io_ops, state_ops
from minitf.ops.op_builder import apply_op
from minitf.ops.variables import Variable
from minitf.proto import saver_pb2
from minitf.train import checkpoint_management, training_util

_LOG = logging.getLogger("minitf")
_VARIABLE_OP_TYPES = ("Variable", "VariableV2", "AutoReloadVariable")


# ======================================================================================
# Saveables: what a checkpoint holds and how it is put back
# ======================================================================================
class SaveSpec:
    """TF1 `BaseSaverBuilder.SaveSpec`: one tensor written under the checkpoint key `name`."""

    def __init__(self, tensor, slice_spec, name, dtype=None, device=None):
        self.tensor = tensor
        self.slice_spec = slice_spec
        self.name = name
        self.dtype = dtype or tensor.dtype.base_dtype
        self.device = device if device is not None else tensor.device


class SaveableObject:
    """TF1 `BaseSaverBuilder.SaveableObject`: `op` is saved as `specs` and put back by `restore`.

    Objects in the SAVEABLE_OBJECTS collection are saved along with the global variables.
    """

    def __init__(self, op, specs, name):
        self.op = op
        self.specs = specs
        self.name = name

    @property
    def device(self):
        return self.specs[0].device

    def restore(self, restored_tensors, restored_shapes):
        """Builds the op that puts `restored_tensors` back (`restored_shapes` when reshaping)."""
        raise NotImplementedError


class ReferenceVariableSaveable(SaveableObject):
    """A ref variable (VariableV2), saved whole and restored by an Assign colocated with it."""

    def __init__(self, var, slice_spec, name):
        super().__init__(var, [SaveSpec(var, slice_spec, name)], name)

    def restore(self, restored_tensors, restored_shapes):
        tensor = restored_tensors[0]
        if restored_shapes is not None:
            tensor = array_ops.reshape(tensor, restored_shapes[0])
        with colocate_with(self.op.op):
            return state_ops.assign(self.op, tensor, validate_shape=restored_shapes is None
                                    and self.op.shape.is_fully_defined())


def _variable_tensor(item):
    """The VariableV2 ref tensor of a Variable or ref tensor; None for anything else."""
    if isinstance(item, Variable):
        return item._ref()
    if isinstance(item, Tensor) and item.op.type in _VARIABLE_OP_TYPES:
        return item
    return None


def op_list_to_dict(op_list):
    """TF1 `saveable_object_util.op_list_to_dict`: {checkpoint key: variable} keyed by op name."""
    if not isinstance(op_list, (list, tuple, set)):
        raise TypeError(f"Variables to save should be passed in a dict or a list: {op_list}")
    names_to_saveables = {}
    for var in sorted(op_list, key=lambda x: getattr(x, "name", "")):
        if isinstance(var, SaveableObject):
            key = var.name
        else:
            tensor = _variable_tensor(var)
            if tensor is None:
                raise TypeError(f"Variable to save is not a Variable: {var}")
            key = tensor.op.name
        if key in names_to_saveables:
            raise ValueError(f"At least two variables have the same name: {key}")
        names_to_saveables[key] = var
    return names_to_saveables


def validate_and_slice_inputs(names_to_saveables):
    """TF1: the SaveableObjects of a var_list (list or dict), sorted by checkpoint key."""
    if not isinstance(names_to_saveables, dict):
        names_to_saveables = op_list_to_dict(names_to_saveables)
    saveables, seen = [], set()
    for name, item in sorted(names_to_saveables.items(), key=lambda pair: pair[0]):
        if isinstance(item, SaveableObject):
            saveable = item
        else:
            tensor = _variable_tensor(item)
            if tensor is None:
                raise TypeError(f"names_to_saveables must be a dict mapping string names to "
                                f"Tensors/Variables. Not a variable: {item}")
            saveable = ReferenceVariableSaveable(tensor, "", name)
        if id(saveable.op) in seen:
            raise ValueError(f"The same saveable will be restored with two names: {name}")
        seen.add(id(saveable.op))
        saveables.append(saveable)
    return saveables


def _all_saveable_objects(scope=None):
    graph = get_default_graph()
    return graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope) + \
        graph.get_collection(GraphKeys.SAVEABLE_OBJECTS, scope)


# ======================================================================================
# The builder: the save and restore ops
# ======================================================================================
class BaseSaverBuilder:
    """TF1 `BulkSaverBuilder`: one SaveV2 and one RestoreV2 for all saveables."""

    SaveSpec = SaveSpec
    SaveableObject = SaveableObject

    def __init__(self, write_version=saver_pb2.SaverDef.V2):
        self._write_version = write_version

    def save_op(self, filename_tensor, saveables):
        specs = [spec for saveable in saveables for spec in saveable.specs]
        return io_ops.save_v2(filename_tensor, [s.name for s in specs], [s.slice_spec for s in specs],
                              [s.tensor for s in specs])

    def bulk_restore(self, filename_tensor, saveables, preferred_shard, restore_sequentially):
        del preferred_shard, restore_sequentially
        specs = [spec for saveable in saveables for spec in saveable.specs]
        # TF1 loads every tensor on CPU 0; Assigns colocated with the variables take them over.
        with device("cpu:0"):
            return io_ops.restore_v2(filename_tensor, [s.name for s in specs],
                                     [s.slice_spec for s in specs], [s.dtype for s in specs])

    def _add_save_ops(self, filename_tensor, saveables):
        save = self.save_op(filename_tensor, saveables)
        with colocate_with(filename_tensor.op):
            return control_flow_ops.with_dependencies([save], filename_tensor)

    def _add_restore_ops(self, filename_tensor, saveables, restore_sequentially, reshape,
                         name="restore_all"):
        tensors = self.bulk_restore(filename_tensor, saveables, -1, restore_sequentially)
        assigns, index = [], 0
        for saveable in saveables:
            shapes = None
            if reshape:
                shapes = [s.tensor.shape.as_list() if s.tensor.shape.is_fully_defined()
                          else array_ops.shape(s.tensor) for s in saveable.specs]
            count = len(saveable.specs)
            assigns.append(saveable.restore(tensors[index:index + count], shapes))
            index += count
        return control_flow_ops.group(*assigns, name=name)

    def _build_internal(self, names_to_saveables, reshape=False, sharded=False, max_to_keep=5,
                        keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                        filename="model", build_save=True, build_restore=True):
        """Builds the ops under scope `name` (default "save") and returns their SaverDef."""
        saveables = validate_and_slice_inputs(names_to_saveables)
        with name_scope(name, "save", [s.op for s in saveables]):
            # Two layers, as in TF1: "filename" holds the default, "Const" (the historical name)
            # is what save and restore feed.
            filename_tensor = apply_op("PlaceholderWithDefault", filename or "model", name="filename",
                                       dtype=dtypes.string, shape=TensorShape([]))
            filename_tensor = apply_op("PlaceholderWithDefault", filename_tensor, name="Const",
                                       shape=TensorShape([]))
            save_tensor = self._add_save_ops(filename_tensor, saveables) if build_save else None
            restore_op = self._add_restore_ops(filename_tensor, saveables, restore_sequentially,
                                               reshape) if build_restore else None
        return saver_pb2.SaverDef(
            filename_tensor_name=filename_tensor.name,
            save_tensor_name=save_tensor.name if save_tensor is not None else "",
            restore_op_name=restore_op.name if restore_op is not None else "",
            max_to_keep=max_to_keep or 0, sharded=sharded,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours, version=self._write_version)


BulkSaverBuilder = BaseSaverBuilder


# ======================================================================================
# Saver
# ======================================================================================
def _restore_error(error, verbiage):
    """TF1's wrapping of a failed restore; a failed Assign also names its variable."""
    message = error.message
    op = error.op
    if op is not None and op.type == "Assign" and op.inputs:
        message = f"{message} (restoring variable '{op.inputs[0].op.name}')"
    return type(error)(error.node_def, op, (
        f"Restoring from checkpoint failed. This is most likely due to {verbiage} from the "
        f"checkpoint. Please ensure that you have not altered the graph expected based on the "
        f"checkpoint. Original error:\n\n{message}"))


class Saver:
    """TF1 `tf.train.Saver`: saves and restores variables (see the module docstring)."""

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=saver_pb2.SaverDef.V2, pad_step_number=False,
                 save_relative_paths=False, filename=None):
        if defer_build and var_list:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either set "
                             "defer_build=False or var_list=None.")
        if write_version != saver_pb2.SaverDef.V2:
            _LOG.warning("minitf writes V2 checkpoints only; write_version=%s is ignored.", write_version)
            write_version = saver_pb2.SaverDef.V2
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        self.saver_def = saver_def
        self._builder = builder
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty = None
        self._write_version = write_version
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._last_checkpoints = []
        self._checkpoints_to_be_deleted = []
        self._save_relative_paths = save_relative_paths
        self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
        if not defer_build:
            self.build()

    def build(self):
        """Builds the save and restore ops (once; called by the constructor unless deferred)."""
        if self._is_built:
            return
        if self.saver_def is None:
            if self._builder is None:
                self._builder = BulkSaverBuilder(self._write_version)
            if self._var_list is None:
                self._var_list = _all_saveable_objects()
            if not self._var_list:
                if self._allow_empty:
                    self._is_empty = self._is_built = True
                    return
                raise ValueError("No variables to save")
            self._is_empty = False
            self.saver_def = self._builder._build_internal(
                self._var_list, reshape=self._reshape, sharded=self._sharded,
                max_to_keep=self._max_to_keep,
                keep_checkpoint_every_n_hours=self._keep_checkpoint_every_n_hours, name=self._name,
                restore_sequentially=self._restore_sequentially, filename=self._filename)
        elif self._name:
            # With a saver_def, `name` is the scope it was imported under (TF1 `from_proto`).
            scoped = saver_pb2.SaverDef()
            scoped.CopyFrom(self.saver_def)
            for field in ("filename_tensor_name", "save_tensor_name", "restore_op_name"):
                setattr(scoped, field, meta_graph.prepend_name_scope(getattr(scoped, field), self._name))
            self.saver_def = scoped
        if not isinstance(self.saver_def, saver_pb2.SaverDef):
            raise ValueError(f"saver_def must be a saver_pb2.SaverDef: {self.saver_def}")
        if not self.saver_def.save_tensor_name:
            raise ValueError(f"saver_def must specify the save_tensor_name: {self.saver_def}")
        if not self.saver_def.restore_op_name:
            raise ValueError(f"saver_def must specify the restore_op_name: {self.saver_def}")
        self._next_checkpoint_time = time.time() + self.saver_def.keep_checkpoint_every_n_hours * 3600
        self._is_built = True

    # --- the checkpoints this saver keeps ----------------------------------------------------
    @property
    def last_checkpoints(self):
        """The prefixes of the kept checkpoints, oldest first."""
        return [path for path, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        if not isinstance(last_checkpoints, list):
            raise AssertionError(f"last_checkpoints must be a list: {last_checkpoints}")
        self._last_checkpoints = [(path, None) for path in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        if not isinstance(last_checkpoints_with_time, list):
            raise AssertionError(f"last_checkpoints must be a list: {last_checkpoints_with_time}")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Takes over the checkpoints an earlier run kept (with their file times)."""
        existing = [p for p in checkpoint_paths if checkpoint_management.checkpoint_exists(p)]
        times = checkpoint_management.get_checkpoint_mtimes(existing)
        self.set_last_checkpoints_with_time(list(zip(existing, times)))

    def _record_last_checkpoint(self, path):
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != path]
        self._last_checkpoints.append((path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix="meta"):
        """Deletes the oldest dropped checkpoint unless it is due to be kept for
        `keep_checkpoint_every_n_hours`."""
        if not self._checkpoints_to_be_deleted:
            return
        path, saved_at = self._checkpoints_to_be_deleted.pop(0)
        if saved_at is not None and saved_at > self._next_checkpoint_time:
            self._next_checkpoint_time += self.saver_def.keep_checkpoint_every_n_hours * 3600
            return
        checkpoint_management.remove_checkpoint(path, self.saver_def.version, meta_graph_suffix)

    # --- save and restore --------------------------------------------------------------------
    def save(self, sess, save_path, global_step=None, latest_filename=None, meta_graph_suffix="meta",
             write_meta_graph=True, write_state=True, strip_default_attrs=False, save_debug_info=False):
        """TF1 `Saver.save`: writes the checkpoint `save_path[-global_step]` and returns its prefix
        (None for an empty saver)."""
        del save_debug_info
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        latest_filename = latest_filename or "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = save_path.decode() if isinstance(save_path, bytes) else str(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = training_util.global_step(sess, global_step)
            step = f"{global_step:08d}" if self._pad_step_number else f"{global_step}"
            checkpoint_file = f"{save_path}-{step}"
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(f"'latest_filename' collides with 'save_path': '{latest_filename}' "
                                 f"and '{save_path}'")
        if not hasattr(sess, "run") or not hasattr(sess, "graph"):
            raise TypeError(f"'sess' must be a Session; {sess}")
        save_dir = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            try:
                model_checkpoint_path = sess.run(self.saver_def.save_tensor_name,
                                                 {self.saver_def.filename_tensor_name: checkpoint_file})
            except (errors.FailedPreconditionError, errors.NotFoundError) as e:
                if not os.path.isdir(save_dir or os.curdir):
                    raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.") from e
                raise
            model_checkpoint_path = model_checkpoint_path.decode() \
                if isinstance(model_checkpoint_path, bytes) else str(model_checkpoint_path)
            if write_state:
                self._record_last_checkpoint(model_checkpoint_path)
                checkpoint_management.update_checkpoint_state_internal(
                    save_dir, model_checkpoint_path, self.last_checkpoints, latest_filename,
                    save_relative_paths=self._save_relative_paths)
                self._maybe_delete_old_checkpoints(meta_graph_suffix)
        if write_meta_graph:
            filename = checkpoint_management.meta_graph_filename(checkpoint_file, meta_graph_suffix)
            with sess.graph.as_default():
                self.export_meta_graph(filename, strip_default_attrs=strip_default_attrs)
        return model_checkpoint_path

    def restore(self, sess, save_path):
        """TF1 `Saver.restore`: assigns the checkpoint's values to the saved variables."""
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = save_path.decode() if isinstance(save_path, bytes) else str(save_path)
        if not checkpoint_management.checkpoint_exists(save_path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}")
        _LOG.info("Restoring parameters from %s", save_path)
        try:
            sess.run(self.saver_def.restore_op_name, {self.saver_def.filename_tensor_name: save_path})
        except errors.NotFoundError as e:
            raise _restore_error(e, "a Variable name or other graph key that is missing") from None
        except errors.InvalidArgumentError as e:
            raise _restore_error(e, "a mismatch between the current graph and the graph") from None

    # --- protos and meta graphs --------------------------------------------------------------
    def as_saver_def(self):
        return self.saver_def

    def to_proto(self, export_scope=None):
        """TF1 `Saver.to_proto`: the SaverDef with `export_scope` stripped (None outside it)."""
        if export_scope is None:
            return self.saver_def
        names = [self.saver_def.filename_tensor_name, self.saver_def.save_tensor_name,
                 self.saver_def.restore_op_name]
        if not all(n.startswith(export_scope) for n in names):
            return None
        proto = saver_pb2.SaverDef()
        proto.CopyFrom(self.saver_def)
        for field, name in zip(("filename_tensor_name", "save_tensor_name", "restore_op_name"), names):
            setattr(proto, field, meta_graph.strip_name_scope(name, export_scope))
        return proto

    @staticmethod
    def from_proto(saver_def, import_scope=None):
        return Saver(saver_def=saver_def, name=import_scope)

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False, export_scope=None,
                          clear_devices=False, clear_extraneous_savers=False,
                          strip_default_attrs=False, save_debug_info=False):
        """TF1 `Saver.export_meta_graph`: the default graph with this saver's SaverDef."""
        return export_meta_graph(
            filename=filename, graph_def=get_default_graph().as_graph_def(add_shapes=True),
            saver_def=self.saver_def, collection_list=collection_list, as_text=as_text,
            export_scope=export_scope, clear_devices=clear_devices,
            clear_extraneous_savers=clear_extraneous_savers, strip_default_attrs=strip_default_attrs,
            save_debug_info=save_debug_info)


meta_graph.register_proto_function(GraphKeys.SAVERS, saver_pb2.SaverDef,
                                   lambda saver, export_scope=None: saver.to_proto(export_scope),
                                   Saver.from_proto)


# ======================================================================================
# Meta graphs
# ======================================================================================
def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False, strip_default_attrs=False,
                      save_debug_info=False, **kwargs):
    """TF1 `tf.train.export_meta_graph`: the MetaGraphDef (written to `filename` when given)."""
    meta_graph_def, _ = meta_graph.export_scoped_meta_graph(
        filename=filename, meta_info_def=meta_info_def, graph_def=graph_def, saver_def=saver_def,
        collection_list=collection_list, as_text=as_text, graph=graph, export_scope=export_scope,
        clear_devices=clear_devices, clear_extraneous_savers=clear_extraneous_savers,
        strip_default_attrs=strip_default_attrs, save_debug_info=save_debug_info, **kwargs)
    return meta_graph_def


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """TF1 `tf.train.import_meta_graph`: imports the graph and collections into the default graph
    and returns a Saver over them (None when there is nothing to save)."""
    return _import_meta_graph_with_return_elements(meta_graph_or_file, clear_devices, import_scope,
                                                   **kwargs)[0]


def _import_meta_graph_with_return_elements(meta_graph_or_file, clear_devices=False, import_scope=None,
                                            return_elements=None, **kwargs):
    if isinstance(meta_graph_or_file, str) or isinstance(meta_graph_or_file, os.PathLike):
        meta_graph_or_file = meta_graph.read_meta_graph_file(os.fspath(meta_graph_or_file))
    variables, elements = meta_graph.import_scoped_meta_graph(
        meta_graph_or_file, clear_devices=clear_devices, import_scope=import_scope,
        return_elements=return_elements, **kwargs)
    return _saver_for_imported(meta_graph_or_file, import_scope, variables), elements


def _saver_for_imported(meta_graph_def, import_scope, variables):
    """TF1 `_create_saver_from_imported_meta_graph`."""
    if meta_graph_def.HasField("saver_def"):
        scope = import_scope
        if variables:
            key, variable = next(iter(variables.items()))
            scope = variable.name[:-len(key)]
        return Saver(saver_def=meta_graph_def.saver_def, name=scope)
    if _all_saveable_objects(scope=import_scope):
        return Saver()
    _LOG.info("Saver not created because there are no variables in the graph to restore")
    return None
