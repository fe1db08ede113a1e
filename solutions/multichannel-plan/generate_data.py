"""Generate the data of the `multichannel-plan` exercise (ElectroLlar, year 2024).

ElectroLlar is a fictional chain of electronics and home-appliance shops with an
online shop.  The script writes two CSV files:

- interactions.csv  one row per customer contact in 2024 over seven channels
                    (a few rows exported twice; satisfaction answers are messy)
- replies.csv       the replies sent to each remote contact: automatic
                    acknowledgements (author "auto") and agents' replies

Run ``python generate_data.py [OUTPUT_DIR]``; without an argument it writes to the
``data`` folder next to this script.  The output is the same byte for byte on every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 3204
YEAR_START = pd.Timestamp("2024-01-01")
YEAR_END = pd.Timestamp("2025-01-01")

CHANNELS = ["phone", "email", "chat", "store", "messaging", "social", "app"]
CHANNEL_P = [0.27, 0.19, 0.16, 0.13, 0.12, 0.10, 0.03]

# intent: (share of contacts, probability resolved in the contact, median handle minutes)
INTENTS = {
    "order_status": (0.19, 0.98, 3.0),
    "return_request": (0.14, 0.70, 7.5),
    "complaint": (0.12, 0.45, 12.0),
    "password_reset": (0.11, 0.98, 3.5),
    "invoice_copy": (0.10, 0.98, 2.5),
    "product_advice": (0.10, 0.97, 8.0),
    "repair_warranty": (0.09, 0.55, 10.0),
    "delivery_change": (0.05, 0.97, 4.0),
    "store_hours": (0.05, 0.99, 1.5),
    "payment_issue": (0.05, 0.62, 6.0),
}

# first human reply (minutes): median, spread; probability of an automatic acknowledgement;
# probability that nobody ever answers (abandoned call, unanswered message)
REPLY = {
    "phone": (0.6, 0.9, 0.0, 0.06),
    "chat": (1.4, 0.9, 1.0, 0.02),
    "email": (250.0, 1.1, 0.85, 0.03),
    "social": (55.0, 1.1, 0.40, 0.04),
    "messaging": (22.0, 1.0, 0.70, 0.03),
    "app": (95.0, 1.1, 0.60, 0.03),
}

N_CUSTOMERS = 1300
N_ISSUES = 2950


def random_times(rng: np.random.Generator, n: int) -> pd.DatetimeIndex:
    days = pd.date_range(YEAR_START, YEAR_END - pd.Timedelta(days=1), freq="D")
    day_w = np.where(days.day_of_week < 5, 1.0, 0.55)
    day = rng.choice(len(days), size=n, p=day_w / day_w.sum())
    hour_w = np.array([0.1] * 8 + [0.8, 1.4, 1.6, 1.5, 1.3, 1.1, 1.2, 1.3, 1.3, 1.2, 1.0, 0.8, 0.6, 0.4, 0.2, 0.1])
    hour = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    secs = rng.integers(0, 3600, size=n)
    return days[day] + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(secs, unit="s")


def make_contacts(rng: np.random.Generator) -> pd.DataFrame:
    intents = list(INTENTS)
    intent_p = np.array([INTENTS[i][0] for i in intents])
    # a few customers contact much more often than others
    cust_w = rng.pareto(1.8, size=N_CUSTOMERS) + 1.0
    customer = rng.choice(N_CUSTOMERS, size=N_ISSUES, p=cust_w / cust_w.sum()) + 1
    df = pd.DataFrame(
        {
            "customer": customer,
            "channel": rng.choice(CHANNELS, size=N_ISSUES, p=CHANNEL_P),
            "intent": rng.choice(intents, size=N_ISSUES, p=intent_p / intent_p.sum()),
            "received": random_times(rng, N_ISSUES),
            "repeat_of": -1,
        }
    )
    # customers who come back about the same issue
    base = df.sample(frac=0.12, random_state=int(rng.integers(0, 2**31 - 1)))
    rows = []
    for idx, row in base.iterrows():
        kind = rng.choice(3, p=[0.55, 0.25, 0.20])
        if kind == 0:  # another channel, within a few days
            delay = np.exp(rng.normal(np.log(1.2), 0.9))
            delay = float(np.clip(delay, 0.1, 5.0))
            channel = rng.choice([c for c in CHANNELS if c != row["channel"]])
        elif kind == 1:  # the same channel again, within a few days
            delay = float(np.clip(np.exp(rng.normal(np.log(1.0), 0.8)), 0.1, 5.0))
            channel = row["channel"]
        else:  # another channel, weeks later
            delay = float(rng.uniform(12, 60))
            channel = rng.choice([c for c in CHANNELS if c != row["channel"]])
        rows.append(
            {
                "customer": row["customer"],
                "channel": channel,
                "intent": row["intent"],
                "received": row["received"] + pd.Timedelta(seconds=int(delay * 86400)),
                "repeat_of": idx,
            }
        )
    df = pd.concat([df, pd.DataFrame(rows)], ignore_index=True)
    df = df[df["received"] < YEAR_END].reset_index(drop=True)
    return keep_clear_of_window(df)


def keep_clear_of_window(df: pd.DataFrame) -> pd.DataFrame:
    """Move contacts so that no two contacts of a customer about the same intent are
    less than an hour apart or between 6 and 9 days apart: the seven-day rule then gives
    the same answer however a student writes the comparison."""
    received = df["received"].copy()
    for _ in range(50):
        moved = False
        for _, idx in df.groupby(["customer", "intent"]).groups.items():
            idx = sorted(idx, key=lambda i: received[i])
            for a_pos, a in enumerate(idx):
                for b in idx[a_pos + 1 :]:
                    gap = received[b] - received[a]
                    days = gap / pd.Timedelta(days=1)
                    if days < 1 / 24 or 6 <= days <= 9:
                        shift = pd.Timedelta(days=4) if days >= 6 else pd.Timedelta(hours=3)
                        if received[b] + shift >= YEAR_END:
                            received[a] = received[a] - shift
                        else:
                            received[b] = received[b] + shift
                        moved = True
        if not moved:
            break
    else:  # pragma: no cover
        raise RuntimeError("could not separate the contacts")
    df = df.copy()
    df["received"] = received
    return df


def build(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = make_contacts(rng).sort_values("received", kind="stable").reset_index(drop=True)
    n = len(df)
    df["interaction_id"] = [f"I{i:05d}" for i in range(1, n + 1)]
    df["customer_id"] = [f"K{c:04d}" for c in df["customer"]]

    # replies
    reply_rows = []
    answered = np.ones(n, dtype=bool)
    for i, row in enumerate(df.itertuples(index=False)):
        if row.channel == "store":
            continue
        med, sig, p_auto, p_none = REPLY[row.channel]
        if rng.random() < p_auto:
            ack = row.received + pd.Timedelta(seconds=int(rng.integers(2, 60)))
            reply_rows.append((row.interaction_id, ack, "auto"))
        if rng.random() < p_none:
            answered[i] = False
            continue
        minutes = med * np.exp(sig * rng.standard_normal())
        first = row.received + pd.Timedelta(seconds=int(max(4, round(minutes * 60))))
        agent = f"A{int(rng.integers(1, 41)):02d}"
        reply_rows.append((row.interaction_id, first, agent))
        if row.channel != "phone" and rng.random() < 0.4:
            later = first + pd.Timedelta(seconds=int(rng.uniform(600, 3 * 86400)))
            reply_rows.append((row.interaction_id, later, agent))
    replies = pd.DataFrame(reply_rows, columns=["interaction_id", "sent_at", "author"])
    replies = replies.sort_values(["sent_at", "interaction_id"], kind="stable").reset_index(drop=True)
    replies["sent_at"] = replies["sent_at"].dt.strftime("%Y-%m-%d %H:%M:%S")

    # who handled it, for how long, resolved or not
    first_agent = replies[replies["author"] != "auto"].drop_duplicates("interaction_id").set_index("interaction_id")
    agent = df["interaction_id"].map(first_agent["author"]).astype("object")
    store = (df["channel"] == "store").to_numpy()
    agent[store] = [f"S{int(k):02d}" for k in rng.integers(1, 13, size=int(store.sum()))]
    p_res = np.array([INTENTS[i][1] for i in df["intent"]])
    # a contact that the customer has to repeat was usually not solved the first time
    first_of_repeat = df.index.isin(df["repeat_of"][df["repeat_of"] >= 0])
    p_res = np.where(first_of_repeat, p_res * 0.5, p_res)
    resolved = (rng.random(n) < p_res) & answered
    handle = np.array([INTENTS[i][2] for i in df["intent"]]) * np.exp(0.55 * rng.standard_normal(n))
    handle = np.where(answered, np.round(np.maximum(handle, 0.5), 1), np.nan)

    # post-contact satisfaction survey (1-5), answered by about a third of customers
    sat = np.where(
        resolved,
        rng.choice([1, 2, 3, 4, 5], size=n, p=[0.03, 0.05, 0.14, 0.38, 0.40]),
        rng.choice([1, 2, 3, 4, 5], size=n, p=[0.30, 0.28, 0.22, 0.14, 0.06]),
    )
    sat = sat.astype(str).astype(object)
    r = rng.random(n)
    sat[r < 0.64] = ""
    bad = (r >= 0.64) & (r < 0.665)
    sat[bad] = rng.choice(["0", "6", "9", "10", "bona", "?"], size=int(bad.sum()))

    out = pd.DataFrame(
        {
            "interaction_id": df["interaction_id"],
            "customer_id": df["customer_id"],
            "channel": df["channel"],
            "received_at": df["received"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "intent": df["intent"],
            "agent": agent.fillna(""),
            "handle_min": handle,
            "resolved": np.where(resolved, "yes", "no"),
            "satisfaction": sat,
        }
    )
    dup = out.sample(n=31, random_state=int(rng.integers(0, 2**31 - 1)))
    out = pd.concat([out, dup]).sort_values(["received_at", "interaction_id"], kind="stable").reset_index(drop=True)
    return out, replies


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    interactions, replies = build(rng)
    interactions.to_csv(out_dir / "interactions.csv", index=False, lineterminator="\n")
    replies.to_csv(out_dir / "replies.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data")
