"""A student's answers as plain data: what crosses from the kernel that ran the student's code to
the kernel that checks it, which never runs student code.

In the student run, `save` writes the variables a task's checks read, just before that task's
test cell, to `cx-answers/<test cell>.json`. In the check run, `prepare` reads them back in the
same place of the notebook. Only data crosses: numbers, strings, bytes, dates and times, None,
lists, tuples, sets, dicts, numpy scalars and arrays, pandas Series, DataFrames and indexes with
their dtypes (numeric, boolean, object, string, datetime with or without a time zone, timedelta,
period, categorical, nullable). Anything else (a function, a module, an object of the student's
own class, a value over the size cap) arrives as a `NotData` placeholder that no check accepts.
The format is JSON with a tag on every value; reading it builds the allowed types from their
parts and never calls anything the file names. Nothing here trusts the file: a broken or hostile
one gives placeholders, never an error in the check kernel.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any, cast

FORMAT = "cx-answers/1"
ANSWERS_FOLDER = "cx-answers"
MAX_VALUE_BYTES = 8 * 1024 * 1024
MAX_FILE_BYTES = 24 * 1024 * 1024
MAX_DEPTH = 24
MASKED_DTYPES = (
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "Float32",
    "Float64",
    "boolean",
)
"""pandas' nullable dtypes: values, with None where missing."""
MARKER = "cx-visible:"
"""Starts the line a check kernel prints with the result of a task's visible checks."""


class NotData:
    """Stands for an answer that could not cross as data. No check accepts it."""

    __slots__ = ("type_name", "reason")

    def __init__(self, type_name: str, reason: str) -> None:
        self.type_name = type_name
        self.reason = reason

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.reason}>"


class _TooDeep(Exception):
    pass


def _type_name(value: object) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"[:120]


# --- encoding (in the student's kernel) ------------------------------------------------------------


def _tz(tzinfo: Any) -> Any:
    if tzinfo is None:
        return None
    name = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if isinstance(name, str):
        return name
    import datetime

    offset = tzinfo.utcoffset(None) if tzinfo is not datetime.UTC else datetime.timedelta(0)
    if offset is None:
        raise TypeError("a time zone without a fixed offset or a name")
    return int(offset.total_seconds())


def _array(values: Any, depth: int) -> list:
    """An array of a Series, an Index or a DataFrame column, with its dtype."""
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return ["cat", _index(dtype.categories, depth + 1), [int(c) for c in values.codes], bool(dtype.ordered)]
    if isinstance(dtype, pd.PeriodDtype):
        return ["period", str(dtype), [int(x) for x in values.asi8]]
    if isinstance(dtype, pd.DatetimeTZDtype):
        return ["datetimetz", dtype.unit, _tz(dtype.tz), [int(x) for x in values.asi8]]
    if isinstance(dtype, pd.StringDtype):
        nan_missing = dtype.na_value is not pd.NA
        return ["string", dtype.storage, nan_missing, [None if pd.isna(x) else str(x) for x in values]]
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.name in MASKED_DTYPES:
        return ["masked", dtype.name, [None if x is pd.NA else x for x in values.tolist()]]
    array = np.asarray(values)
    if array.dtype.kind in "mM":
        return ["numpy", array.dtype.str, array.view("i8").tolist()]
    if array.dtype.kind in "biuf":
        return ["numpy", array.dtype.str, array.tolist()]
    if array.dtype.kind == "U":
        return ["numpy", array.dtype.str, array.tolist()]
    if array.dtype.kind == "O":
        return ["object", [_encode(x, depth + 1) for x in array.tolist()]]
    raise TypeError(f"an array of {dtype}")


def _index(index: Any, depth: int) -> list:
    import pandas as pd

    if depth > MAX_DEPTH:
        raise _TooDeep
    if isinstance(index, pd.RangeIndex):
        return ["range", index.start, index.stop, index.step, _encode(index.name, depth + 1)]
    if isinstance(index, pd.MultiIndex):
        return [
            "multi",
            [_index(level, depth + 1) for level in index.levels],
            [[int(c) for c in codes] for codes in index.codes],
            [_encode(name, depth + 1) for name in index.names],
        ]
    return ["index", _array(index.array, depth + 1), _encode(index.name, depth + 1)]


def _encode(value: Any, depth: int = 0) -> list:
    """A tagged JSON value for `value` (raises TypeError for what is not data)."""
    import datetime
    import decimal
    import fractions

    import numpy as np
    import pandas as pd

    if depth > MAX_DEPTH:
        raise _TooDeep
    kind = type(value)
    if value is None:
        return ["none"]
    if kind is bool:
        return ["bool", value]
    if kind is int:
        return ["int", value]
    if kind is float:
        return ["float", value]
    if kind is str:
        return ["str", value]
    if value is pd.NaT:
        return ["nat"]
    if value is pd.NA:
        return ["na"]
    if isinstance(value, np.generic):
        if isinstance(value, np.datetime64 | np.timedelta64):
            return ["npscalar", value.dtype.str, int(value.view("i8"))]
        if value.dtype.kind in "biufcU":
            item = value.item()
            if isinstance(item, complex):
                item = [item.real, item.imag]
            return ["npscalar", value.dtype.str, item]
        raise TypeError(f"numpy {value.dtype}")
    if isinstance(value, pd.DataFrame):
        columns = [_array(value.iloc[:, i].array, depth + 1) for i in range(value.shape[1])]
        return ["frame", columns, _index(value.columns, depth + 1), _index(value.index, depth + 1)]
    if isinstance(value, pd.Series):
        name = _encode(value.name, depth + 1)
        return ["series", _array(value.array, depth + 1), _index(value.index, depth + 1), name]
    if isinstance(value, pd.Index):
        return _index(value, depth + 1)
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return ["ndarray", "O", list(value.shape), [_encode(x, depth + 1) for x in value.ravel().tolist()]]
        if value.dtype.kind in "mM":
            return ["ndarray", value.dtype.str, list(value.shape), value.view("i8").ravel().tolist()]
        if value.dtype.kind in "biufU":
            return ["ndarray", value.dtype.str, list(value.shape), value.ravel().tolist()]
        raise TypeError(f"a numpy array of {value.dtype}")
    if isinstance(value, pd.Timestamp):
        return ["timestamp", int(value.value), value.unit, _tz(value.tzinfo)]
    if isinstance(value, pd.Timedelta):
        return ["timedelta", int(value.value), value.unit]
    if isinstance(value, pd.Period):
        return ["periodscalar", int(value.ordinal), value.freqstr]
    if isinstance(value, bool):
        return ["bool", bool(value)]
    if isinstance(value, int):
        return ["int", int(value)]
    if isinstance(value, float):
        return ["float", float(value)]
    if isinstance(value, str):
        return ["str", str(value)]
    if isinstance(value, complex):
        return ["complex", value.real, value.imag]
    if isinstance(value, bytes | bytearray):
        return ["bytes", base64.b64encode(bytes(value)).decode()]
    if isinstance(value, datetime.datetime):
        return ["datetime", value.replace(tzinfo=None).isoformat(), _tz(value.tzinfo)]
    if isinstance(value, datetime.date):
        return ["date", value.isoformat()]
    if isinstance(value, datetime.time):
        return ["time", value.replace(tzinfo=None).isoformat()]
    if isinstance(value, datetime.timedelta):
        return ["pytimedelta", value.days, value.seconds, value.microseconds]
    if isinstance(value, decimal.Decimal):
        return ["decimal", str(value)]
    if isinstance(value, fractions.Fraction):
        return ["fraction", value.numerator, value.denominator]
    if isinstance(value, range):
        return ["pyrange", value.start, value.stop, value.step]
    if isinstance(value, dict):
        return ["dict", [[_encode(k, depth + 1), _encode(v, depth + 1)] for k, v in value.items()]]
    for container in (list, tuple, set, frozenset):
        if isinstance(value, container):
            items = sorted(value, key=repr) if container in (set, frozenset) else value
            return [container.__name__, [_encode(x, depth + 1) for x in items]]
    raise TypeError("not data")


def encode_value(value: Any) -> str:
    """`value` as a JSON text: its encoding, or a placeholder's when it is not data or too large."""
    try:
        text = json.dumps(_encode(value), ensure_ascii=False, allow_nan=True)
    except _TooDeep:
        text = json.dumps(["notdata", _type_name(value), "nested too deeply"])
    except Exception:  # noqa: BLE001 - whatever a student's object raises, it is not data
        text = json.dumps(["notdata", _type_name(value), "not data (a function, a module or an object)"])
    if len(text) > MAX_VALUE_BYTES:
        text = json.dumps(["notdata", _type_name(value), "too large to check"])
    return text


def save(namespace: dict, names: list[str], path: str) -> None:
    """Write the variables `names` of `namespace` (those that exist) to `path`."""
    parts, absent = [], []
    for name in names:
        if name in namespace:
            parts.append(f"{json.dumps(name)}: {encode_value(namespace[name])}")
        else:
            absent.append(name)
    text = f'{{"format": "{FORMAT}", "values": {{{", ".join(parts)}}}, "absent": {json.dumps(absent)}}}'
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


# --- decoding (in the check kernel) ------------------------------------------------------------------


def _build_tz(tz: Any) -> Any:
    import datetime

    if tz is None:
        return None
    if isinstance(tz, int) and abs(tz) < 86400:
        return datetime.timezone(datetime.timedelta(seconds=tz))
    if isinstance(tz, str) and len(tz) < 64:
        return tz
    raise ValueError("time zone")


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def _dtype(text: Any) -> Any:
    import numpy as np

    if not isinstance(text, str) or len(text) > 32:
        raise ValueError("dtype")
    dtype = np.dtype(text)
    if dtype.kind not in "biufcmMU" or dtype.hasobject:
        raise ValueError("dtype")
    return dtype


def _build_array(data: Any, depth: int) -> Any:
    import numpy as np
    import pandas as pd

    tag = data[0]
    if tag == "cat":
        categories = _build_index(data[1], depth + 1)
        return pd.Categorical.from_codes(_list(data[2]), categories=categories, ordered=bool(data[3]))
    if tag == "period":
        dtype = pd.api.types.pandas_dtype(str(data[1])[:32])
        if not isinstance(dtype, pd.PeriodDtype):
            raise ValueError("dtype")
        return pd.arrays.PeriodArray(np.array(_list(data[2]), dtype="i8"), dtype=dtype)
    if tag == "datetimetz":
        unit = str(data[1])
        values = np.array(_list(data[3]), dtype="i8").view(f"M8[{unit}]")
        return pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(_build_tz(data[2])).array
    if tag == "string":
        storage = data[1] if data[1] in ("python", "pyarrow") else "python"
        na_value = np.nan if data[2] else pd.NA
        texts = [None if x is None else str(x) for x in _list(data[3])]
        return pd.array(texts, dtype=pd.StringDtype(storage=cast(Any, storage), na_value=na_value))
    if tag == "masked":
        if data[1] not in MASKED_DTYPES:
            raise ValueError("dtype")
        return pd.array(_list(data[2]), dtype=data[1])
    if tag == "numpy":
        dtype = _dtype(data[1])
        if dtype.kind in "mM":
            return np.array(_list(data[2]), dtype="i8").view(dtype)
        return np.array(_list(data[2]), dtype=dtype)
    if tag == "object":
        decoded = [_decode(x, depth + 1) for x in _list(data[1])]
        array = np.empty(len(decoded), dtype=object)
        array[:] = decoded
        return array
    raise ValueError("array")


def _build_index(data: Any, depth: int) -> Any:
    import pandas as pd

    if depth > MAX_DEPTH:
        raise ValueError("too deep")
    data = _list(data)
    tag = data[0]
    if tag == "range":
        start, stop, step = (int(x) for x in data[1:4])
        return pd.RangeIndex(start, stop, step, name=_decode(data[4], depth + 1))
    if tag == "multi":
        levels = [_build_index(level, depth + 1) for level in _list(data[1])]
        names = [_decode(name, depth + 1) for name in _list(data[3])]
        return pd.MultiIndex(levels=levels, codes=_list(data[2]), names=names)
    if tag == "index":
        array = _build_array(_list(data[1]), depth + 1)
        return pd.Index(array, name=_decode(data[2], depth + 1), dtype=getattr(array, "dtype", None), copy=False)
    raise ValueError("index")


def _decode(data: Any, depth: int = 0) -> Any:
    import datetime
    import decimal
    import fractions

    import numpy as np
    import pandas as pd

    if depth > MAX_DEPTH:
        raise ValueError("too deep")
    data = _list(data)
    tag = data[0]
    simple = {"bool": bool, "int": int, "float": float, "str": str}
    if tag in simple:
        value = data[1]
        expected = (int, float) if tag == "float" else simple[tag]
        if not isinstance(value, expected) or (tag == "int" and isinstance(value, bool)):
            raise ValueError(tag)
        return simple[tag](value)
    if tag == "none":
        return None
    if tag == "nat":
        return pd.NaT
    if tag == "na":
        return pd.NA
    if tag in ("list", "tuple", "set", "frozenset"):
        items = [_decode(x, depth + 1) for x in _list(data[1])]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        return {_decode(k, depth + 1): _decode(v, depth + 1) for k, v in _list(data[1])}
    if tag == "frame":
        columns = _build_index(data[2], depth + 1)
        index = _build_index(data[3], depth + 1)
        arrays = [_build_array(_list(column), depth + 1) for column in _list(data[1])]
        if len(arrays) != len(columns) or any(len(a) != len(index) for a in arrays):
            raise ValueError("shape")
        frame = pd.DataFrame(dict(enumerate(arrays)), index=index)
        frame.columns = columns
        return frame
    if tag == "series":
        array = _build_array(_list(data[1]), depth + 1)
        index = _build_index(data[2], depth + 1)
        return pd.Series(array, index=index, name=_decode(data[3], depth + 1), copy=False)
    if tag in ("range", "multi", "index"):
        return _build_index(data, depth)
    if tag == "npscalar":
        dtype = _dtype(data[1])
        if dtype.kind in "mM":
            return np.array([int(data[2])], dtype="i8").view(dtype)[0]
        value = complex(*data[2]) if dtype.kind == "c" else data[2]
        return dtype.type(value)
    if tag == "ndarray":
        shape = tuple(int(x) for x in _list(data[2]))
        if data[1] == "O":
            values = [_decode(x, depth + 1) for x in _list(data[3])]
            array = np.empty(len(values), dtype=object)
            array[:] = values
            return array.reshape(shape)
        dtype = _dtype(data[1])
        if dtype.kind in "mM":
            return np.array(_list(data[3]), dtype="i8").view(dtype).reshape(shape)
        return np.array(_list(data[3]), dtype=dtype).reshape(shape)
    if tag == "timestamp":
        stamp = pd.Timestamp(int(data[1]), unit="ns")
        tz = _build_tz(data[3])
        if tz is not None:
            stamp = stamp.tz_localize("UTC").tz_convert(tz)
        return stamp.as_unit(cast(Any, str(data[2])))
    if tag == "timedelta":
        return pd.Timedelta(int(data[1]), unit="ns").as_unit(cast(Any, str(data[2])))
    if tag == "periodscalar":
        return pd.Period(ordinal=int(data[1]), freq=str(data[2]))
    if tag == "complex":
        return complex(float(data[1]), float(data[2]))
    if tag == "bytes":
        return base64.b64decode(str(data[1]), validate=True)
    if tag == "datetime":
        moment = datetime.datetime.fromisoformat(str(data[1]))
        tz = _build_tz(data[2])
        if isinstance(tz, str):
            import zoneinfo

            tz = zoneinfo.ZoneInfo(tz)
        return moment.replace(tzinfo=tz)
    if tag == "date":
        return datetime.date.fromisoformat(str(data[1]))
    if tag == "time":
        return datetime.time.fromisoformat(str(data[1]))
    if tag == "pytimedelta":
        return datetime.timedelta(days=int(data[1]), seconds=int(data[2]), microseconds=int(data[3]))
    if tag == "decimal":
        return decimal.Decimal(str(data[1]))
    if tag == "fraction":
        return fractions.Fraction(int(data[1]), int(data[2]))
    if tag == "pyrange":
        return range(int(data[1]), int(data[2]), int(data[3]))
    if tag == "notdata":
        return NotData(str(data[1])[:120], str(data[2])[:120])
    raise ValueError("unknown tag")


def decode_value(data: Any) -> Any:
    """The value `data` encodes, or a `NotData` placeholder when it is not a valid encoding."""
    try:
        return _decode(data)
    except Exception:  # noqa: BLE001 - a hostile file must never break the check kernel
        return NotData("unknown", "could not be read")


def load(path: str | Path, names: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The values of `names` saved at `path`, and those of `names` that were absent. Any other
    name in the file is ignored: a forged file cannot replace what the locked cells define (the
    data the checks compare with) or what the checks call. A missing, oversized or broken file
    gives no values (the checks then report the variables as missing)."""
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return {}, []
        data = json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return {}, []
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("values"), dict):
        return {}, []
    saved = data["values"]
    values = {name: decode_value(saved[name]) for name in names if name in saved}
    listed = data.get("absent")
    absent = listed if isinstance(listed, list) else []
    return values, [name for name in names if name in absent and name not in values]


def _visible_result(namespace: dict, values: dict, absent: list[str], visible: str) -> dict:
    scratch = dict(namespace)
    scratch.update(values)
    for name in absent:
        scratch.pop(name, None)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(compile(visible, "<visible checks>", "exec"), scratch)  # noqa: S102 - the exercise's own checks
    except Exception as error:  # noqa: BLE001 - any failure of the checks is a result
        return {"passed": False, "error": type(error).__name__}
    return {"passed": True}


def prepare(namespace: dict, path: str, task: str, visible: str, names: list[str]) -> None:
    """In the check kernel, before a test cell: put the student's saved answers (`names` only) in
    place, and print whether the task's visible checks pass on them (run on a copy of the
    namespace)."""
    values, absent = load(path, names)
    result = {"task": task, **_visible_result(namespace, values, absent, visible)}
    values, absent = load(path, names)  # fresh objects: the visible checks may have changed the first ones
    namespace.update(values)
    for name in absent:
        namespace.pop(name, None)
    print(MARKER + json.dumps(result), flush=True)
