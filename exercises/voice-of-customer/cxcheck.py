"""Checks with localized messages for the CX course notebook exercises.

Every exercise notebook imports this module (a copy sits next to the notebook)
and calls ``set_language(LANG)`` once.  The messages live in
``messages/<lang>.json`` next to the notebook: one catalogue per language, all
with the same keys.  A failing check raises ``AssertionError`` with the
message of the notebook's language, so that nbgrader shows it to the student.

When the grader runs the checks (``CX_CHECK_STRUCTURED`` set), a failing check
raises its message key and values instead, as ``cx-check:{"key": ..., "values":
{...}}``: the grader words the message itself from the catalogue, in the
student's language, with every value cut short.

Only the standard library is needed to load messages; pandas is imported
lazily by the comparison helpers that work with Series and DataFrames.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from pathlib import Path

__all__ = [
    "set_language",
    "language",
    "msg",
    "expect",
    "is_number",
    "close",
    "as_series",
    "series_close",
    "same_items",
    "as_list",
]

_state: dict = {"lang": None, "messages": {}}
STRUCTURED_VARIABLE = "CX_CHECK_STRUCTURED"
STRUCTURED_PREFIX = "cx-check:"
VALUE_CHARACTERS = 120


def set_language(lang: str, folder: str | Path = ".") -> None:
    """Load the message catalogue ``<folder>/messages/<lang>.json``."""
    path = Path(folder) / "messages" / f"{lang}.json"
    with open(path, encoding="utf-8") as fh:
        messages = json.load(fh)
    if not isinstance(messages, dict):
        raise ValueError(f"{path} must hold a JSON object of message templates")
    _state["lang"] = lang
    _state["messages"] = messages


def language() -> str | None:
    """The language set by ``set_language`` (None before it is called)."""
    return _state["lang"]


def msg(key: str, /, **values) -> str:
    """The localized message ``key`` with ``{placeholders}`` filled in."""
    template = _state["messages"].get(key)
    if template is None:
        # A missing key is a bug of the exercise, not of the student: say so plainly.
        shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
        return f"[{key}] {shown}".strip()
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def expect(condition, key: str, /, **values) -> None:
    """Raise ``AssertionError(msg(key, **values))`` when ``condition`` is false."""
    if not condition:
        if os.environ.get(STRUCTURED_VARIABLE):
            shown = {name: str(value)[:VALUE_CHARACTERS] for name, value in values.items()}
            raise AssertionError(STRUCTURED_PREFIX + json.dumps({"key": key, "values": shown}, ensure_ascii=False))
        raise AssertionError(msg(key, **values))


def is_number(x) -> bool:
    """True for a finite real number (int, float, numpy scalar), not for bools."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        # numpy scalars register as numbers.Real; numpy bool does not
        return False
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError, OverflowError):
        return False


def close(a, b, tol: float = 0.01, rel: float = 0.0) -> bool:
    """True when ``a`` and ``b`` are numbers with |a - b| <= max(tol, rel * |b|)."""
    if not (is_number(a) and is_number(b)):
        return False
    return abs(float(a) - float(b)) <= max(tol, rel * abs(float(b)))


def as_series(obj):
    """A dict or pandas Series (or a one-column DataFrame) as a float Series, else None.

    Index labels are turned into strings so that ``"2024-01"`` and a Period or
    Timestamp label compare as the same month only when they print the same.
    """
    import pandas as pd

    if isinstance(obj, pd.DataFrame) and obj.shape[1] == 1:
        obj = obj.iloc[:, 0]
    if isinstance(obj, dict):
        obj = pd.Series(obj, dtype="object")
    if not isinstance(obj, pd.Series):
        return None
    values = pd.to_numeric(obj, errors="coerce")
    if values.isna().sum() > obj.isna().sum():
        return None  # some values were not numbers
    out = pd.Series(values.to_numpy(dtype=float), index=[str(i) for i in obj.index])
    if out.index.has_duplicates:
        return None
    return out


def series_close(got, ref, tol: float = 0.01, rel: float = 0.0, allow_extra_nan: bool = False) -> bool:
    """True when ``got`` holds the same labels as ``ref`` with close values.

    ``got`` may be a dict or a Series.  Where ``ref`` is NaN, ``got`` must be NaN
    or missing.  With ``allow_extra_nan`` labels absent from ``ref`` are accepted
    in ``got`` when their value is NaN.
    """
    g = as_series(got)
    r = as_series(ref)
    if g is None or r is None:
        return False
    r_known = r.dropna()
    if allow_extra_nan:
        extra = set(g.index) - set(r.index)
        if any(not math.isnan(g[label]) for label in extra):
            return False
    elif not set(g.index) <= set(r.index):
        return False
    if not set(r_known.index) <= set(g.index):
        return False
    for label in r.index:
        if label in r_known.index:
            if not close(g[label], r_known[label], tol, rel):
                return False
        elif label in g.index and not math.isnan(g[label]):
            return False
    return True


def as_list(obj):
    """A list from a list, tuple, set, numpy array, pandas Index or Series, else None."""
    if isinstance(obj, (str, bytes, dict)):
        return None
    try:
        import pandas as pd

        if isinstance(obj, (pd.Series, pd.Index)):
            return obj.tolist()
    except ImportError:  # pragma: no cover
        pass
    try:
        return list(obj)
    except TypeError:
        return None


def same_items(got, ref) -> bool:
    """True when ``got`` and ``ref`` hold the same distinct items (order and repeats ignored)."""
    g = as_list(got)
    r = as_list(ref)
    if g is None or r is None:
        return False
    try:
        return {str(x) for x in g} == {str(x) for x in r}
    except TypeError:
        return False
