"""Generate the data of the `change-plan` exercise (Connecta Fibra, autumn 2024).

Connecta Fibra is a fictional fibre broadband provider.  Its written-support team (email, web
form and app messages) answers too slowly; in autumn 2024 it tested a new triage process for six
weeks.  The script writes four CSV files:

- tickets.csv       one row per ticket: 12 weeks before the pilot and the 6 pilot weeks, with the
                    first human response time and the agent's handling time; messy (tickets
                    exported twice, unanswered tickets, impossible response times)
- tickets_clean.csv the same tickets cleaned with the rules stated in task 1
- team.csv          the written-support team and each person's contracted share of a full-time job
- adkar.csv         the readiness survey of the customer service department on the five ADKAR
                    stages (1-5, a few blanks)

Run ``python generate_data.py [OUTPUT_DIR]``; without an argument it writes to the ``data``
folder next to this script.  The output is the same byte for byte on every run, and the script
checks that the exercise's rules give clear-cut answers on it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 5206
BEFORE_START = pd.Timestamp("2024-07-29")  # 12 weeks before the pilot
PILOT_START = pd.Timestamp("2024-10-21")  # 6 pilot weeks
PILOT_END = pd.Timestamp("2024-12-01")

CHANNELS = ["email", "web_form", "app"]
CHANNEL_P = [0.52, 0.33, 0.15]
WEEKLY_TICKETS = 228.0

# first human response (hours): lognormal median and spread, before and during the pilot
RESPONSE = {"before": (30.0, 0.85), "pilot": (17.0, 0.92)}
HANDLE_MEDIAN_MIN = 28.0
HANDLE_SIGMA = 0.62

PRODUCTIVE_HOURS = 28  # per full-time agent and week (stated in the notebook)
VALID_MAX_HOURS = 720  # cleaning rule: response times from 0 to 720 hours

TEAM = [
    ("E01", "team_lead", 1.0),
    ("E02", "agent", 1.0),
    ("E03", "agent", 1.0),
    ("E04", "agent", 1.0),
    ("E05", "agent", 0.6),
    ("E06", "agent", 0.5),
]

ADKAR = ["awareness", "desire", "knowledge", "ability", "reinforcement"]
# (answers given, exact sum of the scores): the averages are 4.08, 3.37, 3.00, 2.69, 2.46
ADKAR_SUMS = {
    "awareness": (36, 147),
    "desire": (35, 118),
    "knowledge": (34, 102),
    "ability": (36, 97),
    "reinforcement": (35, 86),
}
N_STAFF = 36


def make_tickets(rng: np.random.Generator) -> pd.DataFrame:
    weeks = pd.date_range(BEFORE_START, PILOT_END, freq="7D")
    rows = []
    for w, week in enumerate(weeks):
        period = "before" if week < PILOT_START else "pilot"
        n = int(rng.poisson(WEEKLY_TICKETS * (1 + 0.01 * (w - 9))))
        # more tickets on weekdays
        day_w = np.array([1.25, 1.15, 1.1, 1.05, 1.0, 0.35, 0.3])
        day = rng.choice(7, size=n, p=day_w / day_w.sum())
        med, sig = RESPONSE[period]
        response = med * np.exp(sig * rng.standard_normal(n))
        handle = HANDLE_MEDIAN_MIN * np.exp(HANDLE_SIGMA * rng.standard_normal(n))
        channel = rng.choice(CHANNELS, size=n, p=CHANNEL_P)
        for i in range(n):
            rows.append(
                (
                    (week + pd.Timedelta(days=int(day[i]))).strftime("%Y-%m-%d"),
                    week.strftime("%Y-%m-%d"),
                    period,
                    channel[i],
                    round(float(response[i]), 1),
                    round(float(handle[i]), 1),
                )
            )
    df = pd.DataFrame(rows, columns=["date", "week", "period", "channel", "response_hours", "handle_minutes"])
    df = df.sort_values(["date"], kind="stable").reset_index(drop=True)
    df.insert(0, "ticket_id", [f"CF{i:05d}" for i in range(1, len(df) + 1)])
    n = len(df)
    df["response_hours"] = df["response_hours"].astype(object)
    r = rng.random(n)
    # tickets still waiting for a first reply when the data were exported
    unanswered = r < 0.022
    df.loc[unanswered, "response_hours"] = ""
    df.loc[unanswered, "handle_minutes"] = np.nan
    # clock errors (reply logged before the ticket) and the 9999 placeholder of the old tool
    clock = (r >= 0.022) & (r < 0.027)
    df.loc[clock, "response_hours"] = [-round(float(x), 1) for x in rng.uniform(0.1, 6.0, size=int(clock.sum()))]
    placeholder = (r >= 0.027) & (r < 0.030)
    df.loc[placeholder, "response_hours"] = 9999
    dup = df.sample(n=41, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values("ticket_id", kind="stable").reset_index(drop=True)
    return df


def clean_tickets(raw: pd.DataFrame) -> pd.DataFrame:
    """The cleaning rules stated in task 1 of the notebook."""
    df = raw.drop_duplicates(subset="ticket_id", keep="first").copy()
    hours = pd.to_numeric(df["response_hours"], errors="coerce")
    df["response_hours"] = hours.where(hours.between(0, VALID_MAX_HOURS))
    return df.reset_index(drop=True)


def make_team() -> pd.DataFrame:
    return pd.DataFrame(TEAM, columns=["employee_id", "role", "fte"])


def exact_scores(rng: np.random.Generator, n: int, total: int) -> list[int]:
    """`n` scores from 1 to 5 that add up to `total`, spread around the mean."""
    mean = total / n
    scores = np.clip(np.round(mean + rng.normal(0, 0.9, size=n)), 1, 5).astype(int)
    while scores.sum() != total:
        i = int(rng.integers(0, n))
        if scores.sum() < total and scores[i] < 5:
            scores[i] += 1
        elif scores.sum() > total and scores[i] > 1:
            scores[i] -= 1
    return scores.tolist()


def make_adkar(rng: np.random.Generator) -> pd.DataFrame:
    df = pd.DataFrame({"employee_id": [f"S{i:03d}" for i in range(1, N_STAFF + 1)]})
    df["team"] = rng.choice(["written_support", "phone", "back_office"], size=N_STAFF, p=[0.2, 0.5, 0.3])
    for stage in ADKAR:
        answered, total = ADKAR_SUMS[stage]
        values = pd.Series(np.nan, index=df.index)
        who = np.sort(rng.choice(N_STAFF, size=answered, replace=False))
        values[who] = exact_scores(rng, answered, total)
        df[stage] = values.astype("Int64")
    return df


def check_rules(clean: pd.DataFrame, team: pd.DataFrame, adkar: pd.DataFrame) -> None:
    """Fail loudly when a rule of the exercise would not give a clear-cut answer."""
    before = clean[clean["period"] == "before"]
    pilot = clean[clean["period"] == "pilot"]
    med_b, med_p = before["response_hours"].median(), pilot["response_hours"].median()
    p90_b, p90_p = before["response_hours"].quantile(0.9), pilot["response_hours"].quantile(0.9)
    # the roll-out criterion: pilot median under 24 h, 90th percentile down by at least 20 %
    assert med_b > 26 and med_p < 21, (med_b, med_p)
    assert (p90_p - p90_b) / p90_b * 100 < -25, (p90_b, p90_p)
    # the mean tells a different story: above 24 h during the pilot
    assert pilot["response_hours"].mean() > 25, pilot["response_hours"].mean()
    weekly = before.groupby("week").size().mean()
    workload = weekly * before["handle_minutes"].mean() / 60
    ratio = workload / PRODUCTIVE_HOURS
    assert 0.25 < ratio - math.floor(ratio) < 0.5, ratio  # ceil and round disagree
    assert math.ceil(ratio) > team.loc[team["role"] == "agent", "fte"].sum()
    means = adkar[ADKAR].mean()
    assert means["knowledge"] == 3.0, means
    assert all(abs(means[s] - 3) > 0.25 for s in ADKAR if s != "knowledge"), means
    assert means.idxmin() == "reinforcement"


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    tickets = make_tickets(rng)
    tickets.to_csv(out_dir / "tickets.csv", index=False, lineterminator="\n")
    clean_tickets(pd.read_csv(out_dir / "tickets.csv")).to_csv(
        out_dir / "tickets_clean.csv", index=False, lineterminator="\n"
    )
    make_team().to_csv(out_dir / "team.csv", index=False, lineterminator="\n")
    make_adkar(rng).to_csv(out_dir / "adkar.csv", index=False, lineterminator="\n")
    check_rules(
        pd.read_csv(out_dir / "tickets_clean.csv"),
        pd.read_csv(out_dir / "team.csv"),
        pd.read_csv(out_dir / "adkar.csv"),
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data")
