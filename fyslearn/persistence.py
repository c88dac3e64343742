"""Save and load fitted estimators without pickle.

A model file is one ``.npz`` archive: every learned array is stored as a numpy
array, and a JSON document (kept in the archive as a text array) records the
estimator's class, its hyper-parameters and the layout of its learned
attributes. Reading uses ``numpy.load(..., allow_pickle=False)`` and only
instantiates classes of fyslearn that registered themselves, so opening a
model file can never execute code, unlike ``pickle`` or ``joblib``.

>>> model.save("model.npz")            # doctest: +SKIP
>>> same = fyslearn.load("model.npz")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["PersistenceMixin", "load", "save"]

FORMAT = "fyslearn-estimator"
FORMAT_VERSION = 1
METADATA_KEY = "__fyslearn__"

#: Estimator classes that may be created by :func:`load`, by qualified name.
REGISTRY: dict[str, type] = {}


class PersistenceMixin:
    """Adds :meth:`save`; subclasses are registered so that :func:`load` may create them.

    Learned attributes (names ending in ``_``) are saved when they are numpy
    arrays, lists of arrays, dicts of those, or JSON values. Attributes that
    can be rebuilt from the others are listed in ``_transient_attributes`` and
    restored by ``_after_load()``.
    """

    _transient_attributes: tuple[str, ...] = ()
    _transient_params: tuple[str, ...] = ()  # saved as None (e.g. validation data)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            REGISTRY[_qualified_name(cls)] = cls

    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted estimator to ``path`` (``.npz`` is appended if missing)."""
        return save(self, path)

    def _record_fitted_params(self) -> None:
        """Remember the parameters of this fit; `fit` calls it last, on success."""
        self._fitted_params = None

    def _after_load(self) -> None:
        """Rebuild transient attributes after :func:`load`; nothing by default."""


def _qualified_name(cls: type) -> str:
    module = cls.__module__
    public_module = module.rsplit("._", 1)[0] if "._" in module else module
    return f"{public_module}.{cls.__qualname__}"


def _learned_attributes(estimator: PersistenceMixin) -> dict[str, Any]:
    skip = set(estimator._transient_attributes)
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_") and name not in skip
    }


def _encode(value: Any, name: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Describe ``value`` in JSON, moving its arrays into ``arrays``."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            value = value.astype(str) if all(isinstance(v, str) for v in value.flat) else value
            if value.dtype == object:
                raise TypeError(f"cannot save {name}: object arrays are not supported.")
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {"kind": "array", "key": key}
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        return {"kind": "list", "items": [_encode(v, name, arrays) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {key: _encode(item, f"{name}[{key}]", arrays) for key, item in value.items()}
        return {"kind": "dict", "items": items}
    if isinstance(value, np.generic):
        value = value.item()
    try:
        json.dumps(value, allow_nan=True)
    except TypeError:
        raise TypeError(
            f"cannot save {name} of type {type(value).__name__}; "
            "only arrays, lists of arrays, dicts and JSON values are stored."
        ) from None
    return {"kind": "json", "value": value}


def _decode(spec: dict[str, Any], arrays: Any) -> Any:
    kind = spec["kind"]
    if kind == "array":
        return arrays[spec["key"]]
    if kind == "list":
        return [_decode(item, arrays) for item in spec["items"]]
    if kind == "dict":
        return {key: _decode(item, arrays) for key, item in spec["items"].items()}
    if kind == "json":
        return spec["value"]
    raise ValueError(f"unknown attribute kind {kind!r}")


def save(estimator: PersistenceMixin, path: str | os.PathLike) -> Path:
    """Write a fitted fyslearn estimator to an ``.npz`` file, atomically.

    Args:
        estimator: A fitted estimator whose class uses :class:`PersistenceMixin`.
        path: Destination; ``.npz`` is appended when missing.

    Returns:
        The path written.

    Raises:
        TypeError: The estimator is not a fyslearn estimator, or a parameter
            (such as a ``numpy.random.Generator`` as ``random_state``) has no
            file representation.
        sklearn.exceptions.NotFittedError: The estimator is not fitted.
    """
    from sklearn.utils.validation import check_is_fitted

    if _qualified_name(type(estimator)) not in REGISTRY:
        raise TypeError(f"cannot save {type(estimator).__name__}: not a fyslearn estimator.")
    check_is_fitted(estimator)
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays: dict[str, np.ndarray] = {}
    params = estimator.get_params(deep=False)
    for name in estimator._transient_params:
        params[name] = None
    for name, value in params.items():
        if not _is_json(value):
            raise TypeError(
                f"cannot save parameter {name}={value!r}: use a JSON value (e.g. an int seed)."
            )
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": _qualified_name(type(estimator)),
        "params": params,
        "attributes": {
            name: _encode(value, name, arrays)
            for name, value in _learned_attributes(estimator).items()
        },
    }
    arrays[METADATA_KEY] = np.array(json.dumps(metadata))
    _write_atomically(path, arrays)
    return path


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _write_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write to a temporary file beside ``path`` and rename: never a half-written model."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: str | os.PathLike, expected_class: type | None = None) -> Any:
    """Read an estimator written by :func:`save`.

    Args:
        path: The ``.npz`` model file.
        expected_class: If given, refuse a file holding another estimator class.

    Returns:
        The fitted estimator, predicting exactly as the saved one.

    Raises:
        ValueError: The file is missing, corrupt, truncated, not a fyslearn
            model, from a newer format, or of another class than expected.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such model file.")
    try:
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as archive:
            metadata = json.loads(str(archive[METADATA_KEY]))
            _check_metadata(metadata, path, expected_class)
            cls = REGISTRY[metadata["class"]]
            estimator = cls(**metadata["params"])
            for name, spec in metadata["attributes"].items():
                setattr(estimator, name, _decode(spec, archive))
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a readable fyslearn model file ({error}).") from None
    except ValueError as error:
        if str(error).startswith(str(path)):
            raise
        raise ValueError(f"{path} is not a readable fyslearn model file ({error}).") from None
    estimator._after_load()
    return estimator


def _check_metadata(metadata: Any, path: Path, expected_class: type | None) -> None:
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ValueError(f"{path} is not a fyslearn model file.")
    if metadata.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer fyslearn (format {metadata['format_version']}); "
            "upgrade fyslearn to read it."
        )
    name = metadata.get("class")
    if name not in REGISTRY:
        raise ValueError(f"{path} holds an unknown estimator class {name!r}.")
    if expected_class is not None and REGISTRY[name] is not expected_class:
        raise ValueError(
            f"{path} holds a {name.rsplit('.', 1)[-1]}, not a {expected_class.__name__}."
        )
