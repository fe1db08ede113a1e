"""Generate the data of the `journey-map` exercise (Aigües de la Plana, move-in journey, spring 2025).

Aigües de la Plana is a fictional public water utility that supplies about 210,000 households.
When a household moves into a home it must put the water contract in its own name: it looks for
information, applies, sends documents, waits for the supply to be activated and receives its
first bill.  The script follows 900 move-in cases opened in March and April 2025 until 31 July
2025 and writes five CSV files:

- customers.csv           one row per case: the household's attributes (age with gaps)
- interactions.csv        every logged contact of each case, by stage and touchpoint, as the CRM
                          exports it: labels typed by hand (case, spaces, typos) and rows exported
                          twice
- interactions_clean.csv  the same contacts cleaned with the rules stated in task 1
- survey.csv              the short survey sent after some contacts (CSAT 1-5, CES 1-7, emotion
                          -2..+2), raw: text in numeric columns, answers outside the scale,
                          negative emotions written with the typographic minus sign, duplicates
- survey_clean.csv        the same answers cleaned with the rules stated in task 2

Run ``python generate_data.py [OUTPUT_DIR]``; without an argument it writes to the ``data``
folder next to this script.  The output is the same byte for byte on every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 72
N_CASES = 900
FIRST_DAY = pd.Timestamp("2025-03-03")
LAST_DAY = pd.Timestamp("2025-04-30")

STAGES = ["information", "application", "documents", "activation", "first_bill"]
SEGMENT_P = {"owner": 0.31, "local_tenant": 0.24, "newcomer_tenant": 0.24, "senior": 0.14, "shared": 0.07}

# Probability that a case which reached a stage goes on to the next one, by segment (the rule's
# segment): application, documents, activation, first bill.  Tenants, and above all shared flats,
# give up at the documents stage more often (the landlord keeps the contract in their name).
CONTINUE = {
    "owner": (0.90, 0.96, 0.93, 0.98),
    "local_tenant": (0.87, 0.95, 0.80, 0.98),
    "newcomer_tenant": (0.84, 0.95, 0.66, 0.97),
    "senior": (0.88, 0.94, 0.84, 0.98),
    "shared": (0.80, 0.93, 0.52, 0.97),
}

# Touchpoints of the information, application and documents stages by the household's preferred
# way of contact.
CHANNELS = {
    "information": {
        "online": {"web": 0.82, "phone": 0.16, "office": 0.02},
        "phone": {"web": 0.35, "phone": 0.55, "office": 0.10},
        "in_person": {"web": 0.20, "phone": 0.35, "office": 0.45},
    },
    "application": {
        "online": {"web": 0.68, "app": 0.28, "phone": 0.03, "office": 0.01},
        "phone": {"web": 0.25, "app": 0.05, "phone": 0.55, "office": 0.15},
        "in_person": {"web": 0.10, "app": 0.02, "phone": 0.28, "office": 0.60},
    },
    "documents": {
        "online": {"web": 0.70, "email": 0.22, "phone": 0.07, "office": 0.01},
        "phone": {"web": 0.25, "email": 0.20, "phone": 0.45, "office": 0.10},
        "in_person": {"web": 0.10, "email": 0.10, "phone": 0.30, "office": 0.50},
    },
}

# Survey: chance that a contact gets an answer, and for each stage and touchpoint the share of
# satisfied answers (CSAT 4-5), the share of easy answers (CES 5-7) and the emotion's centre.
RESPONSE_P = {
    "web": 0.33,
    "app": 0.38,
    "phone": 0.45,
    "office": 0.55,
    "email": 0.35,
    "technician": 0.50,
    "sms": 0.03,
    "letter": 0.25,
}
# Surveys go out more often after a step that needs following up (documents) than after a visit to
# the information pages.
STAGE_RESPONSE = {"information": 0.6, "application": 1.0, "documents": 1.3, "activation": 1.0, "first_bill": 1.0}
SCORES = {
    ("information", "web"): (0.82, 0.74, 0.62),
    ("information", "phone"): (0.76, 0.68, 0.50),
    ("information", "office"): (0.88, 0.48, 0.40),
    ("application", "web"): (0.80, 0.72, 0.00),
    ("application", "app"): (0.86, 0.80, 0.22),
    ("application", "phone"): (0.72, 0.64, -0.22),
    ("application", "office"): (0.87, 0.64, 0.10),
    ("documents", "web"): (0.45, 0.33, -1.50),
    ("documents", "email"): (0.54, 0.42, -1.25),
    ("documents", "phone"): (0.56, 0.47, -1.20),
    ("documents", "office"): (0.80, 0.52, -0.55),
    ("activation", "technician"): (0.92, 0.86, 1.30),
    ("activation", "sms"): (0.40, 0.50, -0.30),
    ("activation", "phone"): (0.60, 0.50, -0.45),
    ("first_bill", "email"): (0.60, 0.78, -0.50),
    ("first_bill", "letter"): (0.78, 0.72, -0.35),
    ("first_bill", "phone"): (0.47, 0.43, -1.30),
    ("first_bill", "office"): (0.60, 0.55, -0.60),
}
EMOTION_SHIFT = {"owner": 0.12, "local_tenant": 0.0, "newcomer_tenant": -0.12, "senior": 0.0, "shared": -0.18}

# How agents sometimes type the labels in the CRM (task 1 cleans them).
STAGE_VARIANTS = {
    "information": ["Information", "INFORMATION", " information", "info", "Info "],
    "application": ["Application", "application ", "aplication", "APPLICATION"],
    "documents": ["Documents", " documents", "docs", "Docs", "DOCUMENTS"],
    "activation": ["Activation", "activation ", "ACTIVATION"],
    "first_bill": ["First_Bill", "first bill", "First bill", "first-bill", "FIRST_BILL"],
}
TOUCHPOINT_VARIANTS = {
    "web": ["Web", "WEB", " web", "web "],
    "app": ["App", "APP"],
    "phone": ["Phone", "telefon", "Telefon ", "PHONE"],
    "office": ["Office", "oficina", "Oficina"],
    "email": ["Email", "e-mail", "E-mail", "EMAIL"],
    "technician": ["Technician", "tecnic", "Tècnic"],
    "sms": ["SMS", "Sms"],
    "letter": ["Letter", "carta", "Carta"],
}
# The cleaning rules the notebook states (task 1): strip, lower case, then these fixes.
STAGE_FIXES = {
    "info": "information",
    "aplication": "application",
    "docs": "documents",
    "first bill": "first_bill",
    "first-bill": "first_bill",
}
TOUCHPOINT_FIXES = {
    "telefon": "phone",
    "oficina": "office",
    "e-mail": "email",
    "tecnic": "technician",
    "tècnic": "technician",
    "carta": "letter",
}
SCALES = {"csat": (1, 5), "ces": (1, 7), "emotion": (-2, 2)}
TYPOGRAPHIC_MINUS = "\u2212"


def segment_rule(customers: pd.DataFrame) -> pd.Series:
    """The segment rule of task 9: the first condition that holds decides."""
    conditions = [
        (customers["age"] >= 65).fillna(False),  # a missing age is not a senior's
        customers["household"] == "shared",
        (customers["tenure"] == "tenant") & (customers["newcomer"] == "yes"),
        customers["tenure"] == "tenant",
    ]
    choices = ["senior", "shared", "newcomer_tenant", "local_tenant"]
    conditions = [np.asarray(c, dtype=bool) for c in conditions]
    return pd.Series(np.select(conditions, choices, default="owner"), index=customers.index)


def pick(rng: np.random.Generator, options: dict[str, float]) -> str:
    labels = list(options)
    p = np.array([options[k] for k in labels])
    return str(rng.choice(labels, p=p / p.sum()))


def make_customers(rng: np.random.Generator) -> pd.DataFrame:
    latent = rng.choice(list(SEGMENT_P), size=N_CASES, p=list(SEGMENT_P.values()))
    rows = []
    for i, seg in enumerate(latent, start=1):
        if seg == "owner":
            age = np.clip(rng.normal(46, 10), 28, 64)
            household = pick(rng, {"single": 0.2, "couple": 0.35, "family": 0.45})
            tenure, newcomer = "owner", "yes" if rng.random() < 0.3 else "no"
            pref = pick(rng, {"online": 0.6, "phone": 0.3, "in_person": 0.1})
        elif seg == "local_tenant":
            age = np.clip(rng.normal(36, 10), 20, 64)
            household = pick(rng, {"single": 0.4, "couple": 0.35, "family": 0.25})
            tenure, newcomer = "tenant", "no"
            pref = pick(rng, {"online": 0.55, "phone": 0.35, "in_person": 0.1})
        elif seg == "newcomer_tenant":
            age = np.clip(rng.normal(33, 7), 21, 60)
            household = pick(rng, {"single": 0.45, "couple": 0.35, "family": 0.2})
            tenure, newcomer = "tenant", "yes"
            pref = pick(rng, {"online": 0.75, "phone": 0.2, "in_person": 0.05})
        elif seg == "senior":
            age = np.clip(rng.normal(72, 5), 65, 90)
            household = pick(rng, {"single": 0.5, "couple": 0.5})
            # many seniors rent: the rule must put them in `senior` before the tenant rules
            tenure = "owner" if rng.random() < 0.55 else "tenant"
            newcomer = "yes" if rng.random() < 0.35 else "no"
            pref = pick(rng, {"online": 0.2, "phone": 0.45, "in_person": 0.35})
        else:
            age = np.clip(rng.normal(25, 4), 19, 40)
            household = "shared"
            tenure, newcomer = "tenant", "yes" if rng.random() < 0.6 else "no"
            pref = pick(rng, {"online": 0.85, "phone": 0.12, "in_person": 0.03})
        rows.append([f"C{i:04d}", int(round(age)), household, tenure, newcomer, pref])
    df = pd.DataFrame(rows, columns=["case_id", "age", "household", "tenure", "newcomer", "contact_pref"])
    df["age"] = df["age"].astype("Int64")
    # the form left the age empty for a few households that are not seniors
    gaps = (rng.random(N_CASES) < 0.035) & (df["age"] < 65).to_numpy(dtype=bool)
    df.loc[gaps, "age"] = pd.NA
    return df


def make_journeys(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    segment = segment_rule(customers)
    rows = []
    for k, case in customers.iterrows():
        seg = segment[k]
        pref = case["contact_pref"]
        day = FIRST_DAY + pd.Timedelta(days=int(rng.integers(0, (LAST_DAY - FIRST_DAY).days + 1)))
        last = 0
        for step, p in enumerate(CONTINUE[seg], start=1):
            if rng.random() < p:
                last = step
            else:
                break
        for s, stage in enumerate(STAGES[: last + 1]):
            if stage in CHANNELS:
                extra = {"information": 0.3, "application": 0.08, "documents": 0.5}[stage]
                if stage == "documents" and case["tenure"] == "tenant":
                    extra = 0.95  # rental contracts are rejected and sent again more often
                contacts = [pick(rng, CHANNELS[stage][pref]) for _ in range(1 + rng.poisson(extra))]
            elif stage == "activation":
                contacts = ["technician"]
                if rng.random() < 0.85:
                    contacts.append("sms")
                contacts += ["phone"] * int(rng.poisson(0.25))
            else:
                online = pref == "online"
                contacts = ["email" if rng.random() < (0.85 if online else 0.25) else "letter"]
                contacts += ["phone"] * int(rng.poisson(0.35))
                if rng.random() < (0.12 if pref == "in_person" else 0.03):
                    contacts.append("office")
            gap = {0: 0, 1: (0, 4), 2: (1, 6), 3: (3, 13), 4: (26, 56)}[s]
            if s:
                day = day + pd.Timedelta(days=int(rng.integers(gap[0], gap[1])))
            for j, touchpoint in enumerate(contacts):
                when = day + pd.Timedelta(days=int(rng.integers(0, 3)) if j else 0)
                rows.append([case["case_id"], when, stage, touchpoint, seg])
    df = pd.DataFrame(rows, columns=["case_id", "date", "stage", "touchpoint", "segment"])
    df = df.sort_values(["date", "case_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "interaction_id", [f"I{i:05d}" for i in range(1, len(df) + 1)])
    return df


def messy_interactions(rng: np.random.Generator, journeys: pd.DataFrame) -> pd.DataFrame:
    df = journeys[["interaction_id", "case_id", "date", "stage", "touchpoint"]].copy()
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    for column, variants, p in (("stage", STAGE_VARIANTS, 0.14), ("touchpoint", TOUCHPOINT_VARIANTS, 0.16)):
        messy = rng.random(len(df)) < p
        df.loc[messy, column] = [str(rng.choice(variants[v])) for v in df.loc[messy, column]]
    dup = df.sample(n=44, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values(["date", "interaction_id"], kind="stable").reset_index(drop=True)
    return df


def make_survey(rng: np.random.Generator, journeys: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for it in journeys.itertuples(index=False):
        if rng.random() >= RESPONSE_P[it.touchpoint] * STAGE_RESPONSE[it.stage]:
            continue
        p_sat, p_easy, emo = SCORES[(it.stage, it.touchpoint)]
        if rng.random() < p_sat:
            csat = int(rng.choice([4, 5], p=[0.5, 0.5]))
        else:
            csat = int(rng.choice([1, 2, 3], p=[0.2, 0.3, 0.5]))
        if rng.random() < p_easy:
            ces = int(rng.choice([5, 6, 7], p=[0.3, 0.35, 0.35]))
        else:
            ces = int(rng.choice([1, 2, 3, 4], p=[0.1, 0.2, 0.3, 0.4]))
        centre = emo + EMOTION_SHIFT[it.segment]
        emotion = int(np.clip(np.round(centre + rng.normal(0, 0.85)), -2, 2))
        answered = it.date + pd.Timedelta(days=int(rng.integers(0, 4)))
        rows.append([it.interaction_id, it.case_id, answered, it.stage, it.touchpoint, csat, ces, emotion])
    df = pd.DataFrame(
        rows, columns=["interaction_id", "case_id", "answered", "stage", "touchpoint", "csat", "ces", "emotion"]
    )
    df = df.sort_values(["answered", "interaction_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "response_id", [f"R{i:05d}" for i in range(1, len(df) + 1)])
    df["answered"] = df["answered"].dt.strftime("%Y-%m-%d")
    n = len(df)
    for column in ("csat", "ces", "emotion"):
        df[column] = df[column].astype(str).astype(object)
    # the survey tool wrote some numbers with signs: "+1", and "−1" with the typographic minus
    emo = df["emotion"].astype(int)
    plus = (emo > 0) & (rng.random(n) < 0.2)
    df.loc[plus, "emotion"] = "+" + df.loc[plus, "emotion"]
    minus = (emo < 0) & (rng.random(n) < 0.3)
    df.loc[minus, "emotion"] = df.loc[minus, "emotion"].str.replace("-", TYPOGRAPHIC_MINUS)

    def mess(column: str, p_missing: float, invalid: list[str], p_invalid: float) -> None:
        r = rng.random(n)
        df.loc[r < p_missing, column] = ""
        bad = (r >= p_missing) & (r < p_missing + p_invalid)
        df.loc[bad, column] = rng.choice(invalid, size=int(bad.sum()))

    mess("csat", 0.04, ["0", "6", "9", "n/s", "-"], 0.025)
    mess("ces", 0.08, ["0", "8", "10", "?", "n/a"], 0.025)
    mess("emotion", 0.05, ["3", "-3", "5", "?"], 0.02)
    dup = df.sample(n=31, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values(["answered", "response_id"], kind="stable").reset_index(drop=True)
    return df


def clean_interactions(raw: pd.DataFrame) -> pd.DataFrame:
    """The cleaning rules stated in task 1 of the notebook."""
    df = raw.drop_duplicates(subset="interaction_id", keep="first").copy()
    df["stage"] = df["stage"].str.strip().str.lower().replace(STAGE_FIXES)
    df["touchpoint"] = df["touchpoint"].str.strip().str.lower().replace(TOUCHPOINT_FIXES)
    return df.reset_index(drop=True)


def clean_survey(raw: pd.DataFrame) -> pd.DataFrame:
    """The cleaning rules stated in task 2 of the notebook."""
    df = raw.drop_duplicates(subset="response_id", keep="first").copy()
    for column, (low, high) in SCALES.items():
        text = df[column].astype("string").str.replace(TYPOGRAPHIC_MINUS, "-")
        values = pd.to_numeric(text, errors="coerce")
        df[column] = values.where(values.between(low, high)).astype("Int64")
    return df.reset_index(drop=True)


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    customers = make_customers(rng)
    journeys = make_journeys(rng, customers)
    interactions = messy_interactions(rng, journeys)
    survey = make_survey(rng, journeys)
    customers.to_csv(out_dir / "customers.csv", index=False, lineterminator="\n")
    interactions.to_csv(out_dir / "interactions.csv", index=False, lineterminator="\n")
    survey.to_csv(out_dir / "survey.csv", index=False, lineterminator="\n")
    clean_interactions(pd.read_csv(out_dir / "interactions.csv")).to_csv(
        out_dir / "interactions_clean.csv", index=False, lineterminator="\n"
    )
    clean_survey(pd.read_csv(out_dir / "survey.csv")).to_csv(
        out_dir / "survey_clean.csv", index=False, lineterminator="\n"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data")
