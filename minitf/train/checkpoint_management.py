"""Finding, listing and reading checkpoints: TF1's `checkpoint_management.py` and `checkpoint_utils.py`.

The text `checkpoint` state file in a checkpoint directory names the newest checkpoint
(`model_checkpoint_path`) and the ones still kept (`all_model_checkpoint_paths`). Paths are
written as the Saver gives them, made relative to the directory when the directory is relative
(or with `save_relative_paths`), and read back joined to the directory. A checkpoint is a
prefix: `<prefix>.index` + `<prefix>.data-00000-of-00001` (+ `<prefix>.meta`).
"""
import logging
import os
import re

from google.protobuf import text_format

from minitf.framework import dtypes, errors
from minitf.framework.tensor_shape import TensorShape
from minitf.proto import checkpoint_state_pb2, saver_pb2
from minitf.train import tensor_bundle

_LOG = logging.getLogger("minitf")
_STATE_FILENAME = "checkpoint"


# ======================================================================================
# File names
# ======================================================================================
def _state_path(save_dir, latest_filename=None):
    return os.path.join(save_dir, latest_filename or _STATE_FILENAME)


def meta_graph_filename(checkpoint_filename, meta_graph_suffix="meta"):
    """TF1 `meta_graph_filename`: "<prefix>.meta" (a sharded name's "-?????-of-N" removed)."""
    base = re.sub(r"-[\d\?]+-of-\d+$", "", checkpoint_filename)
    return f"{base}.{meta_graph_suffix}"


def checkpoint_exists(checkpoint_prefix):
    """TF1 `tf.train.checkpoint_exists`: whether a V2 checkpoint with this prefix exists."""
    return tensor_bundle.checkpoint_exists(checkpoint_prefix)


def _checkpoint_files(prefix, meta_graph_suffix="meta"):
    return [f"{prefix}.index", f"{prefix}.data-00000-of-00001",
            meta_graph_filename(prefix, meta_graph_suffix)]


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=saver_pb2.SaverDef.V2,
                      meta_graph_suffix="meta"):
    """TF1 `remove_checkpoint`: deletes a checkpoint's files (missing ones are ignored)."""
    del checkpoint_format_version
    for path in _checkpoint_files(checkpoint_prefix, meta_graph_suffix):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def get_checkpoint_mtimes(checkpoint_prefixes):
    """TF1 `get_checkpoint_mtimes`: the modification time of each existing checkpoint."""
    return [os.path.getmtime(f"{p}.index") for p in checkpoint_prefixes if os.path.exists(f"{p}.index")]


# ======================================================================================
# The `checkpoint` state file
# ======================================================================================
def _relative_to(path, directory):
    return os.path.relpath(path, directory or os.curdir)


def generate_checkpoint_state_proto(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
    """TF1 `generate_checkpoint_state_proto`: the newest path is appended to the kept ones when
    missing; with a relative `save_dir`, relative paths are made relative to it."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps and len(all_model_checkpoint_timestamps) != len(paths):
        raise ValueError(f"Checkpoint timestamps, if provided, must match checkpoint paths "
                         f"({len(all_model_checkpoint_timestamps)} vs {len(paths)})")
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = _relative_to(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else _relative_to(p, save_dir) for p in paths]
    state = checkpoint_state_pb2.CheckpointState(
        model_checkpoint_path=model_checkpoint_path, all_model_checkpoint_paths=paths,
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps or [])
    if last_preserved_timestamp is not None:
        state.last_preserved_timestamp = last_preserved_timestamp
    return state


def update_checkpoint_state_internal(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                                     latest_filename=None, save_relative_paths=False,
                                     all_model_checkpoint_timestamps=None, last_preserved_timestamp=None):
    """Writes the state file atomically (what `Saver.save` calls)."""
    if save_relative_paths:
        model_checkpoint_path = model_checkpoint_path if not os.path.isabs(model_checkpoint_path) \
            else _relative_to(model_checkpoint_path, save_dir)
        all_model_checkpoint_paths = [p if not os.path.isabs(p) else _relative_to(p, save_dir)
                                      for p in all_model_checkpoint_paths or []]
    state = generate_checkpoint_state_proto(save_dir, model_checkpoint_path, all_model_checkpoint_paths,
                                            all_model_checkpoint_timestamps, last_preserved_timestamp)
    state_path = _state_path(save_dir, latest_filename)
    if state_path == state.model_checkpoint_path:
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used for "
                           f"checkpoint state.  Please use a different save path.")
    temp = f"{state_path}.tmp{os.getpid()}"
    with open(temp, "w") as f:
        f.write(text_format.MessageToString(state))
    os.replace(temp, state_path)


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None):
    """TF1 `tf.train.update_checkpoint_state`."""
    update_checkpoint_state_internal(save_dir, model_checkpoint_path, all_model_checkpoint_paths,
                                     latest_filename, False, all_model_checkpoint_timestamps,
                                     last_preserved_timestamp)


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """TF1 `tf.train.get_checkpoint_state`: the CheckpointState with paths joined to
    `checkpoint_dir`, or None when there is no (readable) state file."""
    state_path = _state_path(checkpoint_dir, latest_filename)
    if not os.path.isfile(state_path):
        return None
    state = checkpoint_state_pb2.CheckpointState()
    try:
        with open(state_path) as f:
            text_format.Merge(f.read(), state)
    except (text_format.ParseError, UnicodeDecodeError, OSError) as e:
        _LOG.warning("%s: %s", type(e).__name__, e)
        _LOG.warning("%s: Checkpoint ignored", state_path)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    for i, path in enumerate(state.all_model_checkpoint_paths):
        if not os.path.isabs(path):
            state.all_model_checkpoint_paths[i] = os.path.join(checkpoint_dir, path)
    return state


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """TF1 `tf.train.latest_checkpoint`: the newest checkpoint's prefix, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _LOG.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


# ======================================================================================
# Reading checkpoints (TF1's CheckpointReader and checkpoint_utils)
# ======================================================================================
class CheckpointReader:
    """TF1 `pywrap_tensorflow.CheckpointReader`, over a V2 bundle."""

    def __init__(self, prefix):
        prefix = prefix.decode() if isinstance(prefix, bytes) else str(prefix)
        if not checkpoint_exists(prefix):
            raise errors.NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: "
                                                   f"Failed to find any matching files for {prefix}")
        self._reader = tensor_bundle.BundleReader(prefix)

    def _entries(self):
        return {name: self._reader.entry(name) for name in sorted(self._reader.keys())}

    def has_tensor(self, tensor_str):
        return self._reader.has(tensor_str)

    def get_tensor(self, tensor_str):
        """The stored value (a NumPy scalar for a 0-d tensor); NotFoundError for an unknown key."""
        if not self._reader.has(tensor_str):
            raise errors.NotFoundError(None, None, f"Key {tensor_str} not found in checkpoint")
        value = self._reader.read(tensor_str)
        return value[()] if value.ndim == 0 else value

    def get_variable_to_shape_map(self):
        return {name: TensorShape(shape).as_list() for name, (_, shape) in self._entries().items()}

    def get_variable_to_dtype_map(self):
        return {name: dtypes.as_dtype(dtype) for name, (dtype, _) in self._entries().items()}

    def debug_string(self):
        """One line per tensor, "name (DT_FLOAT) [2,3]", as bytes (TF1's format)."""
        from minitf.proto import types_pb2
        lines = [f"{name} ({types_pb2.DataType.Name(dtypes.as_dtype(dtype).as_datatype_enum)}) "
                 f"[{','.join(str(d) for d in TensorShape(shape).as_list())}]\n"
                 for name, (dtype, shape) in self._entries().items()]
        return "".join(lines).encode()


def NewCheckpointReader(filepattern):  # noqa: N802 - TF1's name
    """TF1 `tf.train.NewCheckpointReader`."""
    return CheckpointReader(filepattern)


def _checkpoint_prefix(ckpt_dir_or_file):
    """A directory means its newest checkpoint; anything else is taken as a prefix."""
    if os.path.isdir(ckpt_dir_or_file):
        prefix = latest_checkpoint(ckpt_dir_or_file)
        if prefix is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory "
                             f"{ckpt_dir_or_file}")
        return prefix
    return ckpt_dir_or_file


def load_checkpoint(ckpt_dir_or_file):
    """TF1 `tf.train.load_checkpoint`: a CheckpointReader for a directory's newest checkpoint or a prefix."""
    return CheckpointReader(_checkpoint_prefix(ckpt_dir_or_file))


def list_variables(ckpt_dir_or_file):
    """TF1 `tf.train.list_variables`: sorted (name, shape) pairs."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


def load_variable(ckpt_dir_or_file, name):
    """TF1 `tf.train.load_variable`: one stored value ("w:0" means "w")."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)
