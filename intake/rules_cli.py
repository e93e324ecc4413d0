"""Commands for the rules: ``evaluate``, ``rules check`` and ``rules diff``.

The rules and the models are imported inside each command, so ``flask --app intake --help``
and every other command stay quick, and ``evaluate`` never touches the database.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from flask.cli import AppGroup

if TYPE_CHECKING:
    from intake.rules.diff import Chunk, Results


def register_rules_commands(app: Flask) -> None:
    """Attach ``evaluate`` and the ``rules`` group to ``app``.

    ``evaluate`` is also a ``flask.commands`` entry point (pyproject.toml), which is what the
    command line uses: Flask finds plugin commands before loading the app, so the app factory
    never runs for it. Registering it here too keeps it on ``app.cli`` for tests and tools.
    """
    app.cli.add_command(evaluate_command)
    app.cli.add_command(evaluate_course_command)
    app.cli.add_command(rules_group)


@click.command("evaluate")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluation date, YYYY-MM-DD (default: today). Age is worked out on this date.",
)
@click.option(
    "--ruleset",
    "generation",
    type=click.Choice(["1", "2", "2.1"]),
    default="2.1",
    show_default=True,
    help=(
        "Which shipped ruleset evaluates: 2.1 (2 with Spanish medicine names) and 2 print "
        "intake-evaluation/2, 1 intake-evaluation/1."
    ),
)
def evaluate_command(path: str, as_of: datetime | None, generation: str) -> None:
    """Validate an intake-answers/1 or /2 document (PATH, or - for stdin); print its evaluation.

    A valid document prints the evaluation JSON and exits 0. Otherwise every problem is printed
    to stderr as "path: message", nothing goes to stdout, and the exit status is 1.
    """
    from intake.answers import InvalidAnswers, parse_answers
    from intake.rules import evaluate
    from intake.rules.ruleset import shipped_ruleset

    day = as_of.date() if as_of else date.today()
    try:
        document = _read_json(path)
        answers = parse_answers(document, day)
    except InvalidAnswers as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    result = evaluate(answers, day, shipped_ruleset(generation))
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@click.command("evaluate-course")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
def evaluate_course_command(path: str) -> None:
    """Validate an intake-course/1 document (PATH, or - for stdin); print its course-evaluation/1.

    As ``evaluate``: a valid document prints the evaluation JSON and exits 0; otherwise every
    problem goes to stderr as "path: message", nothing to stdout, and the exit status is 1.
    """
    from intake.answers import InvalidAnswers
    from intake.course import parse_course
    from intake.rules.outcomes import evaluate_course

    try:
        course = parse_course(_read_json(path))
    except InvalidAnswers as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    click.echo(json.dumps(evaluate_course(course), indent=2, ensure_ascii=False))


def _read_json(path: str) -> Any:
    """The parsed JSON at ``path`` ("-" is stdin); unreadable input becomes a document problem."""
    from intake.answers import InvalidAnswers, Problem

    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise InvalidAnswers([Problem("document", f"cannot be read: {reason}")]) from exc
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise InvalidAnswers([Problem("document", "is not valid JSON: nested too deeply")]) from exc
    except ValueError as exc:
        message = getattr(exc, "msg", "not JSON")
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = f" (line {exc.lineno}, column {exc.colno})"
        raise InvalidAnswers([Problem("document", f"is not valid JSON: {message}{where}")]) from exc


rules_group = AppGroup("rules", help="Check and compare pathway rulesets.")


@rules_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def check_command(file: str | None) -> None:
    """Load a ruleset FILE (default: the shipped one) and report whether it can be used."""
    from intake.rules import RulesetError, load_ruleset

    try:
        ruleset = load_ruleset(file)
    except RulesetError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"ruleset {ruleset.version} is valid: {len(ruleset.flags)} flags, "
        f"{len(ruleset.pathways)} pathways, {len(ruleset.coverage.criteria)} coverage criteria; "
        f"sha256 {ruleset.sha256}"
    )


@rules_group.command("diff")
@click.argument("old")
@click.argument("new")
def diff_command(old: str, new: str) -> None:
    """Re-evaluate every stored submission under OLD and NEW and list what would change.

    OLD and NEW are ruleset files, or a shipped ruleset by generation ("1", "2", "2.1"):
    ``rules diff 2 2.1`` compares two shipped ones. Each submission is evaluated on the date it was
    submitted, so ages match what staff saw. Pathway and flag codes and coverage statuses are
    compared; each change is printed as it is found, then the count and a tally per change.
    Rows are streamed (memory stays flat) and, past a few thousand, compared on every core.
    Submissions themselves are never modified; partial ones (docs/staff.md) are not compared.
    """
    import sqlalchemy as sa

    from intake.extensions import db
    from intake.models import Submission
    from intake.rules import RulesetError, load_ruleset
    from intake.rules.diff import single_changes
    from intake.rules.ruleset import SHIPPED

    paths = (str(SHIPPED.get(old, old)), str(SHIPPED.get(new, new)))
    try:
        before, after = (load_ruleset(path) for path in paths)
    except RulesetError as exc:
        raise click.ClickException(str(exc)) from exc
    # A partial submission (sent from the support page) holds only the steps answered and
    # only the screening flags: the full rules cannot run on it (docs/rules.md), so it is left
    # out and counted apart.
    whole = Submission.partial.is_(False)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Submission).where(whole))
    total = total or 0
    partials = db.session.scalar(
        sa.select(sa.func.count()).select_from(Submission).where(Submission.partial)
    )
    left_out = f" ({partials} partial left out)" if partials else ""
    click.echo(
        f"ruleset {before.version} ({before.sha256[:12]}) -> {after.version} "
        f"({after.sha256[:12]}): comparing {total} submissions{left_out}"
    )
    # The answers go to the comparing processes as the database's JSON text: this process
    # only reads and passes it on, each comparer parses its own (intake.rules.diff).
    query = (
        sa.select(
            Submission.reference, sa.cast(Submission.answers, sa.Text), Submission.submitted_at
        )
        .where(whole)
        .order_by(Submission.id)
    )
    rows = db.session.execute(query.execution_options(yield_per=_DIFF_CHUNK))
    chunks = (
        [(ref, answers, at.date().isoformat()) for ref, answers, at in part]
        for part in rows.partitions()
    )
    changed, tally = 0, Counter[str]()
    with _progress(total) as bar, _comparer(paths, total) as compare:
        for compared, results in compare(chunks):
            for reference, parts in results:
                changed += 1
                tally.update(single_changes(parts))
                click.echo(f"  {reference}: {'; '.join(parts)}")
            bar.update(compared)
    click.echo(f"{changed} of {total} submissions would change")
    if tally:
        click.echo("By change (submissions):")
        for change, count in sorted(tally.items(), key=lambda item: (-item[1], item[0])):
            click.echo(f"  {change}: {count}")


_DIFF_CHUNK = 1000
#: Below this many submissions, one process is quicker than starting others.
_PARALLEL_FROM = 20_000


@contextlib.contextmanager
def _comparer(
    paths: tuple[str, str], total: int
) -> Iterator[Callable[[Iterable[Chunk]], Iterable[Results]]]:
    """``compare(chunks)`` in order: in this process, or in a pool of one process per core.

    Workers are spawned, not forked: a forked child would share the parent's database socket
    (and its whole web stack's memory); a spawned one imports only ``intake.rules.diff``.
    """
    from intake.rules.diff import compare_chunk, load

    cores = os.cpu_count() or 1
    if total < _PARALLEL_FROM or cores < 2:
        load(paths)
        yield lambda chunks: map(compare_chunk, chunks)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(cores, initializer=load, initargs=(paths,)) as pool:
        yield lambda chunks: pool.imap(compare_chunk, chunks)


class _NoProgress:
    def update(self, steps: int) -> None:
        """Nothing to draw when nobody is watching."""


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A progress bar on the terminal's stderr; nothing when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        yield _NoProgress()
        return
    with click.progressbar(length=total, label="Comparing", file=sys.stderr) as bar:
        yield bar
