"""Generate the data of the `automation-case` exercise (Ona Mòbil, March 2025).

Ona Mòbil is a fictional mobile operator with about 600,000 customers.  Its app and website chat
start with a bot; customers can also phone an agent.  The data are a random sample of one
customer in twenty.  The script writes five CSV files:

- conversations.csv        one row per bot conversation started in March 2025: intent, how it
                           ended (`answered`, `abandoned_after_error`, `handover`) and the
                           post-chat survey; messy (conversations exported twice, intents and
                           outcomes in mixed case, with stray spaces and typos, survey answers
                           written as text or outside the 1-5 scale)
- conversations_clean.csv  the same conversations cleaned with the rules stated in task 1
- agent_contacts.csv       every contact handled by a person from 1 March to 7 April 2025: chats
                           handed over by the bot (with their `conversation_id`) and phone calls;
                           a few rows exported twice
- contacts_march.csv       one row per contact started in March (bot conversations and phone
                           calls) with its path, agent minutes, survey answer and whether it was
                           resolved under the 7-day rule stated in the notebook
- churn_scores.csv         the churn model's scores for a sample of customers (1 December 2024)
                           and whether each customer left in the following three months

Run ``python generate_data.py [OUTPUT_DIR]``; without an argument it writes to the ``data``
folder next to this script.  The output is the same byte for byte on every run, and the script
checks that the exercise's rules give clear-cut answers on it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 6203
MONTH_START = pd.Timestamp("2025-03-01")
MONTH_END = pd.Timestamp("2025-04-01")  # exclusive: March 2025
WINDOW_END = pd.Timestamp("2025-04-08")  # exclusive: agent contacts up to 7 April
WEEK = pd.Timedelta(days=7)
CUSTOMER_POOL = 30_000  # one customer in twenty of about 600,000

# The rules the notebook states (the notebook's constants must match these).
INTENTS = ["billing", "top_up", "data_bundle", "roaming", "pin_puk", "coverage", "portability", "cancellation"]
INTENT_FIXES = {
    "biling": "billing",
    "top-up": "top_up",
    "topup": "top_up",
    "roming": "roaming",
    "pin puk": "pin_puk",
    "data bundle": "data_bundle",
}
OUTCOMES = ["answered", "abandoned_after_error", "handover"]
PATHS = ["bot_only", "bot_then_agent", "agent_only"]
BOT_COST = 0.40  # € per bot conversation
AGENT_MINUTE_COST = 0.85  # € per minute of an agent's handling time

# Per intent: share of bot conversations, P(handover), P(abandon after an error | no handover),
# P(phone call about the same intent within 7 days | answered by the bot).
INTENT_PARAMS = {
    "billing": (0.24, 0.30, 0.06, 0.20),
    "top_up": (0.16, 0.08, 0.04, 0.05),
    "data_bundle": (0.14, 0.15, 0.05, 0.09),
    "roaming": (0.10, 0.18, 0.08, 0.34),
    "pin_puk": (0.10, 0.10, 0.03, 0.04),
    "coverage": (0.12, 0.35, 0.12, 0.18),
    "portability": (0.08, 0.45, 0.06, 0.14),
    "cancellation": (0.06, 0.80, 0.05, 0.10),
}
# Intents of phone calls that do not follow a bot conversation.
PHONE_INTENT_P = {
    "billing": 0.27,
    "top_up": 0.06,
    "data_bundle": 0.10,
    "roaming": 0.07,
    "pin_puk": 0.05,
    "coverage": 0.17,
    "portability": 0.12,
    "cancellation": 0.16,
}
N_CONVERSATIONS = 2650
N_PHONE_MARCH = 1900  # first calls of customers who did not use the bot
PHONE_REPEAT_P = 0.14  # a first call followed by another about the same intent within 7 days

# survey answers 1..5 by situation: (response rate, probabilities of 1..5)
SURVEY = {
    "answered": (0.30, [0.05, 0.06, 0.12, 0.31, 0.46]),
    "answered_callback": (0.30, [0.10, 0.12, 0.20, 0.31, 0.27]),
    "abandoned_after_error": (0.14, [0.46, 0.28, 0.15, 0.08, 0.03]),
    "handover": (0.32, [0.12, 0.13, 0.20, 0.29, 0.26]),
    "phone": (0.28, [0.05, 0.07, 0.12, 0.33, 0.43]),
}

# churn model
N_CHURN = 5000
THRESHOLDS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]
CONTACT_COST = 2.0
TAKE_UP = 0.40
OFFER_COST = 30.0
VALUE_SAVED = 240.0
CHURN_THRESHOLD = 0.30


def _times(rng: np.random.Generator, n: int, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Contact times: more during the day and on weekdays."""
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    day_w = np.where(days.day_of_week < 5, 1.0, 0.7)
    day = rng.choice(len(days), size=n, p=day_w / day_w.sum())
    hour_w = np.array([0.1] * 7 + [0.5, 1.0, 1.4, 1.5, 1.4, 1.2, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 1.0, 0.9, 0.7, 0.4, 0.2])
    hour = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    secs = rng.integers(0, 3600, size=n)
    return pd.Series(days[day] + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(secs, unit="s"))


def _survey(rng: np.random.Generator, kind: str) -> float:
    rate, probs = SURVEY[kind]
    if rng.random() >= rate:
        return np.nan
    return float(rng.choice([1, 2, 3, 4, 5], p=probs))


def _handle(rng: np.random.Generator, channel: str) -> float:
    median = 9.5 if channel == "chat" else 7.0
    return float(np.round(max(1.0, median * np.exp(0.5 * rng.standard_normal())), 1))


def make_contacts(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean conversations and agent contacts (before any mess is added)."""
    pool = np.array([f"C{i:06d}" for i in rng.choice(900_000, size=CUSTOMER_POOL, replace=False)])
    order = rng.permutation(CUSTOMER_POOL)
    bot_customers = pool[order[:N_CONVERSATIONS]]
    phone_customers = pool[order[N_CONVERSATIONS : N_CONVERSATIONS + N_PHONE_MARCH]]
    others = pool[order[N_CONVERSATIONS + N_PHONE_MARCH :]]

    intents = list(INTENT_PARAMS)
    share = np.array([INTENT_PARAMS[i][0] for i in intents])
    conv_intent = rng.choice(intents, size=N_CONVERSATIONS, p=share / share.sum())
    conv_start = _times(rng, N_CONVERSATIONS, MONTH_START, MONTH_END)
    conversations, agent = [], []

    def call(customer: str, intent: str, when: pd.Timestamp, conversation: str = "") -> None:
        channel = "chat" if conversation else "phone"
        agent.append(
            {
                "customer_id": customer,
                "started": when,
                "channel": channel,
                "intent": intent,
                "conversation_id": conversation,
                "handle_minutes": _handle(rng, channel),
                "csat": np.nan if conversation else _survey(rng, "phone"),
            }
        )

    for k in range(N_CONVERSATIONS):
        cid = f"B{k + 1:05d}"
        customer, intent, start = bot_customers[k], conv_intent[k], conv_start[k]
        _, p_hand, p_abandon, p_callback = INTENT_PARAMS[intent]
        if rng.random() < p_hand:
            outcome = "handover"
            call(customer, intent, start + pd.Timedelta(minutes=float(rng.uniform(2, 9))), cid)
            survey = _survey(rng, "handover")
            # some handed-over customers still phone back about the same issue
            if rng.random() < 0.11:
                call(customer, intent, start + pd.Timedelta(hours=float(rng.uniform(3, 140))))
        elif rng.random() < p_abandon:
            outcome = "abandoned_after_error"
            survey = _survey(rng, "abandoned_after_error")
            if rng.random() < 0.45:
                call(customer, intent, start + pd.Timedelta(hours=float(rng.uniform(0.5, 100))))
        else:
            outcome = "answered"
            callback = rng.random() < p_callback
            survey = _survey(rng, "answered_callback" if callback else "answered")
            if callback:
                call(customer, intent, start + pd.Timedelta(hours=float(rng.uniform(2, 150))))
                if rng.random() < 0.18:  # and some of them call twice
                    call(customer, intent, start + pd.Timedelta(hours=float(rng.uniform(2, 150))))
            r = rng.random()
            if r < 0.05:  # a call about something else within the week
                other = rng.choice([i for i in intents if i != intent])
                call(customer, other, start + pd.Timedelta(hours=float(rng.uniform(2, 150))))
            elif r < 0.09:  # the same intent, but weeks later: a new problem
                call(customer, intent, start + pd.Timedelta(days=float(rng.uniform(8.5, 30))))
            elif r < 0.12:  # the same intent, a few days before the conversation
                call(customer, intent, start - pd.Timedelta(days=float(rng.uniform(1, 5.5))))
        conversations.append(
            {
                "conversation_id": cid,
                "customer_id": customer,
                "started": start,
                "channel": "app" if rng.random() < 0.62 else "web",
                "intent": intent,
                "outcome": outcome,
                "csat": survey,
            }
        )

    # phone calls of customers who did not use the bot, and their repeat calls
    p_int = np.array(list(PHONE_INTENT_P.values()))
    phone_intent = rng.choice(list(PHONE_INTENT_P), size=N_PHONE_MARCH, p=p_int / p_int.sum())
    phone_start = _times(rng, N_PHONE_MARCH, MONTH_START, MONTH_END)
    for k in range(N_PHONE_MARCH):
        customer, intent, start = phone_customers[k], phone_intent[k], phone_start[k]
        call(customer, intent, start)
        r = rng.random()
        if r < PHONE_REPEAT_P:
            call(customer, intent, start + pd.Timedelta(hours=float(rng.uniform(3, 150))))
        elif r < PHONE_REPEAT_P + 0.05:
            call(customer, intent, start + pd.Timedelta(days=float(rng.uniform(8.5, 25))))
    # first calls in the first week of April (only there for the 7-day window)
    n_april = 420
    april = _times(rng, n_april, MONTH_END, WINDOW_END)
    for k in range(n_april):
        call(others[k], rng.choice(list(PHONE_INTENT_P), p=p_int / p_int.sum()), april[k])

    conv = pd.DataFrame(conversations)
    calls = pd.DataFrame(agent)
    # the record covers 1 March to 7 April: drop what falls outside
    calls = calls[(calls["started"] >= MONTH_START) & (calls["started"] < WINDOW_END)]
    calls = clear_edges(conv, calls.reset_index(drop=True))
    calls = calls.sort_values("started", kind="stable").reset_index(drop=True)
    calls.insert(0, "contact_id", [f"A{i:05d}" for i in range(1, len(calls) + 1)])
    calls["started"] = calls["started"].dt.floor("s")
    conv["started"] = conv["started"].dt.floor("s")
    conv = conv.sort_values("started", kind="stable").reset_index(drop=True)
    # number the conversations in time order; `link_handovers` then gives the handed-over chats the
    # new ids (each bot customer has a single conversation)
    conv["conversation_id"] = [f"B{i:05d}" for i in range(1, len(conv) + 1)]
    return conv, calls


def clear_edges(conv: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """Drop the phone calls that start within twelve hours of seven days after another contact of
    the same customer, so that every reasonable reading of "within 7 days" gives the same answer."""
    while True:
        phone = calls[calls["channel"] == "phone"]
        earlier = pd.concat([conv[["customer_id", "started"]], phone[["customer_id", "started"]]])
        later = phone[["customer_id", "started"]].reset_index()
        pairs = earlier.merge(later, on="customer_id", suffixes=("", "_call"))
        gap = pairs["started_call"] - pairs["started"]
        edge = (gap > WEEK - pd.Timedelta(hours=12)) & (gap < WEEK + pd.Timedelta(hours=12))
        if not edge.any():
            return calls
        calls = calls.drop(index=pairs.loc[edge, "index"].unique())


def link_handovers(conv: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """Handover chats carry the id of their conversation (matched on customer, as each bot
    customer has one conversation)."""
    ids = conv.set_index("customer_id")["conversation_id"]
    calls = calls.copy()
    handover = calls["channel"] == "chat"
    calls.loc[handover, "conversation_id"] = calls.loc[handover, "customer_id"].map(ids)
    return calls


def resolved_contacts(conv: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """The checkpoint table: one row per contact started in March, with the notebook's rules.

    A contact is resolved when no phone call by the same customer about the same intent starts
    more than 0 and at most 7 days after it; a bot conversation abandoned after an error is never
    resolved.  Handover chats are part of their conversation (path `bot_then_agent`)."""
    phone = calls[calls["channel"] == "phone"][["contact_id", "customer_id", "intent", "started"]]
    handover = calls[calls["channel"] == "chat"].set_index("conversation_id")["handle_minutes"]

    def followed(rows: pd.DataFrame, key: str) -> pd.Series:
        pairs = rows[[key, "customer_id", "intent", "started"]].merge(
            phone, on=["customer_id", "intent"], suffixes=("", "_call")
        )
        if key == "contact_id":
            pairs = pairs[pairs["contact_id"] != pairs["contact_id_call"]]
        gap = pairs["started_call"] - pairs["started"]
        hit = pairs.loc[(gap > pd.Timedelta(0)) & (gap <= WEEK), key]
        return rows[key].isin(set(hit))

    bot = conv.copy()
    bot["path"] = np.where(bot["outcome"] == "handover", "bot_then_agent", "bot_only")
    bot["agent_minutes"] = bot["conversation_id"].map(handover).fillna(0.0)
    bot["resolved"] = ~followed(bot, "conversation_id") & (bot["outcome"] != "abandoned_after_error")
    bot = bot.rename(columns={"conversation_id": "contact_id"})

    direct = calls[(calls["channel"] == "phone") & (calls["started"] < MONTH_END)].copy()
    direct["path"] = "agent_only"
    direct["agent_minutes"] = direct["handle_minutes"]
    direct["resolved"] = ~followed(direct, "contact_id")
    columns = ["contact_id", "customer_id", "started", "path", "intent", "agent_minutes", "resolved", "csat"]
    out = pd.concat([bot[columns], direct[columns]]).sort_values(["started", "contact_id"], kind="stable")
    out["csat"] = out["csat"].astype("Int64")
    return out.reset_index(drop=True)


def mess_conversations(rng: np.random.Generator, conv: pd.DataFrame) -> pd.DataFrame:
    df = conv.copy()
    n = len(df)
    df["csat"] = df["csat"].map(lambda x: "" if pd.isna(x) else str(int(x)))
    # intents: mixed case, stray spaces, a few typos
    fixes_back = {}
    for wrong, right in INTENT_FIXES.items():
        fixes_back.setdefault(right, []).append(wrong)
    intents = df["intent"].tolist()
    for i in range(n):
        r = rng.random()
        value = intents[i]
        if r < 0.035 and value in fixes_back:
            value = str(rng.choice(fixes_back[value]))
        if rng.random() < 0.08:
            value = value.capitalize() if rng.random() < 0.6 else value.upper()
        if rng.random() < 0.05:
            value = rng.choice([" ", "  ", ""]) + value + rng.choice([" ", "  "])
        intents[i] = value
    df["intent"] = intents
    outcomes = df["outcome"].tolist()
    for i in range(n):
        if rng.random() < 0.06:
            outcomes[i] = outcomes[i].capitalize() if rng.random() < 0.5 else outcomes[i].upper()
        if rng.random() < 0.03:
            outcomes[i] = outcomes[i] + " "
    df["outcome"] = outcomes
    # survey answers: text, outside the scale
    answered = np.flatnonzero(df["csat"] != "")
    bad = rng.choice(answered, size=28, replace=False)
    df.loc[bad[:16], "csat"] = rng.choice(["0", "6", "9", "10", "55"], size=16)
    df.loc[bad[16:], "csat"] = rng.choice(["n/a", "-", "bé", "?"], size=12)
    blanks = rng.choice(np.flatnonzero(df["csat"] == ""), size=10, replace=False)
    df.loc[blanks, "csat"] = " "
    df["started"] = df["started"].dt.strftime("%Y-%m-%d %H:%M:%S")
    dup = df.sample(n=41, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values(["started", "conversation_id"], kind="stable")
    return df.reset_index(drop=True)


def clean_conversations(raw: pd.DataFrame) -> pd.DataFrame:
    """The cleaning rules stated in task 1 of the notebook."""
    df = raw.drop_duplicates(subset="conversation_id").copy()
    intent = df["intent"].str.strip().str.lower()
    df["intent"] = intent.replace(INTENT_FIXES)
    df["outcome"] = df["outcome"].str.strip().str.lower()
    csat = pd.to_numeric(df["csat"], errors="coerce")
    df["csat"] = csat.where(csat.between(1, 5))
    return df.reset_index(drop=True)


def mess_calls(rng: np.random.Generator, calls: pd.DataFrame) -> pd.DataFrame:
    df = calls.copy()
    df["started"] = df["started"].dt.strftime("%Y-%m-%d %H:%M:%S")
    df["csat"] = df["csat"].astype("Int64")
    dup = df.sample(n=23, random_state=int(rng.integers(0, 2**31 - 1)))
    return pd.concat([df, dup]).sort_values(["started", "contact_id"], kind="stable").reset_index(drop=True)


def make_churn(rng: np.random.Generator) -> pd.DataFrame:
    """A calibrated-looking model: the score is the churn probability the model estimates."""
    n = N_CHURN
    plan = rng.choice(["contract", "prepaid"], size=n, p=[0.64, 0.36])
    risk = rng.standard_normal(n) + np.where(plan == "prepaid", 0.35, 0.0)
    true_p = 1.0 / (1.0 + np.exp(-(-3.55 + 1.25 * risk)))
    churned = (rng.random(n) < true_p).astype(int)
    # the model sees the risk with some noise
    seen = 0.85 * risk + 0.45 * rng.standard_normal(n)
    score = 1.0 / (1.0 + np.exp(-(-3.45 + 1.45 * seen)))
    score = np.round(score, 3)
    # no score sits exactly on a threshold of the grid: ">=" and ">" give the same customers
    for t in THRESHOLDS:
        score = np.where(np.isclose(score, t), score + 0.001, score)
    score = np.clip(score, 0.001, 0.999)
    # new customers (under three months) have no score; they leave more often
    unscored = rng.random(n) < 0.03
    churned = np.where(unscored, (rng.random(n) < 0.15).astype(int), churned)
    ids = rng.choice(np.arange(100_000, 999_999), size=n, replace=False)
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in ids],
            "plan": plan,
            "score": pd.Series(score).where(~unscored),
            "churned": churned,
        }
    )
    df["score"] = df["score"].map(lambda x: "" if pd.isna(x) else f"{x:.3f}")
    return df.sort_values("customer_id").reset_index(drop=True)


# --- the rules, as the notebook states them: used to check that the answers are clear-cut -------


def churn_measures(df: pd.DataFrame, threshold: float) -> dict[str, float]:
    score = pd.to_numeric(df["score"], errors="coerce")
    flagged = score >= threshold
    churned = df["churned"] == 1
    tp = (flagged & churned).sum()
    base = churned.mean()
    precision = tp / flagged.sum()
    return {
        "precision": precision * 100,
        "recall": tp / churned.sum() * 100,
        "base_rate": base * 100,
        "lift": precision / base,
        "ev": tp * TAKE_UP * VALUE_SAVED - flagged.sum() * (CONTACT_COST + TAKE_UP * OFFER_COST),
    }


def check(conv: pd.DataFrame, calls: pd.DataFrame, contacts: pd.DataFrame, churn: pd.DataFrame) -> None:
    """Fail loudly when the data would make an answer depend on a detail the notebook leaves open."""
    phone = calls[calls["channel"] == "phone"]
    # no phone call lands within twelve hours of the 7-day edge of a contact of the same customer
    both = pd.concat([conv[["customer_id", "started"]], phone[["customer_id", "started"]]])
    pairs = both.merge(phone[["customer_id", "started"]], on="customer_id", suffixes=("", "_call"))
    gap = (pairs["started_call"] - pairs["started"]).abs()
    edge = (gap > WEEK - pd.Timedelta(hours=12)) & (gap < WEEK + pd.Timedelta(hours=12))
    assert not edge.any(), f"{edge.sum()} calls near the 7-day edge"
    bot = contacts[contacts["path"] != "agent_only"]
    by_intent = bot.groupby("intent")
    raw = (bot["path"] == "bot_only").groupby(bot["intent"]).mean() * 100
    resolved = ((bot["path"] == "bot_only") & bot["resolved"]).groupby(bot["intent"]).mean() * 100
    gap = (raw - resolved).sort_values(ascending=False)
    assert gap.iloc[0] - gap.iloc[1] > 4, gap
    assert len(by_intent) == len(INTENTS)
    answered = (conv["outcome"] == "answered").groupby(conv["intent"]).mean() * 100
    assert (raw - answered).idxmax() != gap.index[0], "ignoring the call-backs must change the intent"
    cost = cost_table(contacts)
    per_resolved = cost["cost_per_resolved"].sort_values()
    assert per_resolved.iloc[1] - per_resolved.iloc[0] > 1
    # the churn model: a clear best threshold, and the traps give other answers
    evs = pd.Series({t: churn_measures(churn, t)["ev"] for t in THRESHOLDS})
    top = evs.sort_values(ascending=False)
    assert top.iloc[0] - top.iloc[1] > 150, top.head()
    m = churn_measures(churn, CHURN_THRESHOLD)
    assert abs(m["precision"] - m["recall"]) > 5, m


def cost_table(contacts: pd.DataFrame) -> pd.DataFrame:
    bot = contacts["path"].isin(["bot_only", "bot_then_agent"]) * BOT_COST
    cost = bot + contacts["agent_minutes"] * AGENT_MINUTE_COST
    g = contacts.assign(cost=cost).groupby("path")
    table = pd.DataFrame({"contacts": g.size(), "resolved": g["resolved"].sum(), "cost": g["cost"].sum()})
    table["cost_per_contact"] = table["cost"] / table["contacts"]
    table["cost_per_resolved"] = table["cost"] / table["resolved"]
    return table


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    conv, calls = make_contacts(rng)
    calls = link_handovers(conv, calls)
    contacts = resolved_contacts(conv, calls)
    churn = make_churn(rng)
    check(conv, calls, contacts, churn)

    raw = mess_conversations(rng, conv)
    raw.to_csv(out_dir / "conversations.csv", index=False, lineterminator="\n")
    reread = pd.read_csv(out_dir / "conversations.csv", dtype={"csat": str}, keep_default_na=False)
    clean = clean_conversations(reread)
    clean.to_csv(out_dir / "conversations_clean.csv", index=False, lineterminator="\n")
    mess_calls(rng, calls).to_csv(out_dir / "agent_contacts.csv", index=False, lineterminator="\n")
    out = contacts.copy()
    out["started"] = out["started"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out.to_csv(out_dir / "contacts_march.csv", index=False, lineterminator="\n")
    churn.to_csv(out_dir / "churn_scores.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data")
