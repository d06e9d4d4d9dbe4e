"""Checks on what a model folder holds, before anything trusts it (pure functions, no torch at import).

A model folder is data from anywhere. The loaders check its *structure* (keys, shapes); these functions check
its *values* first, so that a hostile or broken folder is refused with one sentence instead of allocating a
terabyte, looping for ever, waiting on a FIFO or reading outside the folder:

- every file is a regular file (a FIFO, device or directory is refused without being opened);
- JSON files are size-capped objects (deep nesting is a clear error, not a RecursionError);
- config values have the types of the config's fields and sane ranges;
- the sizes a config describes are checked against the weight files' headers, read without loading tensors;
- shard paths in an index stay inside the model folder;
- tensors hold only finite numbers;
- a tokenizer's ids fit the model's vocabulary.

They are written over plain values and getattr, so that they apply to every model family's config.
"""

from __future__ import annotations

import json
import math
import os
import stat
import struct
from collections.abc import Callable, Iterable
from dataclasses import fields as dataclass_fields
from dataclasses import is_dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from bertviz_app.engine.errors import CheckpointError, ConfigError, EngineError, TokenizerError

MAX_JSON_BYTES = 32 * 2**20  # config.json, tokenizer_config.json, a shard index: kilobytes in real folders
MAX_SAFETENSORS_HEADER = 100 * 2**20  # safetensors' own limit for the JSON header
MAX_LAYERS = 1024  # a forward over more layers than this (shared-weight families) would never end
SIZE_SLACK_FACTOR, SIZE_SLACK = 2, 1_000_000  # see check_sizes_against_weights
MIN_MAX_LENGTH = 3  # [CLS], one token, [SEP]

# config fields that count things: each a positive int
POSITIVE_INT_FIELDS = (
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "max_position_embeddings",
    "type_vocab_size",
    "embedding_size",
    "num_hidden_groups",
    "inner_group_num",
    "global_attn_every_n_layers",
)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def is_regular_file(path: str | os.PathLike) -> bool:
    """True for an existing regular file (symlinks followed); never opens it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def regular_file(path: str | os.PathLike, error: Callable[[str], EngineError] = CheckpointError) -> Path:
    """`path`, if it is a regular file; else `error(message)`. A missing file raises FileNotFoundError.

    Only stat() is called: opening a FIFO or a device to read it could wait for ever (or never end).
    """
    path = Path(path)
    mode = os.stat(path).st_mode  # FileNotFoundError for the caller to phrase
    if not stat.S_ISREG(mode):
        raise error(f"{path} is {_kind(mode)}, not a file; it is not read")
    return path


def read_json_object(
    path: str | os.PathLike, error: Callable[[str], EngineError], max_bytes: int = MAX_JSON_BYTES
) -> dict:
    """The JSON object in the regular file `path`, or `error(one line)`. A missing file raises FileNotFoundError."""
    path = regular_file(path, error)
    size = path.stat().st_size
    if size > max_bytes:
        raise error(f"{path} is {size:,} bytes, too large for a JSON settings file (at most {max_bytes:,})")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except RecursionError:
        raise error(f"{path} is nested too deeply to be a model's JSON file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise error(f"{path} is not readable JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise error(f"{path} does not hold a JSON object")
    return raw


# ---- config values -----------------------------------------------------------------------------------
def check_config_types(config_class: type, values: dict, source: str) -> None:
    """Each value has the type of the field it goes into (the field's default says which): ints are ints
    (not 12.0, not true), floats are finite numbers, flags are true/false, names are strings."""
    if not is_dataclass(config_class):
        return
    for f in dataclass_fields(config_class):
        if f.name not in values:
            continue
        value, default = values[f.name], f.default
        if isinstance(default, bool):
            ok, expected = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok, expected = isinstance(value, int) and not isinstance(value, bool), "a whole number"
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            expected = "a finite number"
        elif isinstance(default, str):
            ok, expected = isinstance(value, str), "a string"
        else:
            continue
        if not ok:
            raise ConfigError(f"{source}: {f.name} must be {expected}, not {_short(value)}")


def check_config_values(cfg, source: str = "config.json") -> None:
    """Ranges of a parsed config (any family: fields it lacks are skipped)."""
    for name in POSITIVE_INT_FIELDS:
        value = getattr(cfg, name, None)
        if value is not None and value < 1:
            raise ConfigError(f"{source}: {name} must be a positive number, not {value}")
    layers = getattr(cfg, "num_hidden_layers", None)
    if layers is not None and layers > MAX_LAYERS:
        raise ConfigError(f"{source}: num_hidden_layers {layers} is more than the {MAX_LAYERS} we run")
    heads, hidden = getattr(cfg, "num_attention_heads", None), getattr(cfg, "hidden_size", None)
    if heads is not None and hidden is not None and heads > hidden:
        raise ConfigError(f"{source}: num_attention_heads {heads} is more than hidden_size {hidden}")
    eps = getattr(cfg, "layer_norm_eps", None)
    if eps is not None and not (math.isfinite(eps) and 0 < eps < 1):
        raise ConfigError(f"{source}: layer_norm_eps must be a small positive number, not {eps}")
    pad, vocab = getattr(cfg, "pad_token_id", None), getattr(cfg, "vocab_size", None)
    if pad is not None and vocab is not None and not 0 <= pad < vocab:
        raise ConfigError(f"{source}: pad_token_id {pad} is outside the vocabulary (0 to {vocab - 1})")


def minimum_weights(cfg) -> int:
    """A lower bound on the number of weights a model of this config holds, whatever its family.

    Only tensors every such model must store are counted: the word embeddings, the position table (when
    positions are learned), the token-type table, and per distinct layer the four attention projections and
    the two feed-forward matrices. Layers shared across depth (ALBERT) count once.
    """
    vocab = getattr(cfg, "vocab_size", 0) or 0
    hidden = getattr(cfg, "hidden_size", 0) or 0
    embed = getattr(cfg, "embedding_size", None) or hidden
    intermediate = getattr(cfg, "intermediate_size", 0) or 0
    layers = getattr(cfg, "num_hidden_layers", 0) or 0
    family = getattr(cfg, "family", None)
    distinct = layers
    if getattr(family, "shared_layers", False):
        distinct = min(layers, (getattr(cfg, "num_hidden_groups", 1) or 1) * (getattr(cfg, "inner_group_num", 1) or 1))
    total = vocab * embed
    if getattr(family, "token_types", True):
        total += (getattr(cfg, "type_vocab_size", 0) or 0) * embed
    if getattr(family, "positions", "absolute") != "rotary":
        total += (getattr(cfg, "max_position_embeddings", 0) or 0) * embed
    total += distinct * (4 * hidden * hidden + 2 * hidden * intermediate)
    return total


def safetensors_elements(path: str | os.PathLike) -> int:
    """The number of values in a safetensors file, from its header alone (no tensor is read)."""
    path = regular_file(path, CheckpointError)
    corrupt = "the weights file is corrupt, truncated or not a checkpoint"
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise CheckpointError(f"{corrupt}: it is shorter than a safetensors header", path)
        (length,) = struct.unpack("<Q", head)
        if length > min(MAX_SAFETENSORS_HEADER, path.stat().st_size - 8):
            raise CheckpointError(f"{corrupt}: its header size {length:,} does not fit the file", path)
        try:
            header = json.loads(f.read(length).decode("utf-8"))
            return sum(math.prod(int(d) for d in v["shape"]) for k, v in header.items() if k != "__metadata__")
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            raise CheckpointError(f"{corrupt}: its header is not valid ({type(exc).__name__})", path) from None


def weight_elements(files: Iterable[str | os.PathLike]) -> int:
    """An upper bound on the values in the weight files: exact for safetensors, the byte size for others
    (a .bin cannot be measured without unpickling it, and no value takes less than one byte)."""
    total = 0
    for path in files:
        if not os.path.lexists(path):
            continue  # the loader says which shard is missing
        if str(path).endswith(".safetensors"):
            total += safetensors_elements(path)
        else:
            total += regular_file(path, CheckpointError).stat().st_size
    return total


def check_sizes_against_weights(cfg, files: list, source: str = "config.json") -> None:
    """Refuse a config that describes a model far larger than the weights on disk, before anything is built
    (a hidden_size of 2**20 next to a 100 kB file would otherwise ask for terabytes).

    Far larger: more than twice the weights held, plus a million. Such a model cannot be these weights, and
    building it could exhaust memory; a smaller mismatch is cheap to build and gets the loader's exact
    message about the first key or shape that differs.
    """
    needed, held = minimum_weights(cfg), weight_elements(files)
    if needed > SIZE_SLACK_FACTOR * held + SIZE_SLACK:
        raise ConfigError(
            f"{source} describes a model of at least {needed:,} weights, but its weight files hold {held:,}; "
            "the config does not belong to these weights"
        )


# ---- weight files --------------------------------------------------------------------------------------
def shard_path(folder: Path, name, index: Path) -> Path:
    """The file a shard index names, refused unless it is a plain relative name inside `folder`.

    Checked on the name, not on the resolved path: the Hugging Face cache links snapshot files to blobs
    outside the snapshot folder, legitimately; what a link points to is then checked as a regular file.
    """
    if not isinstance(name, str) or not name.strip():
        raise CheckpointError(f"the shard index names a shard that is not a file name: {_short(name)}", index)
    pure, windows = PurePosixPath(name), PureWindowsPath(name)
    if pure.is_absolute() or windows.is_absolute() or windows.drive or ".." in pure.parts or ".." in windows.parts:
        raise CheckpointError(f"the shard index names a file outside the model folder: {name!r}", index)
    return folder / name


def first_non_finite(state: dict) -> str | None:
    """The name of the first floating-point tensor holding NaN or an infinity, else None."""
    import torch

    # A NaN or an infinity anywhere makes the sum non-finite, so a finite sum clears a tensor without the
    # temporary boolean tensor of isfinite(t); only a non-finite sum (or an overflow of large finite values) is
    # checked value by value. See the README's Reliability section for what it costs.
    for key, tensor in state.items():
        floating = isinstance(tensor, torch.Tensor) and tensor.is_floating_point()
        if floating and not bool(torch.isfinite(tensor.sum())) and not bool(torch.isfinite(tensor).all()):
            return key
    return None


def check_finite(state: dict, path: str | os.PathLike) -> None:
    key = first_non_finite(state)
    if key is not None:
        raise CheckpointError(
            "the weight holds NaN or infinite values, so every output would be meaningless", path, key
        )


# ---- tokenizer ---------------------------------------------------------------------------------------
def check_tokenizer_fits(largest_id: int, max_length: int, vocab_size: int, source: str) -> None:
    """A tokenizer must only produce ids the model has embeddings for, and leave room for one token."""
    if largest_id >= vocab_size:
        raise TokenizerError(
            f"the tokenizer {source} has token ids up to {largest_id}, but the model's vocabulary has only "
            f"{vocab_size} entries (0 to {vocab_size - 1}); they do not belong together"
        )
    if max_length < MIN_MAX_LENGTH:
        raise TokenizerError(
            f"the maximum input length of {source} is {max_length} tokens; at least {MIN_MAX_LENGTH} are "
            "needed ([CLS], a word, [SEP])"
        )


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
