"""Generate the data of the `kpis` exercise (Cistella Fresca, first half of 2024).

Cistella Fresca is a fictional subscription service that delivers boxes of fresh
local produce.  The script writes four CSV files:

- customers.csv      one row per subscriber since 2021 (start, end, orders, revenue)
- survey.csv         survey answers Jan-Jun 2024, raw and messy (text in numeric
                     columns, answers outside the scale, missing answers, duplicates)
- survey_clean.csv   the same answers cleaned with the rules stated in the notebook
- tickets.csv        support tickets of the second quarter of 2024 (a few exported twice)

Run ``python generate_data.py [OUTPUT_DIR]``; without an argument it writes to the
``data`` folder next to this script.  The output is the same byte for byte on every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 4120
DATA_END = pd.Timestamp("2024-07-01")  # extraction date: data up to 30 June 2024
Q2_START = pd.Timestamp("2024-04-01")
Q2_END = pd.Timestamp("2024-06-30")

SEGMENTS = ["family", "couple", "single", "office"]
SEGMENT_P = [0.38, 0.30, 0.22, 0.10]
BOX_PRICE = {"family": 46.0, "couple": 33.0, "single": 24.0, "office": 62.0}
ORDERS_PER_WEEK = {"family": 0.85, "couple": 0.6, "single": 0.45, "office": 0.9}

# NPS answer shares (promoters, passives, detractors) by segment
NPS_MIX = {
    "family": (0.46, 0.30, 0.24),
    "couple": (0.52, 0.29, 0.19),
    "single": (0.38, 0.33, 0.29),
    "office": (0.30, 0.31, 0.39),
}
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
MONTH_SHIFT = {
    "2024-01": -0.04,
    "2024-02": -0.03,
    "2024-03": 0.0,
    "2024-04": 0.01,
    "2024-05": 0.03,
    "2024-06": 0.05,
}

SURVEY_CHANNELS = ["email", "app", "phone", "chat"]
SURVEY_CHANNEL_P = [0.42, 0.30, 0.16, 0.12]

TICKET_CHANNELS = ["email", "chat", "phone", "social"]
TICKET_CHANNEL_P = [0.36, 0.30, 0.24, 0.10]
FRT_MEDIAN_MIN = {"email": 260.0, "chat": 2.5, "phone": 1.2, "social": 40.0}
FRT_SIGMA = {"email": 1.15, "chat": 0.9, "phone": 0.8, "social": 1.2}
PRIORITIES = ["urgent", "high", "normal", "low"]
PRIORITY_P = [0.06, 0.20, 0.54, 0.20]
FRT_PRIORITY = {"urgent": 0.3, "high": 0.6, "normal": 1.0, "low": 1.7}
RES_PRIORITY = {"urgent": 0.15, "high": 0.45, "normal": 1.0, "low": 1.8}
ONE_CONTACT_P = {"chat": 0.80, "phone": 0.76, "email": 0.63, "social": 0.56}

AVOID_START = {pd.Timestamp("2024-04-01"), pd.Timestamp("2024-06-30")}
AVOID_END = {pd.Timestamp(d) for d in ("2024-03-31", "2024-04-01", "2024-06-30", "2024-07-01")}


def make_customers(rng: np.random.Generator) -> pd.DataFrame:
    n = 2600
    # acquisition grows over time: more recent starts are more likely
    days_total = (DATA_END - pd.Timestamp("2021-01-01")).days
    u = rng.random(n) ** 0.7
    start = pd.Timestamp("2021-01-01") + pd.to_timedelta(np.floor(u * days_total), unit="D")
    start = pd.Series(start).where(~pd.Series(start).isin(AVOID_START), pd.Series(start) - pd.Timedelta(days=1))
    segment = rng.choice(SEGMENTS, size=n, p=SEGMENT_P)
    # lifetimes: at least 92 days (three-month minimum), then a long right tail
    life_days = 92 + np.round(rng.weibull(1.1, size=n) * 640).astype(int)
    end = start + pd.to_timedelta(life_days, unit="D")
    end = end.where(~end.isin(AVOID_END), end + pd.Timedelta(days=2))
    ended = end < DATA_END
    end = end.where(ended)
    last_day = end.fillna(DATA_END - pd.Timedelta(days=1))
    weeks = (last_day - start).dt.days / 7.0
    rate = np.array([ORDERS_PER_WEEK[s] for s in segment]) * rng.lognormal(0.0, 0.25, size=n)
    orders = np.maximum(1, rng.poisson(weeks.to_numpy() * rate))
    price = np.array([BOX_PRICE[s] for s in segment]) * rng.lognormal(0.0, 0.12, size=n)
    revenue = np.round(orders * price, 2)
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(1, n + 1)],
            "segment": segment,
            "start_date": start.dt.strftime("%Y-%m-%d"),
            "end_date": end.dt.strftime("%Y-%m-%d"),
            "orders": orders,
            "revenue": revenue,
        }
    )
    df = df.sort_values(["start_date", "customer_id"]).reset_index(drop=True)
    return df


def nps_answer(rng: np.random.Generator, segment: str, month: str) -> int:
    p, pa, d = NPS_MIX[segment]
    shift = MONTH_SHIFT[month]
    p, d = p + shift, d - shift
    group = rng.choice(3, p=[p, pa, d])
    if group == 0:
        return int(rng.choice([9, 10], p=[0.45, 0.55]))
    if group == 1:
        return int(rng.choice([7, 8], p=[0.4, 0.6]))
    return int(rng.choice([0, 1, 2, 3, 4, 5, 6], p=[0.12, 0.04, 0.06, 0.1, 0.14, 0.24, 0.30]))


def make_survey(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    start = pd.to_datetime(customers["start_date"])
    end = pd.to_datetime(customers["end_date"])
    rows = []
    for month in MONTHS:
        m0 = pd.Timestamp(month + "-01")
        m1 = m0 + pd.offsets.MonthEnd(0)
        active = customers[(start <= m1) & (end.isna() | (end >= m0))]
        k = int(rng.integers(360, 420))
        picked = active.sample(n=k, random_state=int(rng.integers(0, 2**31 - 1)))
        for cid, seg in zip(picked["customer_id"], picked["segment"], strict=True):
            score = nps_answer(rng, seg, month)
            # satisfaction and effort follow the recommendation, with noise
            if score >= 9:
                csat = rng.choice([3, 4, 5], p=[0.06, 0.34, 0.60])
                ces = rng.choice([4, 5, 6, 7], p=[0.06, 0.20, 0.36, 0.38])
            elif score >= 7:
                csat = rng.choice([2, 3, 4, 5], p=[0.05, 0.25, 0.52, 0.18])
                ces = rng.choice([3, 4, 5, 6, 7], p=[0.08, 0.20, 0.34, 0.26, 0.12])
            else:
                csat = rng.choice([1, 2, 3, 4, 5], p=[0.18, 0.27, 0.30, 0.20, 0.05])
                ces = rng.choice([1, 2, 3, 4, 5, 6], p=[0.12, 0.18, 0.24, 0.22, 0.16, 0.08])
            rows.append(
                [
                    cid,
                    month,
                    rng.choice(SURVEY_CHANNELS, p=SURVEY_CHANNEL_P),
                    seg,
                    str(score),
                    str(csat),
                    str(ces),
                ]
            )
    df = pd.DataFrame(rows, columns=["customer_id", "month", "channel", "segment", "nps", "csat", "ces"])
    n = len(df)
    df.insert(0, "response_id", [f"R{i:05d}" for i in range(1, n + 1)])

    def mess(col: str, p_missing: float, invalid: list[str], p_invalid: float) -> None:
        r = rng.random(n)
        df.loc[r < p_missing, col] = ""
        bad = (r >= p_missing) & (r < p_missing + p_invalid)
        df.loc[bad, col] = rng.choice(invalid, size=int(bad.sum()))

    mess("nps", 0.03, ["11", "99", "-1", "n/s", "deu", "NS/NC"], 0.02)
    mess("csat", 0.07, ["0", "6", "10", "bé", "-"], 0.02)
    mess("ces", 0.11, ["0", "8", "9", "?", "n/a"], 0.02)
    # a few answers were exported twice
    dup = df.sample(n=48, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values(["month", "response_id"], kind="stable").reset_index(drop=True)
    return df


def clean_survey(raw: pd.DataFrame) -> pd.DataFrame:
    """The cleaning rules stated in task 1 of the notebook."""
    df = raw.drop_duplicates(subset="response_id", keep="first").copy()
    for col, low, high in (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)):
        values = pd.to_numeric(df[col], errors="coerce")
        values = values.where(values.between(low, high))
        df[col] = values.astype("Int64")
    return df.reset_index(drop=True)


def make_tickets(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    n = 1900
    start = pd.to_datetime(customers["start_date"])
    end = pd.to_datetime(customers["end_date"])
    eligible = customers[(start <= Q2_END) & (end.isna() | (end >= Q2_START))]["customer_id"].to_numpy()
    # arrivals: more on weekdays and during working hours
    days = pd.date_range(Q2_START, Q2_END, freq="D")
    day_w = np.where(days.day_of_week < 5, 1.0, 0.45)
    day = rng.choice(len(days), size=n, p=day_w / day_w.sum())
    hour_w = np.array([0.2] * 7 + [0.6, 1.2, 1.6, 1.6, 1.4, 1.2, 1.0, 1.2, 1.3, 1.2, 1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2])
    hour = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    secs = rng.integers(0, 3600, size=n)
    created = days[day] + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(secs, unit="s")
    channel = rng.choice(TICKET_CHANNELS, size=n, p=TICKET_CHANNEL_P)
    priority = rng.choice(PRIORITIES, size=n, p=PRIORITY_P)
    med = np.array([FRT_MEDIAN_MIN[c] * FRT_PRIORITY[p] for c, p in zip(channel, priority, strict=True)])
    sig = np.array([FRT_SIGMA[c] for c in channel])
    frt_min = med * np.exp(sig * rng.standard_normal(n))
    frt_sec = np.maximum(5, np.round(frt_min * 60)).astype(int)
    first = created + pd.to_timedelta(frt_sec, unit="s")
    answered = rng.random(n) >= 0.035
    res_min = 1500.0 * np.array([RES_PRIORITY[p] for p in priority]) * np.exp(1.3 * rng.standard_normal(n))
    resolved = first + pd.to_timedelta(np.round(res_min * 60).astype(int) + 60, unit="s")
    is_resolved = answered & (rng.random(n) >= 0.05) & (resolved < DATA_END)
    # tickets still open have usually needed more contacts
    one_p = np.array([ONE_CONTACT_P[c] for c in channel])
    one = rng.random(n) < np.where(is_resolved, one_p, 0.25)
    contacts = np.where(one, 1, 2 + rng.geometric(0.55, size=n) - 1)
    contacts = np.minimum(contacts, 6)
    df = pd.DataFrame(
        {
            "customer_id": rng.choice(eligible, size=n),
            "channel": channel,
            "priority": priority,
            "created": pd.Series(created).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "first_response": pd.Series(first).dt.strftime("%Y-%m-%d %H:%M:%S").where(answered, ""),
            "resolved": pd.Series(resolved).dt.strftime("%Y-%m-%d %H:%M:%S").where(is_resolved, ""),
            "contacts": contacts,
        }
    )
    df = df.sort_values("created", kind="stable").reset_index(drop=True)
    df.insert(0, "ticket_id", [f"T{i:05d}" for i in range(1, n + 1)])
    dup = df.sample(n=37, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values(["created", "ticket_id"], kind="stable").reset_index(drop=True)
    return df


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    customers = make_customers(rng)
    survey = make_survey(rng, customers)
    tickets = make_tickets(rng, customers)
    customers.to_csv(out_dir / "customers.csv", index=False, lineterminator="\n")
    survey.to_csv(out_dir / "survey.csv", index=False, lineterminator="\n")
    clean_survey(pd.read_csv(out_dir / "survey.csv")).to_csv(
        out_dir / "survey_clean.csv", index=False, lineterminator="\n"
    )
    tickets.to_csv(out_dir / "tickets.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data")
