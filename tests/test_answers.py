"""Answers as data: what the student run saves is read back exactly by the check run, and nothing
in a saved file can run code, break the check kernel or make the grader follow a link."""

from __future__ import annotations

import datetime
import decimal
import fractions
import json
import os
import zoneinfo

import numpy as np
import pandas as pd
import pytest

from grader.grading.answers import MAX_VALUE_BYTES, NotData, decode_value, encode_value, load, prepare, save
from grader.grading.student_run import read_answers


def _round_trip(value):
    return decode_value(json.loads(encode_value(value)))


SCALARS = [
    None,
    True,
    3,
    2**80,
    1.5,
    -0.0,
    "héllo\nmón",
    b"\x00\xff",
    3 + 4j,
    np.int64(5),
    np.float32(1.5),
    np.bool_(True),
    np.str_("x"),
    np.datetime64("2024-01-01T10:00"),
    np.timedelta64(5, "s"),
    pd.Timestamp("2024-03-01 10:00"),
    pd.Timestamp("2024-03-01 10:00", tz="Europe/Madrid"),
    pd.Timedelta("1h"),
    pd.Period("2024-01", "M"),
    datetime.datetime(2024, 1, 2, 3, 4),
    datetime.datetime(2024, 1, 2, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid")),
    datetime.date(2024, 1, 2),
    datetime.timedelta(days=1, seconds=3),
    decimal.Decimal("1.10"),
    fractions.Fraction(1, 3),
    range(1, 10, 2),
    [1, [2, "a"], None],
    (1, 2),
    {1, 2},
    frozenset({"a"}),
    {"a": 1, 2: [3], (1, 2): None},
]


@pytest.mark.parametrize("value", SCALARS, ids=lambda v: type(v).__name__)
def test_plain_values_come_back_with_their_type(value):
    back = _round_trip(value)
    assert type(back) is type(value) and back == value
    if isinstance(value, pd.Timestamp):
        assert (back.tz, back.unit) == (value.tz, value.unit)


def test_missing_values_come_back_as_themselves():
    assert _round_trip(float("nan")) != _round_trip(float("nan"))
    assert _round_trip(pd.NaT) is pd.NaT and _round_trip(pd.NA) is pd.NA


SERIES = [
    pd.Series([1.0, np.nan], index=["a", "b"], name="x"),
    pd.Series([1, 2], index=pd.Index(["2024-01", "2024-02"], name="month")),
    pd.Series(["a", None, "c"]),
    pd.Series([1, None], dtype="Int64"),
    pd.Series([True, None], dtype="boolean"),
    pd.Series(pd.Categorical(["a", "b", "a"], categories=["b", "a"], ordered=True)),
    pd.Series(pd.period_range("2024-01", periods=3, freq="M")),
    pd.Series(pd.date_range("2024-01-01", periods=3, tz="UTC")),
    pd.Series(pd.to_timedelta([1, 2], unit="h")),
    pd.Series([], dtype=float),
]
FRAMES = [
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": pd.to_datetime(["2024-01-01", None])}),
    pd.DataFrame([[1, 2]], columns=["a", "a"]),
    pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"])),
    pd.DataFrame({"v": [1, 2, 3]}, index=[5, 5, 6]),
    pd.DataFrame(),
]


@pytest.mark.parametrize("series", SERIES, ids=lambda s: str(s.dtype))
def test_series_come_back_exactly(series):
    pd.testing.assert_series_equal(_round_trip(series), series, check_index_type=True, check_exact=True)


@pytest.mark.parametrize("frame", FRAMES, ids=range(len(FRAMES)))
def test_dataframes_come_back_exactly(frame):
    pd.testing.assert_frame_equal(
        _round_trip(frame), frame, check_index_type=True, check_column_type=True, check_exact=True
    )


def test_arrays_and_indexes_come_back_exactly():
    for array in (np.arange(6).reshape(2, 3), np.array(["a", "bb"]), np.array(["2024-01-01"], dtype="M8[D]")):
        back = _round_trip(array)
        assert back.dtype == array.dtype and back.shape == array.shape and (back == array).all()
    for index in (pd.RangeIndex(0, 10, 2, name="r"), pd.DatetimeIndex(["2024-01-01"]), pd.CategoricalIndex(["a"])):
        back = _round_trip(index)
        assert type(back) is type(index) and back.equals(index) and back.dtype == index.dtype


class _Custom:
    def __eq__(self, other):  # an answer that claims to equal anything
        return True


@pytest.mark.parametrize(
    "value",
    [len, pd, _Custom(), [1, _Custom()], pd.Series([_Custom()]), lambda: 1],
    ids=["builtin", "module", "object", "list with object", "series of objects", "lambda"],
)
def test_what_is_not_data_crosses_as_a_placeholder_no_check_accepts(value):
    back = _round_trip(value)
    assert isinstance(back, NotData)
    assert back != 1 and not isinstance(back, pd.DataFrame | int | str)


def test_a_cycle_or_an_oversized_value_becomes_a_placeholder():
    cycle: list = []
    cycle.append(cycle)
    assert isinstance(_round_trip(cycle), NotData)
    huge = "x" * (MAX_VALUE_BYTES + 1)
    assert "too large" in repr(_round_trip(huge))


@pytest.mark.parametrize(
    "data",
    [
        ["frame", "x"],
        ["npscalar", "O", 1],
        ["ndarray", "V8", [2], []],
        ["series", ["numpy", "<i8", [1, 2]], ["range", 0, 5, 1, ["none"]], ["none"]],
        ["eval", "__import__('os').system('true')"],
        ["int", True],
        ["dict", [[["list", []], ["int", 1]]]],
        "not a list",
    ],
)
def test_a_hostile_encoding_gives_a_placeholder_never_an_error(data):
    assert isinstance(decode_value(data), NotData)


def test_save_and_load_keep_present_and_absent_names(tmp_path):
    path = tmp_path / "cx-answers" / "task1_tests.json"
    save({"a": pd.Series([1.5], index=["x"]), "b": len}, ["a", "b", "c"], str(path))
    values, absent = load(path, ["a", "b", "c"])
    assert absent == ["c"]
    pd.testing.assert_series_equal(values["a"], pd.Series([1.5], index=["x"]))
    assert isinstance(values["b"], NotData)


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"format": "other", "values": {}}', b"\xff\xfe"])
def test_a_broken_file_loads_as_nothing(tmp_path, content):
    path = tmp_path / "answers.json"
    path.write_bytes(content)
    assert load(path, ["a"]) == ({}, [])


def test_prepare_reports_the_visible_checks_and_restores_fresh_values(tmp_path, capsys):
    path = tmp_path / "cx-answers" / "t.json"
    save({"total": 14, "gone": 1}, ["total", "gone"], str(path))
    namespace = {"gone": 0, "NUMBERS": [1, 2, 3, 4, 5]}
    prepare(namespace, str(path), "t", "assert total == sum(NUMBERS)\nprint('noise')", ["total", "gone"])
    report = capsys.readouterr().out.strip()
    assert report == 'cx-visible:{"task": "t", "passed": false, "error": "AssertionError"}'
    assert namespace["total"] == 14 and namespace["gone"] == 1
    save({"total": 15}, ["total", "gone"], str(path))
    prepare(namespace, str(path), "t", "assert total == sum(NUMBERS)", ["total", "gone"])
    assert '"passed": true' in capsys.readouterr().out
    assert "gone" not in namespace, "a name absent from the student's namespace is absent here too"


def test_a_forged_file_cannot_replace_what_it_was_not_asked_for(tmp_path):
    path = tmp_path / "forged.json"
    save({"answer": 1, "survey": "fake data", "pd": 0, "len": 3}, ["answer", "survey", "pd", "len"], str(path))
    values, absent = load(path, ["answer", "missing"])
    assert values == {"answer": 1} and absent == []
    namespace = {"survey": "pristine", "pd": pd}
    prepare(namespace, str(path), "t", "", ["answer"])
    assert namespace["survey"] == "pristine" and namespace["pd"] is pd and "len" not in namespace


def test_the_grader_follows_no_link_and_reads_no_oversized_file(tmp_path):
    answers = tmp_path / "run" / "cx-answers"
    answers.mkdir(parents=True)
    (answers / "task1_tests.json").write_text('{"format": "cx-answers/1", "values": {}, "absent": []}')
    secret = tmp_path / "secret.txt"
    secret.write_text("instructor's secret")
    os.symlink(secret, answers / "task2_tests.json")
    os.mkfifo(answers / "task3_tests.json")
    with open(answers / "task4_tests.json", "wb") as stream:
        stream.truncate(64 * 1024 * 1024)
    assert list(read_answers(tmp_path / "run")) == ["task1_tests"]
    linked = tmp_path / "linked"
    linked.mkdir()
    os.symlink(tmp_path, linked / "cx-answers")
    assert read_answers(linked) == {}
