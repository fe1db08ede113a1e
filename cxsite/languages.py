"""The course's languages: the fixed lesson section titles and the interface strings the site writes.

Catalan is the source language and the default. The languages themselves are listed once, in
`grader/course.py`; adding one means adding it there, an entry here with the same keys (a test
checks they match) and the language in `mkdocs.yml`.
"""

from __future__ import annotations

from grader.course import LANGUAGES

DEFAULT_LANGUAGE = LANGUAGES[0]

# The sections every lesson ends with, in this order (see CONTRIBUTING.md).
LESSON_TAIL_SECTIONS: dict[str, list[str]] = {
    "ca": ["Exemple resolt", "Exercici pràctic", "Idees clau", "Autoavaluació", "Lectures recomanades"],
    "es": [
        "Ejemplo resuelto",
        "Ejercicio práctico",
        "Ideas clave",
        "Autoevaluación",
        "Lecturas recomendadas",
    ],
    "en": ["Worked example", "Practical exercise", "Key points", "Self-check", "Further reading"],
}

UI: dict[str, dict[str, str]] = {
    "ca": {
        "objectives": "Objectius d'aprenentatge",
        "minutes": "Temps estimat: {minutes} minuts",
        "outcomes": "Resultats d'aprenentatge",
        "lessons": "Lliçons",
        "lesson": "Lliçó",
        "lesson_count": "{n} lliçons",
        "time": "Temps",
        "total_time": "Temps total estimat: {minutes} minuts ({hours} h).",
        "minutes_short": "{minutes} min",
        "exercise": "Exercici avaluable",
        "exercises_none": (
            "Aquest mòdul no té un quadern avaluable: cada lliçó acaba amb un exercici pràctic que "
            "pots fer pel teu compte."
        ),
        "progress": "Progrés del mòdul",
        "progress_text": "{done} de {total} lliçons fetes",
        "mark_done": "Marca la lliçó com a feta",
        "marked_done": "Lliçó feta: desmarca-la",
        "done_status": "Has marcat aquesta lliçó com a feta.",
        "question": "Pregunta {n}",
        "check": "Comprova la resposta",
        "choose_first": "Tria una opció abans de comprovar-la.",
        "correct": "Correcte.",
        "incorrect": "No és correcte.",
        "module": "Mòdul {n}",
        "start_module": "Comença el mòdul",
        "notfound_title": "No trobem aquesta pàgina",
        "search_dialog": "Cerca",
        "notfound_text": ("Potser l'enllaç és antic o l'adreça té un error. Torna a l'inici o fes servir el cercador."),
        "notfound_home": "Torna a l'inici",
        "ccxp": "Àrees de competència CCXP",
        "ccxp_heading": "Les cinc competències CCXP",
        "ccxp_intro": (
            "La certificació CCXP de la CXPA organitza la professió en cinc àrees de competència. Cada lliçó "
            "indica, sota el temps estimat, les àrees que treballa; aquesta taula les agrupa i mostra que el curs "
            "les cobreix totes."
        ),
        "ccxp_area": "Àrea de competència",
        "ccxp_weight": "Pes a l'examen",
        "ccxp_weight_value": "{weight} %",
        "ccxp_lessons": "Lliçons que la treballen",
    },
    "es": {
        "objectives": "Objetivos de aprendizaje",
        "minutes": "Tiempo estimado: {minutes} minutos",
        "outcomes": "Resultados de aprendizaje",
        "lessons": "Lecciones",
        "lesson": "Lección",
        "lesson_count": "{n} lecciones",
        "time": "Tiempo",
        "total_time": "Tiempo total estimado: {minutes} minutos ({hours} h).",
        "minutes_short": "{minutes} min",
        "exercise": "Ejercicio evaluable",
        "exercises_none": (
            "Este módulo no tiene un cuaderno evaluable: cada lección termina con un ejercicio práctico "
            "que puedes hacer por tu cuenta."
        ),
        "progress": "Progreso del módulo",
        "progress_text": "{done} de {total} lecciones hechas",
        "mark_done": "Marca la lección como hecha",
        "marked_done": "Lección hecha: desmárcala",
        "done_status": "Has marcado esta lección como hecha.",
        "question": "Pregunta {n}",
        "check": "Comprueba la respuesta",
        "choose_first": "Elige una opción antes de comprobarla.",
        "correct": "Correcto.",
        "incorrect": "No es correcto.",
        "module": "Módulo {n}",
        "start_module": "Empieza el módulo",
        "notfound_title": "No encontramos esta página",
        "search_dialog": "Buscar",
        "notfound_text": (
            "Quizá el enlace es antiguo o la dirección tiene un error. Vuelve al inicio o usa el buscador."
        ),
        "notfound_home": "Vuelve al inicio",
        "ccxp": "Áreas de competencia CCXP",
        "ccxp_heading": "Las cinco competencias CCXP",
        "ccxp_intro": (
            "La certificación CCXP de la CXPA organiza la profesión en cinco áreas de competencia. Cada lección "
            "indica, bajo el tiempo estimado, las áreas que trabaja; esta tabla las agrupa y muestra que el curso "
            "las cubre todas."
        ),
        "ccxp_area": "Área de competencia",
        "ccxp_weight": "Peso en el examen",
        "ccxp_weight_value": "{weight} %",
        "ccxp_lessons": "Lecciones que la trabajan",
    },
    "en": {
        "objectives": "Learning objectives",
        "minutes": "Estimated time: {minutes} minutes",
        "outcomes": "Learning outcomes",
        "lessons": "Lessons",
        "lesson": "Lesson",
        "lesson_count": "{n} lessons",
        "time": "Time",
        "total_time": "Total estimated time: {minutes} minutes ({hours} h).",
        "minutes_short": "{minutes} min",
        "exercise": "Graded exercise",
        "exercises_none": (
            "This module has no graded notebook: every lesson ends with a practical exercise you can do on your own."
        ),
        "progress": "Module progress",
        "progress_text": "{done} of {total} lessons done",
        "mark_done": "Mark this lesson as done",
        "marked_done": "Lesson done: unmark it",
        "done_status": "You have marked this lesson as done.",
        "question": "Question {n}",
        "check": "Check the answer",
        "choose_first": "Choose an option before checking it.",
        "correct": "Correct.",
        "incorrect": "Not correct.",
        "module": "Module {n}",
        "start_module": "Start the module",
        "notfound_title": "We cannot find this page",
        "search_dialog": "Search",
        "notfound_text": "The link may be old or the address mistyped. Go back to the home page or use the search.",
        "notfound_home": "Back to the home page",
        "ccxp": "CCXP competency areas",
        "ccxp_heading": "The five CCXP competencies",
        "ccxp_intro": (
            "The CXPA's CCXP certification organises the profession into five competency areas. Every lesson "
            "lists, below its estimated time, the areas it works on; this table groups them and shows that the "
            "course covers all five."
        ),
        "ccxp_area": "Competency area",
        "ccxp_weight": "Exam weight",
        "ccxp_weight_value": "{weight}%",
        "ccxp_lessons": "Lessons that work on it",
    },
}

if set(UI) != set(LANGUAGES):
    raise RuntimeError(f"cxsite/languages.py: interface strings for {sorted(UI)}, course languages {LANGUAGES}")

# The five competency areas of the CXPA's CCXP certification (since 2021), in the CXPA's order,
# with their exam weights in per cent. Lessons name the areas they serve in their front matter
# (`ccxp: [insights, metrics]`) by these ids, which never change; the names are written once here.
CCXP_WEIGHTS: dict[str, int] = {"insights": 22, "strategy": 20, "metrics": 20, "design": 19, "culture": 19}
CCXP_AREAS: tuple[str, ...] = tuple(CCXP_WEIGHTS)
CCXP_NAMES: dict[str, dict[str, str]] = {
    "ca": {
        "insights": "Coneixement i comprensió del client",
        "strategy": "Estratègia d'experiència del client",
        "metrics": "Mètriques, mesura i retorn de la inversió",
        "design": "Disseny, millora i innovació de l'experiència",
        "culture": "Cultura i rendició de comptes",
    },
    "es": {
        "insights": "Conocimiento y comprensión del cliente",
        "strategy": "Estrategia de experiencia del cliente",
        "metrics": "Métricas, medición y retorno de la inversión",
        "design": "Diseño, mejora e innovación de la experiencia",
        "culture": "Cultura y rendición de cuentas",
    },
    "en": {
        "insights": "Customer Insights & Understanding",
        "strategy": "CX Strategy",
        "metrics": "Metrics, Measurement & ROI",
        "design": "Experience Design, Improvement & Innovation",
        "culture": "Culture & Accountability",
    },
}


def ui(lang: str, key: str, **values: object) -> str:
    """An interface string in `lang`, with `values` filled in."""
    return UI[lang][key].format(**values)
