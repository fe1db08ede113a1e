"""Generate the data of the `strategy-design` exercise (Tramuntana Assegurances, end of 2024).

Tramuntana Assegurances is a fictional home and car insurer that sells online, by phone and
through agents.  The script writes five CSV files:

- customers.csv     one row per customer (age, policies, preferred channel, premium); a few
                    rows exported twice and some ages missing
- survey.csv        the journey survey of October-December 2024: one answer per customer and
                    touchpoint, raw and messy (text in the score columns, scores outside the
                    1-5 scale, missing answers, answers exported twice)
- survey_clean.csv  the same answers cleaned with the rules stated in task 1, with the
                    customer's segment (rules of task 6) added
- touchpoints.csv   the journey: stage and channel of each touchpoint, monthly interactions
- segments.csv      the CRM summary per segment: customers and monthly interactions

Run ``python generate_data.py [OUTPUT_DIR]``; without an argument it writes to the ``data``
folder next to this script.  The output is the same byte for byte on every run, and the script
checks that the exercise's rules give clear-cut answers on it (no value sits on a threshold).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 5105

# touchpoint: (stage, channel, true mean satisfaction, true mean importance, monthly interactions)
TOUCHPOINTS = {
    "website": ("discover", "web", 3.95, 3.35, 41800),
    "comparison_site": ("discover", "web", 3.60, 2.95, 15200),
    "online_quote": ("buy", "web", 3.35, 4.20, 9100),
    "agent_call": ("buy", "phone", 4.15, 4.20, 3600),
    "welcome_pack": ("onboard", "email", 3.75, 2.85, 2800),
    "app_signup": ("onboard", "app", 3.05, 3.50, 5300),
    "claim_phone": ("claim", "phone", 2.70, 4.70, 2200),
    "claim_app_form": ("claim", "app", 2.70, 4.25, 1650),
    "repair_network": ("claim", "partner", 3.15, 4.45, 1300),
    "renewal_notice": ("renew", "email", 2.55, 3.70, 6100),
    "billing": ("renew", "web", 3.50, 4.30, 7000),
}
STAGES = ["discover", "buy", "onboard", "claim", "renew"]

SEGMENTS = ["senior", "family", "young_digital", "standard"]
# satisfaction and importance shifts by segment (senior customers expect more and get less)
SEGMENT_SHIFT = {
    "senior": (-0.35, 0.20),
    "family": (-0.15, 0.10),
    "young_digital": (0.10, -0.10),
    "standard": (0.05, -0.05),
}
# touchpoints used more or less by each segment (weight multipliers)
SEGMENT_USE = {
    "senior": {"app_signup": 0.3, "claim_app_form": 0.3, "agent_call": 2.5, "claim_phone": 1.8},
    "family": {"claim_phone": 1.5, "repair_network": 1.6, "billing": 1.3},
    "young_digital": {"agent_call": 0.3, "claim_phone": 0.5, "app_signup": 2.2, "claim_app_form": 2.0},
    "standard": {},
}
# monthly interactions by segment (CRM summary)
SEGMENT_INTERACTIONS = {"senior": 10400, "family": 18600, "young_digital": 23900, "standard": 14800}

N_CUSTOMERS = 1900
N_ANSWERS = 1750

# rules of the exercise (restated in the notebook)
PRIORITY_MIN_IMPORTANCE = 4.0
PRIORITY_MIN_GAP = 1.0


def make_customers(rng: np.random.Generator) -> pd.DataFrame:
    n = N_CUSTOMERS
    age = np.clip(np.round(rng.normal(47, 15, size=n)), 18, 92).astype(int)
    policies = 1 + rng.binomial(3, 0.22, size=n)
    policies = np.where((age > 30) & (age < 55) & (rng.random(n) < 0.18), policies + 2, policies)
    policies = np.minimum(policies, 5)
    young = age < 40
    channel = np.where(
        young,
        rng.choice(["app", "web", "phone", "agent"], size=n, p=[0.45, 0.35, 0.12, 0.08]),
        rng.choice(["app", "web", "phone", "agent"], size=n, p=[0.15, 0.30, 0.30, 0.25]),
    )
    tenure = np.round(np.minimum(rng.exponential(6.0, size=n), age - 17.0), 1)
    premium = np.round(policies * rng.lognormal(np.log(390), 0.3, size=n), 2)
    df = pd.DataFrame(
        {
            "customer_id": [f"T{i:05d}" for i in range(1, n + 1)],
            "age": age.astype(float),
            "policies": policies,
            "channel": channel,
            "tenure_years": tenure,
            "annual_premium": premium,
        }
    )
    missing = rng.random(n) < 0.035
    df.loc[missing, "age"] = np.nan
    df["age"] = df["age"].astype("Int64")
    # a few customers were exported twice
    dup = df.sample(n=22, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values("customer_id", kind="stable").reset_index(drop=True)
    return df


def assign_segments(customers: pd.DataFrame) -> pd.Series:
    """The segmentation rules of task 6, applied in order (the first rule that holds wins)."""
    age = customers["age"].astype("Float64")
    senior = (age >= 65).fillna(False)
    family = customers["policies"] >= 3
    young = ((age < 35).fillna(False)) & customers["channel"].isin(["app", "web"])
    segment = pd.Series("standard", index=customers.index)
    segment[young] = "young_digital"
    segment[family] = "family"
    segment[senior] = "senior"
    return segment


def likert(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    """Answers 1-5 whose average is close to `mean` (a rounded, clipped normal)."""
    raw = mean + rng.normal(0, 0.95, size=len(mean))
    return np.clip(np.round(raw), 1, 5).astype(int)


def make_survey(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    unique = customers.drop_duplicates("customer_id").reset_index(drop=True)
    segment = assign_segments(unique)
    tps = list(TOUCHPOINTS)
    rows = []
    used = set()
    while len(rows) < N_ANSWERS:
        i = int(rng.integers(0, len(unique)))
        seg = segment[i]
        weights = np.array([SEGMENT_USE[seg].get(tp, 1.0) for tp in tps])
        tp = tps[rng.choice(len(tps), p=weights / weights.sum())]
        key = (unique.loc[i, "customer_id"], tp)
        if key in used:
            continue
        used.add(key)
        rows.append((unique.loc[i, "customer_id"], seg, tp))
    df = pd.DataFrame(rows, columns=["customer_id", "segment", "touchpoint"])
    sat_mean = np.array(
        [TOUCHPOINTS[t][2] + SEGMENT_SHIFT[s][0] for t, s in zip(df.touchpoint, df.segment, strict=True)]
    )
    imp_mean = np.array(
        [TOUCHPOINTS[t][3] + SEGMENT_SHIFT[s][1] for t, s in zip(df.touchpoint, df.segment, strict=True)]
    )
    # the clipping to 1-5 pulls the averages towards 3: compensate a little
    sat_mean = sat_mean + 0.12 * (sat_mean - 3)
    imp_mean = imp_mean + 0.10 * (imp_mean - 3)
    df["satisfaction"] = likert(rng, sat_mean).astype(str)
    df["importance"] = likert(rng, imp_mean).astype(str)
    days = pd.date_range("2024-10-01", "2024-12-31", freq="D")
    df["date"] = days[rng.integers(0, len(days), size=len(df))].strftime("%Y-%m-%d")
    df["stage"] = [TOUCHPOINTS[t][0] for t in df.touchpoint]
    df = df.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "response_id", [f"Q{i:05d}" for i in range(1, len(df) + 1)])
    n = len(df)

    def mess(col: str, p_missing: float, invalid: list[str], p_invalid: float) -> None:
        r = rng.random(n)
        df.loc[r < p_missing, col] = ""
        bad = (r >= p_missing) & (r < p_missing + p_invalid)
        df.loc[bad, col] = rng.choice(invalid, size=int(bad.sum()))

    mess("satisfaction", 0.03, ["0", "6", "9", "n/s", "-"], 0.02)
    mess("importance", 0.045, ["0", "7", "10", "?", "n/a"], 0.02)
    df = df[["response_id", "customer_id", "date", "stage", "touchpoint", "satisfaction", "importance", "segment"]]
    dup = df.sample(n=36, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values("response_id", kind="stable").reset_index(drop=True)
    return df


def clean_survey(raw: pd.DataFrame) -> pd.DataFrame:
    """The cleaning rules stated in task 1 of the notebook."""
    df = raw.drop_duplicates(subset="response_id", keep="first").copy()
    for col in ("satisfaction", "importance"):
        values = pd.to_numeric(df[col], errors="coerce")
        df[col] = values.where(values.between(1, 5)).astype("Int64")
    return df.reset_index(drop=True)


def touchpoint_table() -> pd.DataFrame:
    return pd.DataFrame(
        [(tp, st, ch, vol) for tp, (st, ch, _, _, vol) in TOUCHPOINTS.items()],
        columns=["touchpoint", "stage", "channel", "monthly_interactions"],
    )


def segment_table(customers: pd.DataFrame) -> pd.DataFrame:
    unique = customers.drop_duplicates("customer_id")
    counts = assign_segments(unique).value_counts()
    return pd.DataFrame(
        {
            "segment": SEGMENTS,
            "customers": [int(counts.get(s, 0)) for s in SEGMENTS],
            "monthly_interactions": [SEGMENT_INTERACTIONS[s] for s in SEGMENTS],
        }
    )


def check_rules(clean: pd.DataFrame, segments: pd.DataFrame) -> None:
    """Fail loudly when a rule of the exercise would sit on (or too close to) its threshold."""
    by_tp = clean.groupby("touchpoint")[["satisfaction", "importance"]].mean()
    gap = by_tp["importance"] - by_tp["satisfaction"]
    assert ((by_tp["importance"] - PRIORITY_MIN_IMPORTANCE).abs() > 0.05).all(), by_tp
    assert ((gap - PRIORITY_MIN_GAP).abs() > 0.05).all(), gap
    priority = sorted(gap[(by_tp["importance"] >= 4) & (gap >= 1)].index)
    assert priority == ["claim_app_form", "claim_phone", "repair_network"], priority
    # gaps are all different, so the order is clear
    assert gap.round(3).is_unique
    by_seg = clean.groupby("segment")[["satisfaction", "importance"]].mean()
    seg_gap = by_seg["importance"] - by_seg["satisfaction"]
    opportunity = seg_gap * segments.set_index("segment")["monthly_interactions"]
    ranked = opportunity.sort_values(ascending=False)
    assert ranked.iloc[0] > 1.05 * ranked.iloc[1], ranked
    # the largest gap alone and the largest volume alone point elsewhere
    assert (
        seg_gap.idxmax() != ranked.index[0]
        and segments.set_index("segment")["monthly_interactions"].idxmax() != ranked.index[0]
    )


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    customers = make_customers(rng)
    survey = make_survey(rng, customers)
    customers.to_csv(out_dir / "customers.csv", index=False, lineterminator="\n")
    # the raw survey does not carry the segment: the clean one gets it from the segmentation
    survey.drop(columns="segment").to_csv(out_dir / "survey.csv", index=False, lineterminator="\n")
    clean = clean_survey(pd.read_csv(out_dir / "survey.csv", dtype=str, keep_default_na=False))
    unique = customers.drop_duplicates("customer_id").reset_index(drop=True)
    seg = pd.DataFrame({"customer_id": unique["customer_id"], "segment": assign_segments(unique)})
    clean = clean.merge(seg, on="customer_id", how="left", validate="many_to_one")
    clean.to_csv(out_dir / "survey_clean.csv", index=False, lineterminator="\n")
    touchpoint_table().to_csv(out_dir / "touchpoints.csv", index=False, lineterminator="\n")
    segments = segment_table(customers)
    segments.to_csv(out_dir / "segments.csv", index=False, lineterminator="\n")
    check_rules(pd.read_csv(out_dir / "survey_clean.csv"), segments)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data")
