"""What the grader tells students, in their notebook's language. The exercises' own checks speak
through their message catalogues (solutions/<id>/messages/); these are the grader's words around
them: task problems the checks cannot see (an error in the student's code, a timeout) and the
feedback page."""

from __future__ import annotations

import json

from grader.exercises import Exercise

STRUCTURED_PREFIX = "cx-check:"
"""How a failed check reports its message key when the grader runs it (solutions/_common/cxcheck.py)."""
VALUE_CHARACTERS = 120
ERROR_CHARACTERS = 200


def bounded(text: object, limit: int = ERROR_CHARACTERS) -> str:
    """At most `limit` characters of a text that student code may control, on one line."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


MESSAGES: dict[str, dict[str, str]] = {
    "ca": {
        "task": "Tasca {n}",
        "not_done": "Aquesta tasca no està acabada: falta definir {name}. Escriu-ne el codi i executa les cel·les d'abans.",
        "not_implemented": "Aquesta tasca no està feta: la cel·la encara té el text per omplir.",
        "timeout": "El teu codi d'aquesta tasca ha trigat més de {seconds} s i s'ha aturat. Busca un bucle que no acaba.",
        "stopped_cell": "Una cel·la teva ha arribat al límit de {seconds} s i s'ha aturat: «{start}». El codi que en depenia no ha tingut els seus resultats.",
        "memory": "El teu codi d'aquesta tasca ha fet servir més memòria de la permesa.",
        "exit": "El teu codi crida sys.exit() o exit(), que atura el quadern: treu-ho.",
        "code_error": "El teu codi d'aquesta tasca s'ha aturat amb un error: {error}.",
        "check_failed": "Una comprovació no ha passat.",
        "check_error": "La comprovació no s'ha pogut fer: {error}. Revisa el tipus i la forma del resultat.",
        "feedback_title": "Retorn de l'exercici «{exercise}»",
        "score": "Puntuació",
        "points": "Punts",
        "comment": "Què has de revisar",
        "all_right": "Correcte.",
        "status_failed": "No s'ha pogut corregir el quadern: {reason}",
        "status_rejected": "No s'ha corregit l'entrega: {reason}",
        "failed_for_student": "No s'ha pogut corregir automàticament el teu quadern. El professorat n'està assabentat i el revisarà.",
        "rejected_for_student": "La teva entrega no s'ha corregit: no és un quadern d'aquest exercici o no s'ha pogut llegir. Torna a lliurar el fitxer .ipynb de l'exercici o parla amb el professorat.",
        "generated": "Corregit automàticament amb nbgrader. Si creus que hi ha un error, parla amb el teu professorat.",
        "feedback_kicker": "Retorn de l'exercici",
        "student": "Estudiant",
        "went_well": "Què has fet bé",
        "nothing_to_review": "Totes les tasques són correctes. Bona feina!",
        "review_lesson": "Repassa-ho a la lliçó:",
        "lesson": "A la lliçó:",
        "points_value": "{points} de {max} punts",
        "task_passed": "Correcta",
        "task_review": "Encara no és correcta",
    },
    "es": {
        "task": "Tarea {n}",
        "not_done": "Esta tarea no está terminada: falta definir {name}. Escribe su código y ejecuta las celdas anteriores.",
        "not_implemented": "Esta tarea no está hecha: la celda todavía tiene el texto por rellenar.",
        "timeout": "Tu código de esta tarea ha tardado más de {seconds} s y se ha detenido. Busca un bucle que no termina.",
        "stopped_cell": "Una celda tuya ha llegado al límite de {seconds} s y se ha detenido: «{start}». El código que dependía de ella no ha tenido sus resultados.",
        "memory": "Tu código de esta tarea ha usado más memoria de la permitida.",
        "exit": "Tu código llama a sys.exit() o exit(), que detiene el cuaderno: quítalo.",
        "code_error": "Tu código de esta tarea se ha detenido con un error: {error}.",
        "check_failed": "Una comprobación no ha pasado.",
        "check_error": "La comprobación no se ha podido hacer: {error}. Revisa el tipo y la forma del resultado.",
        "feedback_title": "Corrección del ejercicio «{exercise}»",
        "score": "Puntuación",
        "points": "Puntos",
        "comment": "Qué debes revisar",
        "all_right": "Correcto.",
        "status_failed": "No se ha podido corregir el cuaderno: {reason}",
        "status_rejected": "No se ha corregido la entrega: {reason}",
        "failed_for_student": "No se ha podido corregir automáticamente tu cuaderno. El profesorado lo sabe y lo revisará.",
        "rejected_for_student": "Tu entrega no se ha corregido: no es un cuaderno de este ejercicio o no se ha podido leer. Vuelve a entregar el archivo .ipynb del ejercicio o habla con el profesorado.",
        "generated": "Corregido automáticamente con nbgrader. Si crees que hay un error, habla con tu profesorado.",
        "feedback_kicker": "Corrección del ejercicio",
        "student": "Estudiante",
        "went_well": "Qué has hecho bien",
        "nothing_to_review": "Todas las tareas son correctas. ¡Buen trabajo!",
        "review_lesson": "Repásalo en la lección:",
        "lesson": "En la lección:",
        "points_value": "{points} de {max} puntos",
        "task_passed": "Correcta",
        "task_review": "Todavía no es correcta",
    },
    "en": {
        "task": "Task {n}",
        "not_done": "This task is not finished: {name} is not defined. Write its code and run the cells above it.",
        "not_implemented": "This task is not done: the cell still holds the text to replace.",
        "timeout": "Your code for this task ran longer than {seconds} s and was stopped. Look for a loop that never ends.",
        "stopped_cell": "One of your cells reached the {seconds} s limit and was stopped: “{start}”. Code that depended on it did not get its results.",
        "memory": "Your code for this task used more memory than allowed.",
        "exit": "Your code calls sys.exit() or exit(), which stops the notebook: remove it.",
        "code_error": "Your code for this task stopped with an error: {error}.",
        "check_failed": "A check did not pass.",
        "check_error": "The check could not run: {error}. Check the type and shape of your result.",
        "feedback_title": "Feedback on the exercise “{exercise}”",
        "score": "Score",
        "points": "Points",
        "comment": "What to look at",
        "all_right": "Correct.",
        "status_failed": "The notebook could not be graded: {reason}",
        "status_rejected": "The submission was not graded: {reason}",
        "failed_for_student": "Your notebook could not be graded automatically. Your instructor knows and will look at it.",
        "rejected_for_student": "Your submission was not graded: it is not a notebook of this exercise, or it could not be read. Hand in the exercise's .ipynb file again, or ask your instructor.",
        "generated": "Graded automatically with nbgrader. If you think something is wrong, talk to your instructor.",
        "feedback_kicker": "Feedback on the exercise",
        "student": "Student",
        "went_well": "What you got right",
        "nothing_to_review": "Every task is right. Well done!",
        "review_lesson": "Go over it in the lesson:",
        "lesson": "In the lesson:",
        "points_value": "{points} of {max} points",
        "task_passed": "Right",
        "task_review": "Not right yet",
    },
}


def message(lang: str, key: str, **values: object) -> str:
    table = MESSAGES.get(lang, MESSAGES["en"])
    return table[key].format(**values)


def check_message(exercise: Exercise, lang: str, evalue: str) -> str:
    """The student-facing text of a failed check: worded from the exercise's catalogue by the key
    the check reported, each value cut short. A check that reports no key (a plain `assert` with
    a message) shows at most 200 characters of its message. Empty when there is nothing to show."""
    if not evalue.startswith(STRUCTURED_PREFIX):
        return bounded(evalue) if evalue.strip() else ""
    try:
        report = json.loads(evalue[len(STRUCTURED_PREFIX) :])
        key, values = str(report["key"]), report.get("values") or {}
    except (ValueError, KeyError, TypeError):
        return ""
    template = exercise.catalogue(lang).get(key)
    if not isinstance(template, str):
        return ""
    shown = {str(name): bounded(value, VALUE_CHARACTERS) for name, value in dict(values).items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError, ValueError):
        return template


GRADER_KEY = "grader:"
"""The prefix of the keys of the grader's own messages (a task not done, a timeout...), which
tell them apart from the keys of an exercise's catalogue."""
OWN_ERRORS = {"MemoryError": "memory", "SystemExit": "exit", "NotImplementedError": "not_implemented"}


def check_key(exercise: Exercise, lang: str, evalue: str) -> str:
    """The catalogue key a failed check reported; empty when it reported none or one the
    exercise's catalogue does not have."""
    if not evalue.startswith(STRUCTURED_PREFIX):
        return ""
    try:
        key = json.loads(evalue[len(STRUCTURED_PREFIX) :])["key"]
    except (ValueError, KeyError, TypeError):
        return ""
    return key if isinstance(key, str) and isinstance(exercise.catalogue(lang).get(key), str) else ""


def key_text(exercise: Exercise | None, key: str, lang: str = "en") -> str:
    """What a message key says, as a template with its placeholders (for the instructor's report)."""
    if key.startswith(GRADER_KEY):
        name = key[len(GRADER_KEY) :]
        if name == "assert":
            return "A plain assert of the checks failed with a message of its own."
        return MESSAGES.get(lang, MESSAGES["en"]).get(name, "")
    if exercise is None:
        return ""
    for language in (lang, *exercise.languages):
        text = exercise.catalogue(language).get(key)
        if isinstance(text, str):
            return text
    return ""
