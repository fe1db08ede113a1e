"""`cx-grader`: release, grade and check the course's notebook exercises (a thin layer over
grader.release, grader.pipeline and grader.check).

Exit codes: 0 everything graded; 1 some submissions failed or were refused (see the report);
2 unusable input (a missing path, an unknown exercise, a file that is not a zip or a folder) or
no way to isolate student code here (see --no-isolation).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.course import NotACourse, course_root, find_course
from grader.exercises import UnknownExercise
from grader.intake.collect import UnusableInput
from grader.kernels.isolation import IsolationUnavailable
from grader.kernels.sandbox import Limits
from grader.outputs.gradebook import GradebookError, gradebook_url

EXIT_OK, EXIT_SOME_FAILED, EXIT_UNUSABLE = 0, 1, 2
EPILOG = (
    "Exit codes: 0 all graded, 1 some submissions failed or were refused, "
    "2 unusable input or student code cannot be isolated here."
)


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(cell_timeout_s=args.cell_timeout, notebook_timeout_s=args.notebook_timeout, memory_mb=args.memory_mb)


def _add_limits(parser: argparse.ArgumentParser) -> None:
    defaults = Limits()
    parser.add_argument(
        "--cell-timeout",
        type=int,
        default=defaults.cell_timeout_s,
        metavar="S",
        help=f"seconds a cell may run (default {defaults.cell_timeout_s})",
    )
    parser.add_argument(
        "--notebook-timeout",
        type=int,
        default=defaults.notebook_timeout_s,
        metavar="S",
        help=f"seconds a whole notebook may run (default {defaults.notebook_timeout_s})",
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=defaults.memory_mb,
        metavar="MB",
        help=f"memory cap of a student's kernel (default {defaults.memory_mb})",
    )
    parser.add_argument(
        "--no-isolation",
        dest="isolate",
        action="store_false",
        help="run student code without its own namespaces, with the grader's rights (recorded in grades.csv, "
        "the results and the report); only where bubblewrap cannot run and the submissions are trusted",
    )


def _course(args: argparse.Namespace) -> Path:
    return course_root(args.course) if args.course else find_course()


def _solutions(args: argparse.Namespace) -> Path:
    return args.solutions or _course(args) / "solutions"


def _add_course(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--course",
        type=Path,
        metavar="DIR",
        help="the course folder, with solutions/ and exercises/ (default: $CX_COURSE, else the nearest folder "
        "from here upwards that has solutions/, else the course this grader came with)",
    )
    # The tests grade small exercises of their own.
    parser.add_argument("--solutions", type=Path, default=None, help=argparse.SUPPRESS)


def release_command(args: argparse.Namespace) -> int:
    from grader.release import release

    course = _course(args)
    for path in release(_solutions(args), course / "exercises", only=args.exercise or None):
        print(f"released {path}")
    return EXIT_OK


def grade_command(args: argparse.Namespace) -> int:
    from grader.outputs.report import summary_line
    from grader.pipeline import grade_batch

    batch = grade_batch(
        args.submissions,
        args.exercise,
        args.out,
        workers=args.workers,
        force=args.force,
        limits=_limits(args),
        solutions=_solutions(args),
        isolate=args.isolate,
        site_url=args.site_url,
        previous=args.previous,
        gradebook=gradebook_url(args.gradebook) if args.gradebook else None,
        scheduler=args.scheduler,
    )
    print(summary_line(batch.results, batch.info))
    for result in batch.results:
        if result.status != "graded":
            print(f"  {result.student_id}: {result.status}: {result.message}")
    for source, reason in batch.info.rejected_unassigned:
        print(f"  {source}: refused: {reason}")
    review = sum(bool(r.review) for r in batch.results)
    if review:
        print(f"  {review} submission(s) marked for review by hand: see the report")
    if not args.isolate:
        print("  graded with --no-isolation: student code ran with your rights (recorded in the outputs)")
    print(f"report: {args.out / 'report.html'}")
    return EXIT_OK if batch.all_graded else EXIT_SOME_FAILED


def check_command(args: argparse.Namespace) -> int:
    from grader.check import check_notebook, format_check
    from grader.exercises import load_exercise
    from grader.outputs.titles import titles

    result = check_notebook(
        args.notebook, args.exercise, limits=_limits(args), solutions=_solutions(args), isolate=args.isolate
    )
    print(format_check(result, titles(load_exercise(result.exercise, _solutions(args)), result.language)))
    return EXIT_OK if result.status == "graded" else EXIT_SOME_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cx-grader",
        description="Release, grade and check the CX course's notebook exercises with nbgrader.",
        epilog=EPILOG,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser(
        "release",
        help="regenerate exercises/ (the student versions) from solutions/",
        description="Regenerate exercises/<id>/ from solutions/<id>/ with nbgrader generate_assignment. "
        "The site's downloads are made from exercises/ at build time.",
        epilog="Example: cx-grader release        (all exercises)\n         cx-grader release kpis   (one)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    release.add_argument("exercise", nargs="*", help="exercise ids (default: all)")
    _add_course(release)
    release.set_defaults(handler=release_command)

    grade = commands.add_parser(
        "grade",
        help="grade a batch: collect, autograde, feedback, export, report",
        description="Grade every submission in SUBMISSIONS (a folder of notebooks, an nbgrader submitted/ "
        "folder, a Moodle or a Canvas submissions zip) and write results, feedback, CSV exports and a report "
        "to DIR. Unchanged submissions are not graded again unless --force.",
        epilog="Example: cx-grader grade ~/Downloads/kpis-submissions.zip --exercise kpis --out grading/kpis\n"
        + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS")
    grade.add_argument("--exercise", required=True, metavar="ID", help="the exercise id, e.g. kpis")
    grade.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    grade.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="notebooks graded side by side (default: twice the number of cores)",
    )
    grade.add_argument("--force", action="store_true", help="grade everything again")
    grade.add_argument(
        "--scheduler",
        metavar="URL",
        help="grade on the workers of this Dask cluster, e.g. tcp://grading.example.org:8786 (each worker needs "
        "cx-course[grader,cluster], and root and bubblewrap unless --no-isolation); default: on this machine",
    )
    grade.add_argument(
        "--gradebook",
        metavar="URL",
        help="also write the grades into this nbgrader course gradebook, for formgrader: an SQLAlchemy URL "
        "(sqlite:///course/gradebook.db, postgresql://user@host/db) or a path to a SQLite file",
    )
    grade.add_argument(
        "--site-url",
        default="",
        metavar="URL",
        help="the published course site, e.g. https://cx.example.org/: the feedback links each task to its "
        "lesson section there (default: links relative to the site's root)",
    )
    grade.add_argument(
        "--previous",
        type=Path,
        default=None,
        metavar="DIR",
        help="the output folder of an earlier cohort's batch: the report compares each task with it",
    )
    _add_course(grade)
    _add_limits(grade)
    grade.set_defaults(handler=grade_command)

    check = commands.add_parser(
        "check",
        help="grade one notebook on its own and print the result task by task",
        description="Grade one notebook in a throw-away folder (no gradebook is touched) and print its "
        "score task by task in the notebook's language.",
        epilog="Example: cx-grader check kpis.es.ipynb\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    check.add_argument("--exercise", metavar="ID", help="the exercise id (default: read from the notebook)")
    _add_course(check)
    _add_limits(check)
    check.set_defaults(handler=check_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (UnusableInput, UnknownExercise, IsolationUnavailable, NotACourse, GradebookError) as error:
        print(f"cx-grader: {error}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
