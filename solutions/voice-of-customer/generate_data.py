"""Generate the data of the `voice-of-customer` exercise (Moble Viu, second quarter of 2025).

Moble Viu is a fictional furniture and home retailer with 40 stores and an online shop.  After
every purchase it sends a short survey: the NPS question (0-10), satisfaction with the purchase
(CSAT, 1-5), an open comment, consent to be called back and the customer's contact.  Customers
write in Catalan or Spanish, and a few in English.  The script writes five CSV files:

- responses.csv            the survey as exported, raw and messy (answers exported twice, text
                           and out-of-scale scores, consent written a dozen ways, empty comments)
- responses_clean.csv      the same answers cleaned with the rules of task 1
- comments_normalised.csv  each comment normalised with the rules of task 2
- codebook.csv             the keyword dictionary: one row per (theme, keyword)
- theme_tags.csv           the themes of each response under the tagging rules of task 3

Each comment is assembled from sentences whose themes are checked against the tagging rules when
the script runs, so the reference tags say what the customers meant; some sentences are there to
trip the usual shortcuts (negated keywords, keywords inside longer words, several themes).

Run ``python generate_data.py [OUTPUT_DIR]``; without an argument it writes to the ``data``
folder next to this script.  The output is the same byte for byte on every run.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 2
N_RESPONSES = 2400
FIRST_DAY = pd.Timestamp("2025-04-07")  # a Monday; twelve weeks up to Sunday 29 June 2025
DAYS = 84

THEMES = ["delivery_delay", "damaged_product", "assembly", "high_price", "friendly_staff", "website", "refunds"]
# Keywords are written already normalised (lower case, no accents), as task 3 matches them.
# fmt: off
CODEBOOK = {
    "delivery_delay": [
        "retard", "retards", "tard", "endarrerida", "endarrerit", "endarreriment",
        "retraso", "retrasos", "retrasada", "retrasado", "demora", "tardaron",
        "late", "delay", "delays", "delayed",
    ],
    "damaged_product": [
        "trencat", "trencada", "trencats", "trencades", "ratllat", "ratllada", "malmes", "malmesa",
        "defectuos", "defectuosa", "roto", "rota", "rotos", "rotas", "rayado", "rayada", "danado",
        "danada", "defectuoso", "broken", "damaged", "scratched", "faulty",
    ],
    "assembly": [
        "muntatge", "muntador", "muntadors", "cargols", "instruccions",
        "montaje", "montador", "montadores", "tornillos", "instrucciones",
        "assembly", "fitter", "fitters", "screws", "instructions",
    ],
    "high_price": [
        "car", "cara", "cars", "cares", "carissim", "carissima", "abusiu", "abusius",
        "caro", "caros", "caras", "carisimo", "carisima", "abusivo", "abusivos",
        "expensive", "overpriced", "pricey",
    ],
    "friendly_staff": [
        "amable", "amables", "atent", "atenta", "atents", "simpatic", "simpatica", "simpatics",
        "encantador", "encantadora", "atento", "atentos", "simpatico", "simpaticos",
        "friendly", "helpful", "kind",
    ],
    "website": ["web", "app", "pagina", "aplicacio", "aplicacion", "website", "site"],
    "refunds": [
        "devolucio", "reemborsament", "reclamacio", "reclamacions", "garantia",
        "devolucion", "reembolso", "reclamacion", "reclamaciones",
        "refund", "complaint", "warranty",
    ],
}
NEGATORS = [
    "no", "cap", "gens", "mai", "sense",
    "ningun", "ninguna", "nada", "nunca", "sin",
    "not", "never", "without", "nothing", "didn", "wasn", "weren", "isn", "don", "doesn",
]
# fmt: on
WINDOW = 3

# Sentences customers write, by what they talk about and language.  A theme's sentences must be
# tagged with that theme and nothing else; every other group must be tagged with nothing.
SENTENCES: dict[str, dict[str, list[str]]] = {
    "delivery_delay": {
        "ca": [
            "L'entrega va arribar amb una setmana de retard.",
            "El sofà va arribar tard i ningú ens va avisar.",
            "Tres retards seguits amb la mateixa comanda.",
            "La comanda va arribar endarrerida gairebé un mes.",
            "Ens van canviar el dia d'entrega dues vegades, sempre amb retard.",
            "Massa endarreriment per a un llit que era en estoc.",
            "El transportista va venir tard, quan ja havíem marxat.",
        ],
        "es": [
            "El pedido llegó con dos semanas de retraso.",
            "Entrega retrasada y nadie me avisó.",
            "Tardaron casi un mes en traer la mesa.",
            "Muchos retrasos con la entrega del sofá.",
            "La demora en la entrega fue inaceptable.",
            "El armario llegó retrasado y sin aviso.",
        ],
        "en": [
            "The delivery was two weeks late.",
            "Delivery delayed twice without any notice.",
            "Another delay with my order.",
        ],
    },
    "damaged_product": {
        "ca": [
            "La tauleta va arribar amb una pota trencada.",
            "El mirall estava trencat dins la caixa.",
            "La calaixera tenia la porta ratllada.",
            "Un dels llums va arribar defectuós.",
            "La butaca va arribar malmesa.",
            "Dues cadires trencades de quatre.",
        ],
        "es": [
            "La mesa llegó con una pata rota.",
            "El espejo venía roto dentro de la caja.",
            "La cómoda tenía un lateral rayado.",
            "Una lámpara defectuosa que no encendía.",
            "El sofá llegó dañado.",
            "Dos sillas rotas de cuatro.",
        ],
        "en": [
            "The table arrived with a broken leg.",
            "The wardrobe door was scratched.",
            "One of the chairs arrived damaged.",
        ],
    },
    "assembly": {
        "ca": [
            "Els muntadors van deixar l'armari tort.",
            "Falten cargols i el calaix no tanca.",
            "El muntatge va durar tot el dia i va quedar malament.",
            "El muntador va venir sense les eines.",
            "Les instruccions del llit són un trencaclosques.",
        ],
        "es": [
            "Los montadores dejaron el armario torcido.",
            "Faltaban tornillos y la puerta queda torcida.",
            "El montaje fue un desastre.",
            "El montador llegó sin herramientas.",
        ],
        "en": [
            "The assembly took all day and the doors don't close.",
            "Missing screws and confusing instructions.",
        ],
    },
    "high_price": {
        "ca": [
            "Els mobles són massa cars per a la qualitat que tenen.",
            "El transport és caríssim.",
            "El sofà és bonic però car.",
            "Preus abusius en els complements.",
            "La taula ens va sortir molt cara.",
        ],
        "es": [
            "Los muebles son muy caros para lo que son.",
            "El transporte es carísimo.",
            "Bonito pero caro.",
            "Precios abusivos en los accesorios.",
        ],
        "en": ["Nice furniture but overpriced.", "Delivery is too expensive."],
    },
    "friendly_staff": {
        "ca": [
            "La dependenta va ser molt amable.",
            "Personal molt atent a la botiga.",
            "El venedor, encantador i molt ben informat.",
            "Tothom molt amable.",
            "Una atenció molt simpàtica.",
        ],
        "es": ["La dependienta fue muy amable.", "Personal muy atento.", "El vendedor, encantador."],
        "en": ["Staff were very friendly.", "Really helpful staff in the store."],
    },
    "website": {
        "ca": [
            "La web es penja quan vols pagar.",
            "L'app no em deixava triar el dia d'entrega.",
            "A la pàgina l'estoc no és el real de la botiga.",
            "L'aplicació es tanca sola.",
        ],
        "es": [
            "La web se cuelga al pagar.",
            "La app no me dejaba elegir el día de entrega.",
            "En la página el stock no es el real.",
            "La aplicación se cierra sola.",
        ],
        "en": ["The website crashed at checkout.", "The app kept logging me out."],
    },
    "refunds": {
        "ca": [
            "Encara espero el reemborsament de fa dos mesos.",
            "La devolució ha estat un calvari.",
            "Vaig posar una reclamació i ningú m'ha respost.",
            "La garantia no em cobreix res, diuen.",
        ],
        "es": [
            "Sigo esperando el reembolso desde hace dos meses.",
            "La devolución fue un calvario.",
            "Puse una reclamación y nadie me ha contestado.",
        ],
        "en": ["Still waiting for my refund after six weeks.", "My complaint was ignored for a month."],
    },
    # Staff who were NOT friendly: the keyword is negated, so no theme (the codebook has none for it).
    "rude_staff": {
        "ca": [
            "El venedor no va ser gens amable.",
            "A la botiga no eren gens atents.",
            "Ningú ens va atendre i no van ser gens simpàtics.",
        ],
        "es": ["El dependiente no fue nada amable.", "En la tienda no fueron nada atentos."],
        "en": ["Staff were not friendly at all.", "The staff were not helpful."],
    },
    # A problem that did NOT happen: a negated keyword, no theme.
    "absent": {
        "ca": [
            "Entrega puntual, sense cap retard.",
            "No hi ha hagut cap retard.",
            "El transportista no va arribar tard.",
            "Cap moble trencat.",
            "Res no va arribar trencat.",
            "El paquet no estava gens malmès.",
            "No és gens car per la qualitat que té.",
            "Bon preu, gens car.",
            "El vaig comprar sense muntatge.",
            "No he hagut de fer cap reclamació.",
        ],
        "es": [
            "Entrega puntual, sin ningún retraso.",
            "No hubo retrasos.",
            "No tardaron nada.",
            "Nada roto, todo perfecto.",
            "Ningún mueble dañado.",
            "No es nada caro.",
            "Calidad precio muy bien, nada caro.",
            "Lo compré sin montaje.",
            "No he tenido que poner ninguna reclamación.",
        ],
        "en": [
            "Delivery was on time, not late at all.",
            "No delays at all.",
            "Nothing damaged.",
            "Not expensive at all.",
            "Bought it without assembly.",
            "Never had a complaint.",
        ],
    },
    # A keyword inside a longer word (tarda, carrer, happy...): no theme for whole-word matching.
    "trap": {
        "ca": [
            "Vam anar a la botiga a la tarda.",
            "La botiga del carrer Major és molt còmoda.",
            "El cartró de l'embalatge era enorme.",
            "Aparcar és fàcil.",
            "Hi ha massa trànsit a la carretera de l'entrada.",
        ],
        "es": [
            "Fuimos a la tienda por la tarde.",
            "Es fácil aparcar.",
            "El cartón del embalaje era enorme.",
            "La tienda de la carretera tiene buen acceso.",
        ],
        "en": [
            "Happy with the purchase overall.",
            "The latest catalogue is great.",
            "Carpark was full on Saturday.",
        ],
    },
    "filler": {
        "ca": [
            "Vaig comprar un sofà i dues tauletes.",
            "Compra feta a la botiga de Girona.",
            "Era per al pis nou.",
            "Vam comprar el llit de la nena.",
        ],
        "es": ["Compré un sofá y dos mesitas.", "Era para el piso nuevo.", "Compramos la cama de la niña."],
        "en": ["Bought a sofa and two side tables.", "It was for our new flat."],
    },
    "praise": {
        "ca": ["Bona experiència en general.", "Tot correcte.", "Repetiré segur.", "Molt contents amb la compra."],
        "es": [
            "Buena experiencia en general.",
            "Sin ninguna queja.",
            "Repetiré seguro.",
            "Muy contentos con la compra.",
        ],
        "en": ["Good experience overall.", "All fine.", "Will buy again."],
    },
}
NEGATIVE = ["refunds", "damaged_product", "delivery_delay", "rude_staff", "assembly", "website", "high_price"]
# (promoters, passives, detractors) when this is the worst thing that happened
NPS_MIX = {
    None: (0.58, 0.30, 0.12),
    "refunds": (0.04, 0.14, 0.82),
    "damaged_product": (0.07, 0.21, 0.72),
    "delivery_delay": (0.11, 0.25, 0.64),
    "rude_staff": (0.10, 0.25, 0.65),
    "assembly": (0.20, 0.36, 0.44),
    "website": (0.32, 0.38, 0.30),
    "high_price": (0.45, 0.36, 0.19),
}
# chance of each experience, by channel
EXPERIENCE_P = {
    "delivery_delay": {"store": 0.09, "online": 0.20},
    "damaged_product": {"store": 0.07, "online": 0.07},
    "assembly": {"store": 0.13, "online": 0.11},
    "high_price": {"store": 0.13, "online": 0.13},
    "website": {"store": 0.015, "online": 0.09},
    "refunds": {"store": 0.045, "online": 0.045},
    "rude_staff": {"store": 0.05, "online": 0.015},
    "friendly_staff": {"store": 0.24, "online": 0.05},
}
LANGS = ["ca", "es", "en"]
LANG_P = [0.55, 0.38, 0.07]
JUNK_COMMENTS = [" ", "👍", "...", "-", "😡😡", "??", "  "]
EMOJIS = [" 😡", " 👍", " 🙂", " 😞", "!!"]
CONSENT_YES = ["Sí", "sí", "si", "SI", "Si", "Yes", "yes", " sí ", "S", "s"]
CONSENT_YES_P = [0.30, 0.16, 0.12, 0.06, 0.10, 0.06, 0.04, 0.06, 0.06, 0.04]
CONSENT_NO = ["No", "no", "NO", "n", ""]
CONSENT_NO_P = [0.38, 0.30, 0.06, 0.06, 0.20]
CONSENT_TRUE = {"sí", "si", "s", "yes", "y"}


def normalise(text: object) -> str:
    """Task 2's rules: lower case, accents removed, anything but a-z and 0-9 a space, single spaces."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def themes_of(text: str, negation: bool = True, whole_words: bool = True) -> set[str]:
    """Task 3's rules on a normalised text (the switches give the shortcuts the data must expose)."""
    words = text.split()
    found = set()
    for theme, keywords in CODEBOOK.items():
        if not whole_words:
            if any(k in text for k in keywords):
                found.add(theme)
            continue
        for i, word in enumerate(words):
            if word in keywords and not (negation and set(words[max(0, i - WINDOW) : i]) & set(NEGATORS)):
                found.add(theme)
                break
    return found


def check_sentences() -> None:
    """Every sentence says what its group means under the rules (and the traps do trip shortcuts)."""
    for group, by_lang in SENTENCES.items():
        for lang, sentences in by_lang.items():
            for sentence in sentences:
                text = normalise(sentence)
                expected = {group} if group in THEMES else set()
                assert themes_of(text) == expected, (group, lang, sentence, themes_of(text))
                if group in ("rude_staff", "absent"):
                    assert themes_of(text, negation=False), (group, sentence)
                if group == "trap":
                    assert themes_of(text, whole_words=False), (group, sentence)


def mess_text(rng: np.random.Generator, text: str) -> str:
    """What phones and hurried customers do to a comment."""
    if rng.random() < 0.5:
        text = text.replace("'", "’")
    if rng.random() < 0.2:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text)
    r = rng.random()
    if r < 0.05:
        text = text.upper()
    elif r < 0.2:
        text = text[0].lower() + text[1:]
    if rng.random() < 0.1:
        text = text.replace(" ", "  ", 1)
    if rng.random() < 0.06:
        text = text + EMOJIS[int(rng.integers(len(EMOJIS)))]
    if rng.random() < 0.1:
        text = text + " "
    return text


def nps_answer(rng: np.random.Generator, experiences: set[str]) -> int:
    negatives = [e for e in NEGATIVE if e in experiences]
    p, pa, d = NPS_MIX[negatives[0] if negatives else None]
    extra = 0.06 * max(0, len(negatives) - 1)
    p, d = max(p - extra, 0.01), d + min(extra, p - 0.01)
    if "friendly_staff" in experiences:
        lift = min(0.15, d + pa - 0.02)
        p, pa, d = p + lift, pa - lift / 3, d - 2 * lift / 3
    group = rng.choice(3, p=np.array([p, pa, d]) / (p + pa + d))
    if group == 0:
        return int(rng.choice([9, 10], p=[0.45, 0.55]))
    if group == 1:
        return int(rng.choice([7, 8], p=[0.4, 0.6]))
    return int(rng.choice([0, 1, 2, 3, 4, 5, 6], p=[0.12, 0.04, 0.06, 0.1, 0.14, 0.24, 0.30]))


def csat_answer(rng: np.random.Generator, nps: int) -> int:
    if nps >= 9:
        return int(rng.choice([3, 4, 5], p=[0.06, 0.34, 0.60]))
    if nps >= 7:
        return int(rng.choice([2, 3, 4, 5], p=[0.05, 0.25, 0.52, 0.18]))
    return int(rng.choice([1, 2, 3, 4, 5], p=[0.18, 0.27, 0.30, 0.20, 0.05]))


def pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def comment_for(rng: np.random.Generator, experiences: set[str], nps: int) -> str:
    lang = LANGS[int(rng.choice(3, p=LANG_P))]
    negatives = [e for e in NEGATIVE if e in experiences]
    p_comment = min(0.92, 0.45 + 0.12 * len(negatives) + (0.10 if "friendly_staff" in experiences else 0.0))
    if rng.random() >= p_comment:
        return pick(rng, JUNK_COMMENTS) if rng.random() < 0.04 else ""
    sentences = [pick(rng, SENTENCES[e][lang]) for e in sorted(experiences) if rng.random() < 0.92]
    if not negatives and rng.random() < 0.30:
        sentences.append(pick(rng, SENTENCES["absent"][lang]))
    if rng.random() < 0.25:
        sentences.append(pick(rng, SENTENCES["trap" if rng.random() < 0.45 else "filler"][lang]))
    if not negatives and nps >= 7 and (rng.random() < 0.35 or not sentences):
        sentences.append(pick(rng, SENTENCES["praise"][lang]))
    if not sentences:
        sentences.append(pick(rng, SENTENCES["filler"][lang]))
    order = rng.permutation(len(sentences))
    return mess_text(rng, " ".join(sentences[i] for i in order))


def make_responses(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for i in range(N_RESPONSES):
        channel = "online" if rng.random() < 0.45 else "store"
        experiences = {e for e, p in EXPERIENCE_P.items() if rng.random() < p[channel]}
        if {"friendly_staff", "rude_staff"} <= experiences:
            experiences.discard("friendly_staff")
        nps = nps_answer(rng, experiences)
        csat = csat_answer(rng, nps)
        comment = comment_for(rng, experiences, nps)
        day = FIRST_DAY + pd.Timedelta(days=int(rng.integers(DAYS)))
        if channel == "store":
            minute = int(rng.integers(10 * 60 + 15, 21 * 60 + 45))
            store = f"B{int(rng.integers(1, 41)):02d}"
        else:
            minute = -1
            while not 7 * 60 <= minute < 24 * 60:  # online answers come in from 7:00 to midnight
                minute = int(rng.normal(15 * 60, 260))
            store = "WEB"
        when = day + pd.Timedelta(minutes=minute)
        if rng.random() < 0.62:
            consent = str(rng.choice(CONSENT_YES, p=CONSENT_YES_P))
        else:
            consent = str(rng.choice(CONSENT_NO, p=CONSENT_NO_P))
        email = f"client{i + 1:05d}@example.com" if rng.random() < 0.72 else ""
        phone = f"6{int(rng.integers(10, 100))} {int(rng.integers(100, 1000))} {int(rng.integers(100, 1000))}"
        phone = phone if rng.random() < 0.55 else ""
        rows.append([when, channel, store, str(nps), str(csat), comment, consent, email, phone])
    df = pd.DataFrame(
        rows, columns=["submitted_at", "channel", "store", "nps", "csat", "comment", "consent", "email", "phone"]
    )
    df = df.sort_values("submitted_at", kind="stable").reset_index(drop=True)
    df.insert(0, "response_id", [f"R{i:05d}" for i in range(1, len(df) + 1)])
    df["submitted_at"] = df["submitted_at"].dt.strftime("%Y-%m-%d %H:%M")
    n = len(df)

    def mess(col: str, p_missing: float, invalid: list[str], p_invalid: float) -> None:
        r = rng.random(n)
        df.loc[r < p_missing, col] = ""
        bad = (r >= p_missing) & (r < p_missing + p_invalid)
        df.loc[bad, col] = rng.choice(invalid, size=int(bad.sum()))

    mess("nps", 0.025, ["11", "12", "-1", "NS", "deu", "n/a", "10/10"], 0.015)
    mess("csat", 0.06, ["0", "6", "bé", "-", "4,5"], 0.015)
    # a few answers were exported twice
    dup = df.sample(n=45, random_state=int(rng.integers(0, 2**31 - 1)))
    df = pd.concat([df, dup]).sort_values(["submitted_at", "response_id"], kind="stable").reset_index(drop=True)
    return df


def clean_responses(raw: pd.DataFrame) -> pd.DataFrame:
    """The cleaning rules stated in task 1 of the notebook."""
    df = raw.drop_duplicates(subset="response_id", keep="first").copy()
    for col, low, high in (("nps", 0, 10), ("csat", 1, 5)):
        values = pd.to_numeric(df[col], errors="coerce")
        df[col] = values.where(values.between(low, high)).astype("Int64")
    df["consent"] = df["consent"].fillna("").astype(str).str.strip().str.lower().isin(CONSENT_TRUE)
    return df.reset_index(drop=True)


def main(out_dir: Path) -> None:
    check_sentences()
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    raw = make_responses(rng)
    raw.to_csv(out_dir / "responses.csv", index=False, lineterminator="\n")
    clean = clean_responses(pd.read_csv(out_dir / "responses.csv", dtype=str, keep_default_na=False))
    clean.to_csv(out_dir / "responses_clean.csv", index=False, lineterminator="\n")
    texts = clean["comment"].map(normalise)
    pd.DataFrame({"response_id": clean["response_id"], "text": texts}).to_csv(
        out_dir / "comments_normalised.csv", index=False, lineterminator="\n"
    )
    codebook = pd.DataFrame([(t, k) for t in THEMES for k in CODEBOOK[t]], columns=["theme", "keyword"])
    codebook.to_csv(out_dir / "codebook.csv", index=False, lineterminator="\n")
    found = texts.map(themes_of)
    tags = pd.DataFrame({t: found.map(lambda s, t=t: int(t in s)) for t in THEMES})
    tags.insert(0, "response_id", clean["response_id"])
    tags.to_csv(out_dir / "theme_tags.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data")
