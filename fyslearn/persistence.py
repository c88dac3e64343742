"""Save and load fitted estimators without pickle, checked against a schema.

A model file is one `.npz` archive: every learned array is a `.npy` member,
and a JSON document (member `__fyslearn__.npy`, a text array) records the
estimator's class, its parameters and where each learned attribute is stored.
The archive comment holds the SHA-256 of everything before it, so a file
damaged anywhere (a flipped bit in an array, a header or a timestamp) is
refused.

Loading trusts nothing in the file. In this order, and before any array is
decompressed or allocated, [`load`][fyslearn.persistence.load] checks

1. the size of the file, the number of members and the checksum, from the
   zip directory (never more than `MAX_MEMBERS` entries are parsed);
2. the members' sizes against `max_bytes` and the JSON document's size
   (`MAX_METADATA_BYTES`) and nesting depth (`MAX_JSON_DEPTH`);
3. the class, taken only from `LOADABLE` (imported on demand, so
   `fyslearn.load` works right after `import fyslearn`), and its parameters,
   against the class's table `parameter_constraints`
   (`validate_params` of `fyslearn._params`, as `fit` checks them);
4. the attribute names, only those the class declares (never `predict` or
   `__dict__`), and the counts `n_features_in_`, `n_outputs_`, `n_iter_`;
5. the dtype and shape of every array, from its `.npy` header, against the
   dtype and shape the parameters and counts imply (a kernel of layer $l$ has
   shape $(n_{l-1}, n_l)$ and the estimator's dtype);

and then reads the arrays and refuses NaN, infinite or unsorted values where
the model cannot have them. Every refusal is a `ValueError` naming the file.

```python
path = model.save("model.npz")
same = fyslearn.load(path)
```
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import itertools
import json
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier

from ._params import hidden_sizes, output_layer, unsaved_params, validate_params

__all__ = [
    "LOADABLE",
    "MAX_JSON_DEPTH",
    "MAX_MEMBERS",
    "MAX_METADATA_BYTES",
    "MAX_MODEL_BYTES",
    "PersistenceMixin",
    "load",
    "save",
]

FORMAT = "fyslearn-estimator"
FORMAT_VERSION = 2
METADATA_KEY = "__fyslearn__"

MAX_MODEL_BYTES = 256 * 2**20
"""Largest total size of a model's arrays that `load` reads by default, in bytes."""
MAX_METADATA_BYTES = 2**20
"""Largest JSON document, in bytes of its `.npy` member (4 bytes per character)."""
MAX_JSON_DEPTH = 16
"""Deepest nesting of lists and objects in the JSON document."""
MAX_MEMBERS = 1024
"""Most members of one archive (a network has two per layer)."""

LOADABLE: dict[str, str] = {
    "fyslearn.linear_model.OLS": "fyslearn.linear_model",
    "fyslearn.linear_model.Ridge": "fyslearn.linear_model",
    "fyslearn.linear_model.SGDRegressor": "fyslearn.linear_model",
    "fyslearn.features.PolynomialDesign": "fyslearn.features",
    "fyslearn.nn.estimators.MLPRegressor": "fyslearn.nn.estimators",
    "fyslearn.nn.estimators.MLPClassifier": "fyslearn.nn.estimators",
    "fyslearn.nn.estimators.LogisticRegression": "fyslearn.nn.estimators",
}
"""The estimators `load` may create: name in the file -> defining module, imported on demand."""

_CHECKSUM_PREFIX = b"fyslearn-sha256:"
_CHECKSUM_LENGTH = len(_CHECKSUM_PREFIX) + 64
_END_RECORD = struct.Struct("<4s4H2LH")  # zip "end of central directory" record
_MEMBER_NAME = re.compile(r"(__fyslearn__|a[0-9]{1,6})\.npy")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class PersistenceMixin:
    """Adds [`save`][fyslearn.persistence.save] to the estimators listed in `LOADABLE`.

    Learned attributes (names ending in `_`, documented in each estimator's
    Attributes) are saved; the schema in this module declares, per class,
    which ones exist and their dtypes and shapes, from the parameters. The
    parameters are those of the class's table `parameter_constraints`; the ones
    its table marks as never saved (validation data) are saved as `None`.
    Attributes rebuilt from the others are listed in `_transient_attributes`
    and restored by `_after_load()`.
    """

    _transient_attributes: tuple[str, ...] = ()

    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted estimator to `path` (`.npz` is appended if missing).

        See [`save`][fyslearn.persistence.save].
        """
        return save(self, path)

    def _record_fitted_params(self) -> None:
        """Remember the parameters this fit used: `fit` calls it last, once the model is fitted.

        [`save`][fyslearn.persistence.save] compares them with the current
        parameters, so that a model whose parameters were changed after `fit`
        (by `set_params`) is never written as a model it is not.
        """
        self._fitted_params = copy.deepcopy(_savable_params(self))

    def _after_load(self) -> None:
        """Rebuild transient attributes after [`load`][fyslearn.persistence.load] (none here)."""


class _Invalid(ValueError):
    """A model file, or a model, that breaks the schema; the message names what."""


# -- saving ------------------------------------------------------------------------------------


def save(estimator: PersistenceMixin, path: str | os.PathLike) -> Path:
    """Write a fitted fyslearn estimator to an `.npz` file, atomically.

    The file is written beside `path` under a temporary name, read back with
    the checks of [`load`][fyslearn.persistence.load] (without its size
    limit) and only then renamed to `path`: a file that `load` would refuse is
    never written.

    Args:
        estimator: A fitted estimator of a class in `LOADABLE`.
        path: Destination file; `.npz` is appended when missing.

    Returns:
        The path written.

    Raises:
        TypeError: The estimator is not one of fyslearn's, or a parameter (such
            as a `numpy.random.Generator` as `random_state`) has no file form.
        ValueError: `path` is empty or a folder, its folder does not exist, the
            parameters were changed after `fit`, or the learned attributes do
            not match the parameters.
        sklearn.exceptions.NotFittedError: The estimator is not fitted.
    """
    from sklearn.utils.validation import check_is_fitted

    name = _qualified_name(type(estimator))
    if LOADABLE.get(name) is None or _resolve(name) is not type(estimator):
        raise TypeError(f"cannot save {type(estimator).__name__}: not a fyslearn estimator.")
    check_is_fitted(estimator)
    validate_params(estimator)
    path = _model_path(path)
    params = _encode_params(_savable_params(estimator))
    _check_unchanged_since_fit(estimator, params)
    arrays: dict[str, np.ndarray] = {}
    attributes = {
        attribute: _encode(value, attribute, arrays)
        for attribute, value in _learned_attributes(estimator).items()
    }
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": name,
        "params": params,
        "attributes": attributes,
    }
    arrays[METADATA_KEY] = np.array(json.dumps(metadata, allow_nan=False))
    _write_atomically(path, arrays, name)
    return path


def _model_path(path: str | os.PathLike) -> Path:
    """`path` with `.npz` appended when missing; refuses empty names, folders, missing folders."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path, got {type(path).__name__}.")
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"path must name a file, got {text!r}.")
    path = Path(text)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name such as {path / 'model.npz'}.")
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
        if path.is_dir():
            raise ValueError(f"{path} is a folder; give another file name.")
    if not path.parent.is_dir():
        raise ValueError(f"cannot save to {path}: the folder {path.parent} does not exist.")
    return path


def _savable_params(estimator: PersistenceMixin) -> dict[str, Any]:
    params = estimator.get_params(deep=False)
    for name in unsaved_params(type(estimator)):
        params[name] = None
    return params


def _check_unchanged_since_fit(estimator: PersistenceMixin, params: dict[str, Any]) -> None:
    """Refuse a model whose parameters differ from those of its fit."""
    if not hasattr(estimator, "_fitted_params"):
        return  # fitted by code that does not record its parameters: nothing to compare
    fitted = _encode_params(estimator._fitted_params)
    changed = sorted(name for name in params if params[name] != fitted.get(name))
    if changed:
        details = ", ".join(
            f"{name}={_decode_param(params[name])!r} (fitted with "
            f"{_decode_param(fitted.get(name))!r})"
            for name in changed
        )
        raise ValueError(
            f"cannot save {type(estimator).__name__}: its parameters changed after fit "
            f"({details}); fit again, or set them back, before saving."
        )


def _encode_params(params: dict[str, Any]) -> dict[str, Any]:
    return {name: _encode_param(value, name) for name, value in params.items()}


def _encode_param(value: Any, name: str) -> Any:
    """A JSON form of a parameter: numpy scalars as Python numbers, tuples tagged as tuples."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not np.isfinite(value):
            raise ValueError(f"cannot save parameter {name}={value!r}: not a finite number.")
        return value
    if isinstance(value, list):
        return [_encode_param(item, name) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [_encode_param(item, name) for item in value]}
    raise TypeError(f"cannot save parameter {name}={value!r}: use a JSON value (e.g. an int seed).")


def _decode_param(value: Any) -> Any:
    """Inverse of `_encode_param`; anything else is refused."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode_param(item) for item in value]
    if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
        return tuple(_decode_param(item) for item in value["tuple"])
    raise _Invalid(f"holds a parameter of unknown form {value!r}")


def _learned_attributes(estimator: PersistenceMixin) -> dict[str, Any]:
    skip = set(estimator._transient_attributes)
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_") and name not in skip
    }


def _encode(value: Any, name: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Describe `value` in JSON, moving its arrays into `arrays`."""
    if isinstance(value, np.ndarray):
        spec: dict[str, Any] = {"kind": "array", "key": f"a{len(arrays)}"}
        if value.dtype == object:
            if not all(isinstance(v, str) for v in value.flat):
                raise TypeError(f"cannot save {name}: object arrays hold only strings here.")
            value, spec["object"] = value.astype(str), True
        arrays[spec["key"]] = value
        return spec
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        return {"kind": "list", "items": [_encode(v, name, arrays) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {key: _encode(item, f"{name}[{key}]", arrays) for key, item in value.items()}
        return {"kind": "dict", "items": items}
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return {"kind": "json", "value": value}
    raise TypeError(
        f"cannot save {name} of type {type(value).__name__}; "
        "only arrays, lists and dicts of arrays, and integers are stored."
    )


def _write_atomically(path: Path, arrays: dict[str, np.ndarray], name: str) -> None:
    """Write beside `path`, check the file as `load` would, then rename: never a bad model."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w+b") as file:
            _write_archive(file, arrays)
        try:
            _read(Path(temporary), None, max_bytes=None)
        except _Invalid as error:
            raise ValueError(f"cannot save {name.rsplit('.', 1)[-1]}: the file {error}.") from None
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_archive(file: Any, arrays: dict[str, np.ndarray]) -> None:
    """`numpy.savez` of `arrays` into `file` (opened for reading and writing), with checksum."""
    np.savez(file, **arrays)
    _append_checksum(file)


def _append_checksum(file: Any) -> None:
    """Append the SHA-256 of the zip archive in `file` as its comment (it has none yet)."""
    file.seek(-_END_RECORD.size, os.SEEK_END)
    record = file.read(_END_RECORD.size)
    file.seek(-_END_RECORD.size, os.SEEK_END)
    file.write(record[:-2] + struct.pack("<H", _CHECKSUM_LENGTH))
    file.seek(0)
    digest = _sha256(file, None)
    file.write(_CHECKSUM_PREFIX + digest.encode())


def _sha256(file: Any, n_bytes: int | None) -> str:
    """SHA-256 of the next `n_bytes` (all if `None`) of `file`, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    left = n_bytes
    while left is None or left > 0:
        chunk = file.read(2**20 if left is None else min(left, 2**20))
        if not chunk:
            break
        digest.update(chunk)
        if left is not None:
            left -= len(chunk)
    return digest.hexdigest()


# -- loading -----------------------------------------------------------------------------------


def load(
    path: str | os.PathLike,
    expected_class: type | None = None,
    *,
    max_bytes: int = MAX_MODEL_BYTES,
) -> Any:
    """Read an estimator written by [`save`][fyslearn.persistence.save], checking everything.

    Args:
        path: The `.npz` model file.
        expected_class: If given, refuse a file holding another estimator class.
        max_bytes: Refuse files whose arrays take more bytes than this (checked
            in the zip directory, before anything is read).

    Returns:
        The fitted estimator, predicting exactly as the saved one.

    Raises:
        ValueError: The file is missing, too large, corrupt, truncated, not a
            fyslearn model, from another format version, of another class
            than expected, or breaks the schema (module docstring); the
            message names the file.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path, got {type(path).__name__}.")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such model file.")
    try:
        return _read(path, expected_class, max_bytes)
    except _Invalid as error:
        raise ValueError(f"{path} {error}.") from None


def _read(path: Path, expected_class: type | None, max_bytes: int | None) -> Any:
    """Check and read a model file; raise `_Invalid` for every kind of bad file."""
    try:
        with open(path, "rb") as file:
            _check_container(file, max_bytes)
            with zipfile.ZipFile(file) as archive:
                members = _check_members(archive, max_bytes)
                metadata = _read_metadata(archive, members)
                return _build(archive, members, metadata, expected_class)
    except _Invalid:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        struct.error,
    ) as error:
        raise _Invalid(f"is not a readable fyslearn model file ({error})") from None


def _check_container(file: Any, max_bytes: int | None) -> None:
    """File size, number of members and checksum, from the end record alone."""
    size = file.seek(0, os.SEEK_END)
    overhead = MAX_METADATA_BYTES + MAX_MEMBERS * 1024
    if max_bytes is not None and size > max_bytes + overhead:
        raise _Invalid(f"is {size} bytes, more than max_bytes={max_bytes} allows")
    tail_size = _END_RECORD.size + _CHECKSUM_LENGTH
    if size < tail_size:
        raise _Invalid("is not a fyslearn model file (too short)")
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    (signature, _, _, _, n_members, directory_size, _, comment_size) = _END_RECORD.unpack(
        tail[: _END_RECORD.size]
    )
    comment = tail[_END_RECORD.size :]
    if (
        signature != b"PK\x05\x06"
        or comment_size != _CHECKSUM_LENGTH
        or not comment.startswith(_CHECKSUM_PREFIX)
    ):
        raise _Invalid(
            "is not a fyslearn model file (no checksum at its end; files of fyslearn "
            "before format 2 must be saved again)"
        )
    if n_members > MAX_MEMBERS or directory_size > MAX_MEMBERS * 1024:
        raise _Invalid(f"has {n_members} members; a model file has at most {MAX_MEMBERS}")
    file.seek(0)
    if _sha256(file, size - _CHECKSUM_LENGTH).encode() != comment[len(_CHECKSUM_PREFIX) :]:
        raise _Invalid("is corrupt: its checksum does not match its content")
    file.seek(0)


def _check_members(archive: zipfile.ZipFile, max_bytes: int | None) -> dict[str, zipfile.ZipInfo]:
    """Member names, compression and sizes, from the central directory."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if not _MEMBER_NAME.fullmatch(info.filename) or info.filename in members:
            raise _Invalid(f"has an unexpected member {info.filename!r}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Invalid(f"member {info.filename} uses an unsupported compression")
        if info.flag_bits & 0x1:
            raise _Invalid(f"member {info.filename} is encrypted")
        members[info.filename] = info
    metadata = members.get(f"{METADATA_KEY}.npy")
    if metadata is None:
        raise _Invalid("is not a fyslearn model file (no description of the model)")
    if metadata.file_size > MAX_METADATA_BYTES + 128:
        raise _Invalid(
            f"has a {metadata.file_size}-byte model description, more than {MAX_METADATA_BYTES}"
        )
    total = sum(info.file_size for info in members.values()) - metadata.file_size
    if max_bytes is not None and total > max_bytes:
        raise _Invalid(f"holds {total} bytes of arrays, more than max_bytes={max_bytes}")
    return members


@dataclass(frozen=True)
class _Header:
    """What the `.npy` header of a member declares, and where its data starts."""

    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool
    data_offset: int

    @property
    def n_bytes(self) -> int:
        return int(np.prod(self.shape, dtype=object)) * self.dtype.itemsize


def _read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Header:
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise _Invalid(f"member {info.filename} has an unsupported .npy version {version}")
        header = _Header(np.dtype(dtype), tuple(shape), bool(fortran_order), member.tell())
    if header.dtype.kind not in "biufU" or header.dtype.hasobject or header.dtype.itemsize == 0:
        raise _Invalid(f"member {info.filename} has the unsupported dtype {header.dtype}")
    if header.data_offset + header.n_bytes != info.file_size:
        raise _Invalid(
            f"member {info.filename} declares shape {header.shape} of {header.dtype}, which "
            f"does not fill its {info.file_size} bytes"
        )
    return header


def _read_data(archive: zipfile.ZipFile, info: zipfile.ZipInfo, header: _Header) -> np.ndarray:
    """The array of a checked header: allocated once, filled from the member."""
    raw = np.empty(header.n_bytes, np.uint8)
    view = memoryview(raw)
    with archive.open(info) as member:
        member.read(header.data_offset)
        filled = 0
        while filled < header.n_bytes:
            count = member.readinto(view[filled:])
            if not count:
                raise _Invalid(f"member {info.filename} is truncated")
            filled += count
        if member.read(1):  # also reaches the end, where the CRC is checked
            raise _Invalid(f"member {info.filename} is longer than its header declares")
    order = "F" if header.fortran_order else "C"
    array = raw.view(header.dtype).reshape(header.shape, order=order)
    native = header.dtype.newbyteorder("=")
    return array if header.dtype == native else array.astype(native)


def _read_metadata(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> Any:
    info = members[f"{METADATA_KEY}.npy"]
    header = _read_header(archive, info)
    if header.dtype.kind != "U" or header.shape != ():
        raise _Invalid("is not a fyslearn model file (its description is not a text)")
    text = str(_read_data(archive, info, header)[()])
    _check_json_depth(text)
    return json.loads(text, parse_constant=_refuse_constant)


def _check_json_depth(text: str) -> None:
    """Refuse deep nesting before parsing (the parser would recurse once per level)."""
    outside_strings = _JSON_STRING.sub('""', text).encode("utf-8", "replace")
    codes = np.frombuffer(outside_strings, np.uint8)
    opens = np.isin(codes, (ord("["), ord("{"))).astype(np.int64)
    closes = np.isin(codes, (ord("]"), ord("}"))).astype(np.int64)
    depth = np.cumsum(opens - closes)
    if depth.size and depth.max() > MAX_JSON_DEPTH:
        raise _Invalid(f"has a model description nested deeper than {MAX_JSON_DEPTH} levels")


def _refuse_constant(name: str) -> None:
    raise _Invalid(f"has {name} in its model description")


# -- the schema --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Array:
    """One stored array: allowed dtypes, shape (ints, or ranges of allowed sizes), finiteness.

    `dtypes` holds numpy dtypes (matched in any byte order) or strings of dtype kinds.
    """

    dtypes: tuple[np.dtype | str, ...]
    shape: tuple[int | range, ...]
    finite: bool = False

    def check(self, name: str, header: _Header) -> None:
        dtype = header.dtype.newbyteorder("=")
        if not any(
            dtype.kind in allowed if isinstance(allowed, str) else dtype == allowed
            for allowed in self.dtypes
        ):
            raise _Invalid(f"stores {name} as {header.dtype}, expected {self._dtype_names()}")
        if len(header.shape) != len(self.shape) or not all(
            size in want if isinstance(want, range) else size == want
            for size, want in zip(header.shape, self.shape, strict=True)
        ):
            raise _Invalid(f"stores {name} with shape {header.shape}, expected {self._shape()}")

    def _dtype_names(self) -> str:
        kinds = {"b": "bool", "i": "int", "u": "uint", "f": "float", "U": "str"}
        names = [
            "/".join(kinds[k] for k in d) if isinstance(d, str) else str(d) for d in self.dtypes
        ]
        return " or ".join(names)

    def _shape(self) -> str:
        return str(
            tuple(f"{s.start}..{s.stop - 1}" if isinstance(s, range) else s for s in self.shape)
        ).replace("'", "")


@dataclass(frozen=True)
class _Dict:
    """A dict of arrays with the given spec; `required` keys must be present."""

    required: frozenset[str]
    optional: frozenset[str]
    item: _Array


_Spec = _Array | list[_Array] | _Dict
_FLOAT64 = (np.dtype(np.float64),)
_ANY_FLOAT = ("f",)


def _resolve(name: str) -> type:
    """The class `name` of `LOADABLE`, importing its module on demand."""
    module_name = LOADABLE[name]
    cls = getattr(importlib.import_module(module_name), name.rsplit(".", 1)[-1], None)
    if not isinstance(cls, type) or not issubclass(cls, PersistenceMixin):
        raise _Invalid(f"names {name!r}, which is not a fyslearn estimator")
    return cls


def _qualified_name(cls: type) -> str:
    module = cls.__module__
    public_module = module.rsplit("._", 1)[0] if "._" in module else module
    return f"{public_module}.{cls.__qualname__}"


def _build(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    metadata: Any,
    expected_class: type | None,
) -> Any:
    """Check the description against the schema, then the arrays, and build the estimator."""
    cls = _check_description(metadata, expected_class)
    estimator = _construct(cls, metadata["params"])
    stored = metadata["attributes"]
    if not isinstance(stored, dict):
        raise _Invalid("has no attribute table")
    counts, arrays_spec = _schema(estimator, stored)
    layout = _layout(stored, counts, arrays_spec, members)
    headers = {key: _read_header(archive, members[f"{key}.npy"]) for key, _ in layout.values()}
    for attribute, (key, spec) in layout.items():
        spec.check(attribute, headers[key])
    values = {
        attribute: _read_data(archive, members[f"{key}.npy"], headers[key])
        for attribute, (key, _) in layout.items()
    }
    for attribute, (_, spec) in layout.items():
        if spec.finite and not np.all(np.isfinite(values[attribute])):
            raise _Invalid(f"stores {attribute} with NaN or infinite values")
    learned = _assemble(stored, arrays_spec, values, counts)
    _check_values(estimator, learned)
    for attribute, value in learned.items():
        setattr(estimator, attribute, value)
    estimator._after_load()
    estimator._record_fitted_params()
    return estimator


def _check_description(metadata: Any, expected_class: type | None) -> type:
    keys = {"format", "format_version", "class", "params", "attributes"}
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise _Invalid("is not a fyslearn model file")
    if set(metadata) != keys:
        raise _Invalid(f"has a model description with the keys {sorted(metadata)}")
    version = metadata["format_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Invalid(f"has a bad format version {version!r}")
    if version > FORMAT_VERSION:
        raise _Invalid(
            f"was written by a newer fyslearn (format {version}); upgrade fyslearn to read it"
        )
    if version < FORMAT_VERSION:
        raise _Invalid(f"was written by an older fyslearn (format {version}); save it again")
    name = metadata["class"]
    if not isinstance(name, str) or name not in LOADABLE:
        raise _Invalid(f"holds an unknown estimator class {name!r}")
    cls = _resolve(name)
    if expected_class is not None and cls is not expected_class:
        raise _Invalid(f"holds a {cls.__name__}, not a {expected_class.__name__}")
    return cls


def _construct(cls: type, params: Any) -> Any:
    """The estimator with the stored parameters, checked against the class's table."""
    if not isinstance(params, dict):
        raise _Invalid("has no parameter table")
    names = set(cls.parameter_constraints)
    if set(params) != names:
        extra, missing = sorted(set(params) - names), sorted(names - set(params))
        raise _Invalid(
            f"has parameters that {cls.__name__} does not (extra {extra}, missing {missing})"
        )
    for name in unsaved_params(cls):
        if params[name] is not None:
            raise _Invalid(f"stores the parameter {name}, which is never saved")
    estimator = cls(**{name: _decode_param(value) for name, value in params.items()})
    try:
        validate_params(estimator)
    except (TypeError, ValueError) as error:
        raise _Invalid(f"holds an invalid parameter: {error}") from None
    return estimator


def _count(stored: dict[str, Any], name: str, allowed: range) -> int:
    """An integer attribute stored in the description, within `allowed`."""
    spec = stored.get(name)
    if not isinstance(spec, dict) or spec.get("kind") != "json" or set(spec) != {"kind", "value"}:
        raise _Invalid(f"does not store {name} as an integer")
    value = spec["value"]
    if not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
        raise _Invalid(f"stores {name}={value!r}, expected an integer in {_range(allowed)}")
    return value


def _range(allowed: range) -> str:
    return f"[{allowed.start}, {allowed.stop - 1}]"


_ANY_COUNT = range(1, 2**62)


def _schema(estimator: Any, stored: dict[str, Any]) -> tuple[dict[str, int], dict[str, _Spec]]:
    """The counts stored as integers, and the spec of every array the parameters imply."""
    name = type(estimator).__name__
    n_features = _count(stored, "n_features_in_", _ANY_COUNT)
    counts = {"n_features_in_": n_features}
    arrays: dict[str, _Spec] = {}
    if "feature_names_in_" in stored:
        arrays["feature_names_in_"] = _Array(("U",), (n_features,))
    if name in ("OLS", "Ridge"):
        arrays["coef_"] = _Array(_FLOAT64, (n_features,), finite=True)
        arrays["singular_values_"] = _Array(_FLOAT64, (range(1, n_features + 1),), finite=True)
    elif name == "SGDRegressor":
        counts["n_iter_"] = n_iter = _count(stored, "n_iter_", range(estimator.epochs + 1))
        arrays["coef_"] = _Array(_FLOAT64, (n_features,), finite=True)
        arrays["loss_curve_"] = _Array(_ANY_FLOAT, (n_iter,))
        arrays["history_"] = _Dict(
            required=frozenset({"loss", "mse"}),
            optional=frozenset({"val_loss", "val_mse"}),
            item=_Array(_ANY_FLOAT, (n_iter,)),
        )
    elif name == "PolynomialDesign":  # checked against a fresh fit once read (_check_values)
        counts["n_output_features_"] = n_columns = _count(stored, "n_output_features_", _ANY_COUNT)
        arrays["powers_"] = _Array(("iu",), (n_columns, n_features))
    else:
        counts.update(_network_schema(estimator, stored, n_features, arrays))
    return counts, arrays


def _network_schema(
    estimator: Any, stored: dict[str, Any], n_features: int, arrays: dict[str, _Spec]
) -> dict[str, int]:
    """Counts and arrays of a network: the layer sizes follow from the parameters and counts."""
    params = estimator.get_params(deep=False)
    classifier = is_classifier(estimator)
    n_outputs = _count(stored, "n_outputs_", _ANY_COUNT)
    n_iter = _count(stored, "n_iter_", range(estimator.epochs + 1))
    n_targets = n_outputs
    if classifier:  # one unit per class, or one sigmoid unit for two classes
        n_targets = 2 if n_outputs == 1 else n_outputs
        arrays["classes_"] = _Array(("biufU",), (n_targets,))
    _, loss, n_units = output_layer(params, n_targets, classifier)
    if n_units != n_outputs:
        raise _Invalid(f"stores n_outputs_={n_outputs}, but its output layer has {n_units} units")
    sizes = [n_features, *hidden_sizes(params), n_units]
    dtype = (np.dtype(estimator.dtype),)
    arrays["coefs_"] = [
        _Array(dtype, (n_in, n_out), finite=True) for n_in, n_out in itertools.pairwise(sizes)
    ]
    arrays["intercepts_"] = [_Array(dtype, (n_out,), finite=True) for n_out in sizes[1:]]
    data_loss = _loss_name(loss)
    metrics = {"loss", data_loss} | ({"accuracy"} if classifier else set())
    arrays["history_"] = _Dict(
        required=frozenset(metrics),
        optional=frozenset(f"val_{metric}" for metric in metrics),
        item=_Array(_ANY_FLOAT, (n_iter,)),
    )
    recorded = params.get("diagnostics")
    if recorded:  # per-layer statistics, one (epochs, layers) array per requested name
        arrays["diagnostics_"] = _Dict(
            required=frozenset(recorded),
            optional=frozenset(),
            item=_Array(_ANY_FLOAT, (n_iter, len(sizes) - 1)),
        )
    return {"n_outputs_": n_outputs, "n_iter_": n_iter}


def _loss_name(loss: str) -> str:
    """The history key of the data loss `loss` (as the estimator names it)."""
    from .nn.losses import LOSSES

    return LOSSES[loss].name


def _layout(
    stored: dict[str, Any],
    counts: dict[str, int],
    arrays_spec: dict[str, _Spec],
    members: dict[str, zipfile.ZipInfo],
) -> dict[str, tuple[str, _Array]]:
    """Member key and spec of every stored array, by attribute path; names and kinds checked."""
    unexpected = set(stored) - set(arrays_spec) - set(counts)
    if unexpected:
        raise _Invalid(f"stores attributes that the model does not have: {sorted(unexpected)}")
    missing = set(arrays_spec) - set(stored) - {"feature_names_in_"}
    if missing:
        raise _Invalid(f"lacks the attributes {sorted(missing)}")
    layout: dict[str, tuple[str, _Array]] = {}
    for name, spec in arrays_spec.items():
        for path, key, item in _array_entries(name, stored[name], spec):
            layout[path] = (key, item)
    keys = [key for key, _ in layout.values()]
    expected_members = {f"{key}.npy" for key in keys} | {f"{METADATA_KEY}.npy"}
    if len(set(keys)) != len(keys) or expected_members != set(members):
        raise _Invalid("has members that do not match its attributes")
    return layout


def _array_entries(name: str, stored: Any, spec: _Spec) -> Iterator[tuple[str, str, _Array]]:
    """`(attribute path, member key, spec)` of each array of one attribute."""
    if not isinstance(stored, dict):
        raise _Invalid(f"stores {name} in an unknown form")
    kind, items = stored.get("kind"), stored.get("items")
    if isinstance(spec, _Array):
        holds_text = any(isinstance(d, str) and "U" in d for d in spec.dtypes)
        allowed = {"kind", "key", "object"} if holds_text else {"kind", "key"}
        key = stored.get("key")
        if kind != "array" or not set(stored) <= allowed or not isinstance(key, str):
            raise _Invalid(f"does not store {name} as an array")
        if "object" in stored and stored["object"] is not True:
            raise _Invalid(f"stores {name} with a bad 'object' flag")
        if not _MEMBER_NAME.fullmatch(f"{key}.npy") or key == METADATA_KEY:
            raise _Invalid(f"stores {name} under a bad key {key!r}")
        yield name, key, spec
    elif isinstance(spec, list):
        if kind != "list" or set(stored) != {"kind", "items"} or not isinstance(items, list):
            raise _Invalid(f"does not store {name} as a list of arrays")
        if len(items) != len(spec):
            raise _Invalid(f"stores {len(items)} arrays in {name}, expected {len(spec)}")
        for index, (item, item_spec) in enumerate(zip(items, spec, strict=True)):
            yield from _array_entries(f"{name}[{index}]", item, item_spec)
    else:
        if kind != "dict" or set(stored) != {"kind", "items"} or not isinstance(items, dict):
            raise _Invalid(f"does not store {name} as a dict of arrays")
        keys = set(items)
        if not spec.required <= keys or not keys <= spec.required | spec.optional:
            raise _Invalid(
                f"stores {name} with the keys {sorted(keys)}; expected {sorted(spec.required)} "
                f"and optionally {sorted(spec.optional)}"
            )
        for key in sorted(keys):
            yield from _array_entries(f"{name}[{key}]", items[key], spec.item)


def _assemble(
    stored: dict[str, Any],
    arrays_spec: dict[str, _Spec],
    values: dict[str, np.ndarray],
    counts: dict[str, int],
) -> dict[str, Any]:
    """The learned attributes, in the form the estimator holds them."""
    learned: dict[str, Any] = dict(counts)
    for name, spec in arrays_spec.items():
        if isinstance(spec, _Array):
            value = values[name]
            learned[name] = value.astype(object) if stored[name].get("object") else value
        elif isinstance(spec, list):
            learned[name] = [values[f"{name}[{index}]"] for index in range(len(spec))]
        else:
            learned[name] = {key: values[f"{name}[{key}]"] for key in stored[name]["items"]}
    return learned


def _check_values(estimator: Any, learned: dict[str, Any]) -> None:
    """What dtypes and shapes cannot express: sorted classes, singular values, exponents."""
    classes = learned.get("classes_")
    if classes is not None:
        if classes.dtype.kind == "f" and not np.all(np.isfinite(classes)):
            raise _Invalid("stores classes_ with NaN or infinite labels")
        if not np.all(classes[1:] > classes[:-1]):
            raise _Invalid("stores classes_ that are not sorted and distinct")
    singular_values = learned.get("singular_values_")
    if singular_values is not None and (
        np.any(singular_values < 0) or np.any(np.diff(singular_values) > 0)
    ):
        raise _Invalid("stores singular_values_ that are not non-negative and falling")
    powers = learned.get("powers_")
    if powers is not None:  # a transformer whose fit needs no data: fit one to compare with
        try:
            reference = clone(estimator).fit(np.zeros((1, learned["n_features_in_"])))
        except ValueError as error:
            raise _Invalid(f"holds an invalid parameter: {error}") from None
        n_columns = reference.n_output_features_
        if learned["n_output_features_"] != n_columns:
            raise _Invalid(
                f"stores n_output_features_={learned['n_output_features_']}, expected an "
                f"integer in {_range(range(n_columns, n_columns + 1))}"
            )
        if not np.array_equal(powers, reference.powers_):
            raise _Invalid("stores powers_ that are not the exponents of its degree and basis")
