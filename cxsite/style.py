"""House style that a script can check: how each language writes numbers, and how Catalan and
Spanish address the learner (tu / tú, never vosaltres / vosotros or usted).

Each check takes a Segment (cxsite/prose.py) and returns problems as "file:line: what: 'excerpt'".
The rules are written to find the mistakes without flagging correct text: years, version numbers
(CES 2.0), standards (ISO 10002), regulation numbers (2016/679) and times are left alone.
"""

from __future__ import annotations

import re

from cxsite.prose import Segment

# --- Numbers --------------------------------------------------------------------------------------
# ca/es: 22 %, 70 €, 1.491, 0,5.  en: 22%, €70, 1,491, 0.5.
SPACE = "[ \u00a0\u202f]"
NOT_NUMBER_BEFORE = r"(?<![\d.,/\w])"
NOT_NUMBER_AFTER = r"(?![\d\w])"

# Numbers that are names, not quantities, in any language.
EXEMPT = re.compile(
    r"(?:\b(?:CES|Web|Indústria|Industria|Industry|Python|pandas|JupyterLab|version|versió|versión|WCAG\)?)\s?\d[\d.,]*"
    r"|\b(?:article|articles|artículo|artículos|art\.|apartat|apartado|section|secció|sección)\s\d+(?:\.\d+)*"
    r"|\b(?:ISO|IEC|UNE|EN)(?:/(?:ISO|IEC|UNE|EN))*[\s-]?\d[\d.:-]*"  # ISO/IEC 27001, ISO 10002:2018
    r"|\b\d+\.\d+\.\d+\b"  # version numbers: 3.1.1
    r"|\bPython\D{0,30}\d+\.\d+"  # "un Python anterior al 3.11"
    r"|\b\d\.0\b"  # The Ultimate Question 2.0
    r"|\b\d{4}/\d+\b"  # Regulation (EU) 2016/679
    r"|(?:\b(?:a les|les|a las|las|at|des de|fins a|fins a les|hasta las|until|by)\s|\()\d{1,2}[.:][0-5]\d\b"  # times
    r"|\b\d{1,2}[:.]\d{2}\s?(?:h\b|am\b|pm\b|hores|horas|hours)"  # 9.30 h, 9:30 am
    r"|\b\d+\(\d+\)"  # journal volume(issue)
    r")",
    re.IGNORECASE,
)

# A year: four digits from 1800 to 2099 where the text points at a date.
COUNTED_NOT_YEAR_EXCEPTIONS = {
    "dels",
    "les",
    "los",
    "las",
    "unes",
    "unos",
    "sus",
    "seus",
    "seves",
    "amb",
    "this",
    "has",
    "was",
    "its",
    "as",
    "es",
    "més",
    "más",
    "pels",
    "des",
    "fins",
    "tras",
    "years",
    "anys",
    "años",
    "months",
}


def _is_year(text: str, start: int, end: int) -> bool:
    """A four-digit number from 1800 to 2099 is a year unless a plural noun follows it and counts it
    ("1850 respuestas", "2000 customers"); "2024 the team", "para 2025 basado" stay years."""
    value = int(text[start:end])
    if not 1800 <= value <= 2099:
        return False
    following = re.match(r"\s+([a-zà-ÿ]+)", text[end:])
    if not following:
        return True
    word = following.group(1)
    return not (len(word) >= 4 and word.endswith("s") and word not in COUNTED_NOT_YEAR_EXCEPTIONS)


NUMBER_RULES: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "ca": [
        (re.compile(r"\d%"), "write a space before % (22 %)"),
        (re.compile(r"€" + SPACE + r"?\d"), "write the euro sign after the number (70 €)"),
        (re.compile(r"\d€"), "write a space before € (70 €)"),
        (
            re.compile(NOT_NUMBER_BEFORE + r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?" + NOT_NUMBER_AFTER),
            "group thousands with a dot (1.491)",
        ),
        (re.compile(NOT_NUMBER_BEFORE + r"\d+\.\d{1,2}" + NOT_NUMBER_AFTER), "write decimals with a comma (0,5)"),
        (re.compile(NOT_NUMBER_BEFORE + r"0\.\d+" + NOT_NUMBER_AFTER), "write decimals with a comma (0,095)"),
        (
            re.compile(NOT_NUMBER_BEFORE + r"\d{1,3}" + SPACE + r"\d{3}" + NOT_NUMBER_AFTER),
            "group thousands with a dot, not a space (1.491)",
        ),
    ],
    "en": [
        (re.compile(r"\d" + SPACE + r"%"), "no space before % in English (22%)"),
        (re.compile(r"\d" + SPACE + r"?€"), "write the euro sign before the number (€70)"),
        (
            re.compile(NOT_NUMBER_BEFORE + r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?" + NOT_NUMBER_AFTER),
            "group thousands with a comma (1,491)",
        ),
        (re.compile(NOT_NUMBER_BEFORE + r"\d+,\d{1,2}" + NOT_NUMBER_AFTER), "write decimals with a point (0.5)"),
        (re.compile(NOT_NUMBER_BEFORE + r"0,\d+" + NOT_NUMBER_AFTER), "write decimals with a point (0.095)"),
        (
            re.compile(NOT_NUMBER_BEFORE + r"\d{1,3}" + SPACE + r"\d{3}" + NOT_NUMBER_AFTER),
            "group thousands with a comma, not a space (1,491)",
        ),
    ],
}
NUMBER_RULES["es"] = NUMBER_RULES["ca"]
UNGROUPED = re.compile(NOT_NUMBER_BEFORE + r"\d{4,}" + NOT_NUMBER_AFTER)


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """The text with the matches of `pattern` replaced by spaces, so positions stay put."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


# A ratio with three decimals (405 / 370 ≈ 1,095 vegades) looks like a grouped thousand; next to
# an operator or "times" it is read as the decimal it is.
RATIO_BEFORE = re.compile(r"[≈×=/÷]\s*$")
RATIO_AFTER = re.compile(r"^\s*(?:[≈×=/÷]|vegades\b|veces\b|times\b)")


def _is_ratio(text: str, start: int, end: int) -> bool:
    return bool(RATIO_BEFORE.search(text[max(0, start - 3) : start]) or RATIO_AFTER.match(text[end : end + 10]))


def number_style(segment: Segment) -> list[str]:
    """Numbers written in another language's style: 22% in Catalan, 70 € in English, 1850 anywhere."""
    text = _blank(segment.text, EXEMPT)
    problems = []
    for pattern, message in NUMBER_RULES[segment.lang]:
        for match in pattern.finditer(text):
            if message.startswith("group thousands") and _is_ratio(text, match.start(), match.end()):
                continue
            problems.append(f"{segment.where}: {message}: {_excerpt(segment.text, match.start(), match.end())!r}")
    for match in UNGROUPED.finditer(text):
        if len(match.group(0)) == 4 and _is_year(text, match.start(), match.end()):
            continue
        mark = "." if segment.lang in ("ca", "es") else ","
        problems.append(
            f"{segment.where}: group thousands ({mark}): {_excerpt(segment.text, match.start(), match.end())!r}"
        )
    return problems


# --- Addressing the learner ------------------------------------------------------------------------
# Catalan: tu. Second person plural forms are listed, not guessed from endings, except the regular
# -eu present/imperative of first-conjugation verbs, which a short list of other -eu words excludes.
CA_PLURAL_WORDS = {
    "vosaltres",
    "vostre",
    "vostra",
    "vostres",
    "us",
    "heu",
    "esteu",
    "feu",
    "teniu",
    "podeu",
    "voleu",
    "sabeu",
    "aneu",
    "vau",
    "vàreu",
    "fèieu",
    "éreu",
    "teníeu",
    "podíeu",
    "volíeu",
    "sabíeu",
    "havíeu",
    "hàgiu",
    "sigueu",
    "tingueu",
    "pugueu",
    "vulgueu",
    "sapigueu",
    "vingueu",
    "feu-ho",
    "feu-la",
    "feu-les",
    "feu-los",
    "feu-ne",
    "feu-hi",
    "teniu-ho",
    "escriviu",
    "descriviu",
    "llegiu",
    "obriu",
    "serviu",
    "sentiu",
    "seguiu",
    "definiu",
    "decidiu",
    "dividiu",
    "compartiu",
    "afegiu",
    "reuniu",
    "repartiu",
    "resumiu",
    "oferiu",
    "suggeriu",
    "ompliu",
    "distribuïu",
    "construïu",
    "substituïu",
    "traduïu",
    "elegiu",
    "exigiu",
    "interrompeu",
    "responeu",
    "preneu",
    "entreneu",
    "obtingueu",
    "digueu",
    "veniu",
    "dieu",
    "creieu",
    "treieu",
    "poseu",
    "coneixeu",
    "conegueu",
    "vegeu",
    "veieu",
    "aprengueu",
    "prengueu",
    "entengueu",
    "escolliu",
    "triïu",
    "podreu",
    "fareu",
    "sabreu",
    "tindreu",
    "haureu",
    "voldreu",
    "veureu",
    "direu",
    "aprendreu",
    "trobareu",
    "caldrà-vos",
}
# Other Catalan words that end in -eu; everything else ending in -eu after a consonant cluster
# typical of verbs (-eu after a vowel-less stem of 3+ letters) is read as a vosaltres form.
CA_EU_WORDS = {
    "seu",
    "meu",
    "teu",
    "peu",
    "preu",
    "creu",
    "veu",
    "neu",
    "deu",
    "beu",
    "déu",
    "arreu",
    "correu",
    "museu",
    "trofeu",
    "ateneu",
    "europeu",
    "europeus",
    "hebreu",
    "jueu",
    "greu",
    "lleu",
    "breu",
    "reu",
    "andreu",
    "mateu",
    "bartomeu",
    "pirineu",
    "liceu",
    "apogeu",
    "adeu",
    "ateu",
    "plebeu",
    "fariseu",
    "camafeu",
    "mausoleu",
    "coliseu",
    "treu",
    "extreu",
    "preveu",
    "contreu",
    "distreu",
    "atreu",
    "retreu",
    "sostreu",
    "abstreu",
    "reveu",
    "entreveu",
}
CA_EU_VERB = re.compile(r"\b([a-zàèéíòóúïüç·]{3,}(?:eu|eu-(?:ho|la|les|los|ne|hi|lo|li|me|nos)))\b", re.IGNORECASE)
CA_VOS = re.compile(r"\b[\wàèéíòóúïüç·]+-vos\b|\b[\wàèéíòóúïüç·]+'us\b", re.IGNORECASE)

ES_PLURAL_WORDS = {
    "vosotros",
    "vosotras",
    "vuestro",
    "vuestra",
    "vuestros",
    "vuestras",
    "os",
    "usted",
    "ustedes",
    "sois",
    "estáis",
    "habéis",
    "tenéis",
    "podéis",
    "queréis",
    "sabéis",
    "hacéis",
    "vais",
    "veis",
    "calculad",
    "escribid",
    "revisad",
    "haced",
    "tened",
    "comprobad",
    "preparad",
    "elegid",
    "marcad",
    "pensad",
    "anotad",
    "describid",
    "identificad",
    "proponed",
    "indicad",
    "dibujad",
    "completad",
    "buscad",
    "leed",
    "responded",
    "recordad",
    "observad",
    "analizad",
    "usad",
    "utilizad",
    "comparad",
    "definid",
    "añadid",
    "elegís",
    "escribís",
    "decidís",
    "vivís",
}
ES_VERB_PLURAL = re.compile(r"\b[a-záéíóúñü]+(?:áis|éis)\b", re.IGNORECASE)
# Vosotros imperatives: a sentence- or item-initial word in -ad/-id (Calculad, Partid) or a listed one
# in -ed (English past participles end in -ed too: "Certified"), or one with a pronoun attached
# (Revisadlo); nouns in -dad/-tad and a few others are not imperatives.
ES_ED_IMPERATIVES = (
    "Haced|Tened|Leed|Poned|Proponed|Responded|Aprended|Comprended|Escoged|Recoged|Volved|Devolved|"
    "Moved|Resolved|Suponed|Componed|Exponed|Disponed|Prevened|Mantened|Obtened|Contened|Detened|Entended|"
    "Atended|Extended|Defended|Ofreced|Pareced|Conoced|Reconoced|Estableced|Agradeced|Vended|Creed|Bebed|Corred"
)
ES_IMPERATIVE_PLURAL = re.compile(
    r"(?:^|[.!?:]\s+|^\s*(?:[-*+]|\d+\.)\s+(?:\[[ x]\]\s+)?)([A-ZÁÉÍÓÚ][a-záéíóúñü]+(?:ad|id)|"
    + ES_ED_IMPERATIVES
    + r")\b"
    r"|\b([A-Za-zÁÉÍÓÚáéíóúñü][a-záéíóúñü]*(?:ad|ed|id)(?:lo|la|los|las|le|les|me|nos))\b"
)
ES_NOT_IMPERATIVES = re.compile(
    r"(?:dad|tad)$|^(?:Madrid|Red|Sed|Pared|Césped|Huésped|Merced|Lid|Vid|Ardid|David|Fred|Ted|Valid|Rapid|"
    r"Avoid|Paid|Said|Android|Covid|Hybrid|Solid|Liquid|Stupid|Vivid|Grid|Bid|Kid|Druid|Squad|Brad|Chad|"
    r"Lead|Need|Embed|Feed|Seed|Speed|Read|Head|Add|Bad|Glad|Mad|Bed|Shed|Proceed|Succeed)$"
)
CA_IMPERATIVE_IU = re.compile(
    r"(?:^|[.!?:]\s+|^\s*(?:[-*+]|\d+\.)\s+(?:\[[ x]\]\s+)?)"
    r"(Partiu|Compartiu|Repartiu|Escriviu|Descriviu|Llegiu|Obriu|Definiu|Decidiu|Afegiu|Reuniu|Ompliu|Seguiu|"
    r"Triïu|Construïu|Distribuïu|Elegiu|Escolliu|Dividiu|Resumiu|Oferiu|Serviu|Sentiu|Teniu|Veniu|Advertiu|"
    r"Convertiu|Invertiu|Substituïu|Traduïu|Incloeu|Recordeu)\b"
)
ES_NOT_VERBS = {"jerséis", "bonsáis", "samuráis", "carnés", "seis", "guaraníes"}
# Usted imperatives that open a sentence or a list item: "Calcule el NPS", "- Revise...".
ES_USTED_IMPERATIVE = re.compile(
    r"(?:^|[.!?:]\s+|^\s*(?:[-*+]|\d+\.)\s+(?:\[[ x]\]\s+)?)"
    r"(Calcule|Elija|Escriba|Revise|Compruebe|Prepare|Marque|Haga|Tenga|Piense|Anote|Describa|"
    r"Identifique|Proponga|Indique|Dibuje|Complete|Busque|Lea|Responda|Recuerde|Observe|Analice|Use|"
    r"Utilice|Considere|Compare|Defina|Añada|Asegúrese|Fíjese|Imagine|Pregúntese|Escoja|Reúna|Entreviste)\b"
)


# Quoted speech may address others in the plural (a company writing to its customers: «ens vau
# dir...»), and "si us plau" and the cross-reference formula "vegeu" are fixed expressions.
QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")
FIXED = re.compile(r"\bsi us plau\b|\bvegeu\b", re.IGNORECASE)


def register(segment: Segment) -> list[str]:
    """Catalan and Spanish learner address in the plural (vosaltres, vosotros) or with usted."""
    text = _blank(_blank(segment.text, QUOTED), FIXED)
    found: list[tuple[int, int]] = []
    if segment.lang == "ca":
        for match in re.finditer(r"[\wàèéíòóúïüç·'’-]+", text):
            word = match.group(0).lower().strip("'’-")
            if word in CA_PLURAL_WORDS:
                found.append(match.span())
        for match in CA_EU_VERB.finditer(text):
            word = match.group(1).lower()
            stem = word.split("-")[0]
            if stem not in CA_EU_WORDS and stem not in CA_PLURAL_WORDS:
                found.append(match.span())
        found.extend(m.span() for m in CA_VOS.finditer(text))
        found.extend(m.span(1) for m in CA_IMPERATIVE_IU.finditer(text))
    elif segment.lang == "es":
        for match in re.finditer(r"[\wáéíóúñü]+", text):
            if match.group(0).lower() in ES_PLURAL_WORDS:
                found.append(match.span())
        for match in ES_VERB_PLURAL.finditer(text):
            if match.group(0).lower() not in ES_NOT_VERBS:
                found.append(match.span())
        found.extend(m.span(1) for m in ES_USTED_IMPERATIVE.finditer(text))
        for match in ES_IMPERATIVE_PLURAL.finditer(text):
            group = 1 if match.group(1) else 2
            if not ES_NOT_IMPERATIVES.search(match.group(group)):
                found.append(match.span(group))
    return [
        f"{segment.where}: address the learner as {'tu' if segment.lang == 'ca' else 'tú'}: "
        f"{_excerpt(text, start, end)!r}"
        for start, end in sorted(set(found))
    ]


def _excerpt(text: str, start: int, end: int, around: int = 30) -> str:
    return text[max(0, start - around) : end + around].strip()
