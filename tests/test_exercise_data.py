"""The exercises' data: every generator rewrites the committed CSVs byte for byte, and the data keep
the properties the notebooks' tasks and checks rely on."""

from __future__ import annotations

import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
GENERATORS = sorted(SOLUTIONS.glob("*/generate_data.py"))
KPIS = SOLUTIONS / "kpis" / "data"
MULTICHANNEL = SOLUTIONS / "multichannel-plan" / "data"


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda p: p.parent.name)
def test_generator_reproduces_the_committed_csvs(generator, tmp_path):
    """`python solutions/<id>/generate_data.py OUTPUT_DIR` writes exactly the files in data/."""
    result = subprocess.run(
        [sys.executable, str(generator), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    committed = generator.parent / "data"
    expected = sorted(p.name for p in committed.glob("*.csv"))
    assert expected, f"{committed} holds no CSV file"
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == expected
    for name in expected:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), (
            f"{name}: the generator no longer reproduces the committed file; run "
            f"`python {generator.relative_to(ROOT)}` and commit the result (and check the notebook's tasks)"
        )


def test_exercise_data_stay_small():
    """A few thousand rows per file keep grading fast."""
    for csv in sorted(SOLUTIONS.glob("*/data/*.csv")):
        with open(csv, encoding="utf-8") as fh:
            rows = sum(1 for _ in fh) - 1
        assert 0 < rows <= 6000, f"{csv.relative_to(ROOT)}: {rows} rows"


# --- kpis ------------------------------------------------------------------------------------------


def test_kpis_survey_is_messy_in_the_ways_task_1_teaches():
    raw = pd.read_csv(KPIS / "survey.csv")
    assert raw["response_id"].duplicated().sum() >= 20, "task 1 removes duplicated answers"
    for column, low, high in (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)):
        values = pd.to_numeric(raw[column], errors="coerce")
        assert (raw[column].notna() & values.isna()).sum() >= 10, f"{column}: text answers"
        assert (~values.between(low, high) & values.notna()).sum() >= 10, f"{column}: out-of-scale answers"
        assert raw[column].isna().sum() >= 20, f"{column}: missing answers"


def test_kpis_clean_survey_follows_the_stated_rules():
    raw = pd.read_csv(KPIS / "survey.csv").drop_duplicates(subset="response_id")
    clean = pd.read_csv(KPIS / "survey_clean.csv")
    assert list(clean["response_id"]) == list(raw["response_id"])
    for column, low, high in (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)):
        values = pd.to_numeric(raw[column], errors="coerce")
        expected = values.where(values.between(low, high)).to_numpy()
        assert clean[column].equals(pd.Series(expected, name=column)), column


def test_kpis_quarter_has_no_boundary_dates_and_no_churn_of_new_customers():
    """Task 5's counts do not depend on < versus <= at the quarter's edges, and CRR + churn = 100."""
    c = pd.read_csv(KPIS / "customers.csv", parse_dates=["start_date", "end_date"])
    edges = pd.to_datetime(["2024-03-31", "2024-04-01", "2024-06-30", "2024-07-01"])
    assert not c["end_date"].isin(edges).any()
    assert not c["start_date"].isin(edges[1:3]).any()
    q0, q1 = edges[1], edges[2]
    new_and_gone = c["start_date"].between(q0, q1) & c["end_date"].between(q0, q1)
    assert not new_and_gone.any()
    start = (c["start_date"] < q0) & (c["end_date"].isna() | (c["end_date"] >= q0))
    end = (c["start_date"] <= q1) & (c["end_date"].isna() | (c["end_date"] > q1))
    new = c["start_date"].between(q0, q1)
    assert end.sum() > start.sum(), "more customers at the end than at the start: (S - E) / S is a clear trap"
    assert new.sum() > 0


def test_kpis_response_times_are_skewed():
    t = pd.read_csv(KPIS / "tickets.csv", parse_dates=["created", "first_response", "resolved"])
    minutes = (t["first_response"] - t["created"]).dt.total_seconds() / 60
    assert (minutes.dropna() > 0).all()
    by_channel = minutes.groupby(t["channel"])
    assert (by_channel.mean() > 1.3 * by_channel.median()).all(), "mean and median must tell apart"
    assert t["first_response"].isna().sum() > 20, "unanswered tickets matter for the service level"
    assert (t["resolved"].dropna() >= t["first_response"][t["resolved"].notna()]).all()


# --- multichannel-plan ------------------------------------------------------------------------------


def _interactions() -> pd.DataFrame:
    it = pd.read_csv(MULTICHANNEL / "interactions.csv", parse_dates=["received_at"])
    return it.drop_duplicates(subset="interaction_id").reset_index(drop=True)


def test_multichannel_same_issue_contacts_are_clear_of_the_seven_day_edge():
    """No two contacts of a customer about the same intent are 6 to 9 days (or under an hour) apart,
    so every reasonable way of writing "within seven days" gives the same customers."""
    it = _interactions()
    for _, group in it.groupby(["customer_id", "intent"]):
        times = sorted(group["received_at"])
        for a, b in combinations(times, 2):
            days = (b - a) / pd.Timedelta(days=1)
            assert days >= 1 / 24 and not 6 <= days <= 9


def test_multichannel_automation_rule_separates_volume_from_simplicity():
    it = _interactions()
    g = it.groupby("intent")
    share = g.size() / len(it) * 100
    fcr = (it["resolved"] == "yes").groupby(it["intent"]).mean() * 100
    handle = g["handle_min"].median()
    rule = (share >= 8) & (fcr >= 85) & (handle <= 5)
    chosen = set(share.index[rule])
    assert 2 <= len(chosen) <= 4
    top3 = set(share.sort_values(ascending=False).index[:3])
    assert top3 - chosen, "automating by volume alone must break the rule"
    # every intent is clearly on one side of each threshold
    assert ((share - 8).abs() > 0.25).all()
    assert ((fcr - 85).abs() > 1.5).all()
    assert ((handle - 5).abs() > 0.05).all()


def test_multichannel_auto_acknowledgements_would_distort_first_response():
    it = _interactions()
    replies = pd.read_csv(MULTICHANNEL / "replies.csv", parse_dates=["sent_at"])
    assert set(replies["interaction_id"]) <= set(it["interaction_id"])
    assert not set(replies["interaction_id"]) & set(it.loc[it["channel"] == "store", "interaction_id"])
    human = replies[replies["author"] != "auto"].groupby("interaction_id")["sent_at"].min()
    anyone = replies.groupby("interaction_id")["sent_at"].min()
    email = it[it["channel"] == "email"]
    human_median = (email["interaction_id"].map(human) - email["received_at"]).median()
    any_median = (email["interaction_id"].map(anyone) - email["received_at"]).median()
    assert human_median > 50 * any_median


def test_multichannel_channel_shares_make_the_five_percent_rule_meaningful():
    share = _interactions()["channel"].value_counts(normalize=True) * 100
    assert set(share.index) == {"phone", "email", "chat", "store", "messaging", "social", "app"}
    assert (share < 5).sum() >= 1 and (share >= 5).sum() >= 5
    assert ((share - 5).abs() > 0.3).all()
