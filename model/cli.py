"""The `casebook` command line. Bad input gets one line on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import math
import sys
from pathlib import Path

import click

from .core.errors import CasebookError, did_you_mean, error_lines
from .core.params import DEFAULT_PARAMS_DIR, scenario_file, scenario_names
from .core.yamlio import load_yaml_file

params_option = click.option("--params", "params_dir", type=click.Path(path_type=Path),
                             default=DEFAULT_PARAMS_DIR, show_default=True,
                             help="Directory of scenario YAML files.")
set_option = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                          help="Override a parameter by its dotted key; the value is a YAML scalar. "
                               "Repeatable.")


def parse_sets(sets: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in sets:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise CasebookError(f"--set expects KEY=VALUE, got {item!r}")
        if not value.strip():  # YAML reads an empty scalar as null, which for a date means "never"
            raise CasebookError(f"--set {key.strip()}= has no value; write the value, or {key.strip()}=null "
                                "for a blank (for a date: never)")
        out[key.strip()] = value
    return out


def _jsonable(obj):
    """Plain JSON values: a NaN or an infinity becomes null (strict JSON has no such numbers), numpy
    scalars become Python numbers and anything else unknown becomes its text."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, float)) or hasattr(obj, "item"):
        try:
            value = obj.item() if hasattr(obj, "item") else obj
        except (TypeError, ValueError):
            return str(obj)
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value if isinstance(value, (int, float, bool, str)) else str(value)
    return str(obj)


def _dumps(obj) -> str:
    """JSON that cannot fail on a value: see _jsonable."""
    return json.dumps(_jsonable(obj), indent=2, allow_nan=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="casebook")
def cli() -> None:
    """casebook: a business case and its versions as a literate financial model."""


@cli.command("list")
@params_option
def list_cmd(params_dir: Path) -> None:
    """The scenarios and their titles. A file that cannot be read is listed with its error (one line
    on stderr each, exit 2 at the end), after every file that can."""
    from .core.errors import CasebookErrors

    names = scenario_names(params_dir)
    if not names:
        click.echo(f"no scenarios in {params_dir} (a scenario is a <name>.yaml file there)")
        return
    problems = []
    for name in names:
        try:
            data = load_yaml_file(scenario_file(params_dir, name), display=str(params_dir / f"{name}.yaml"))
        except CasebookError as exc:
            problems.append(exc)
            continue
        parent = data.get("extends")
        suffix = f"  (extends {parent})" if parent else ""
        click.echo(f"{name:<16} {data.get('title', '')}{suffix}")
    if problems:
        raise problems[0] if len(problems) == 1 else CasebookErrors(problems)


@cli.command()
@click.argument("scenario")
@set_option
@params_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def results(scenario: str, sets: tuple[str, ...], params_dir: Path, as_json: bool) -> None:
    """Headline figures and cash flows by financial year for SCENARIO."""
    from .report.text import format_results
    from .core.results import results as build_results
    from .core.scenario import load_scenario

    loaded = load_scenario(scenario, params_dir, parse_sets(sets))
    data = build_results(loaded)
    click.echo(_dumps(data) if as_json else format_results(data))


@cli.command()
@params_option
@click.option("--json", "as_json", is_flag=True, help='Print {"valid": ..., "checks": [...]}.')
def check(params_dir: Path, as_json: bool) -> None:
    """Validate every params file, reconcile the published figures, list every finding and check that
    every unit of the sources is used or has a reason."""
    from .analysis.coverage import coverage
    from .analysis.reconcile import findings, findings_summary, reconcile_all, summary
    from .core.schema import FINDING_CLASSES, SEVERITIES

    from .core.params_files import check_no_stray_files

    try:
        check_no_stray_files(params_dir)  # a file in params/ that is not read is never silent
        checks = reconcile_all(params_dir)  # loads and validates every scenario
        cov = coverage(params_dir)
    except CasebookError as exc:
        if as_json:
            click.echo(_dumps({"valid": False, "error": str(exc), "errors": error_lines(exc),
                               "checks": []}))
        raise
    found = findings(checks)
    if as_json:
        click.echo(_dumps({"valid": True, "summary": summary(checks), "findings": findings_summary(checks),
                           "checks": [c.as_dict() for c in checks],
                           "coverage": {**cov.counts, "uncovered_units": [
                               {"document": r["document"], "unit": r["unit"]} for r in cov.uncovered]}}))
        if cov.uncovered:
            raise click.exceptions.Exit(1)
        return
    counts = summary(checks)
    click.echo(f"params valid: {len(scenario_names(params_dir))} scenarios; {len(checks)} checks: "
               + ", ".join(f"{n} {s}" for s, n in counts.items())
               + f"; {len(found)} findings ({sum(1 for c in found if c.unresolved)} unresolved)")
    click.echo(_headline_line(params_dir))
    groups = [(label, [(cls_label, [c for c in found if c.severity == sev and c.finding_class == cls])
                       for cls, cls_label in FINDING_CLASSES.items()])
              for sev, label in SEVERITIES.items()]  # grouped: findings that change numbers first
    # a discrepancy that no `classify:` entry covers yet (a new one) is listed last, never hidden
    groups.append(("not yet classified", [("discrepancy", [c for c in checks if c.status == "discrepancy"
                                                           and not c.is_finding])]))
    for severity_label, classes in groups:
        if not any(members for _label, members in classes):
            continue
        click.echo(f"\n== {severity_label.upper()} ({sum(len(m) for _l, m in classes)})")
        for cls_label, members in classes:
            if members:
                click.echo(f"\n-- {cls_label} ({len(members)})")
            for c in members:
                figures = ""
                if isinstance(c.published, (int, float)) and isinstance(c.computed, (int, float)):
                    figures = f"\n  published {c.published}, computed {c.computed}" + (
                        f", difference {c.difference:+.3f}" if c.difference is not None else "")
                click.echo(f"{c.id} [{c.status}{', unresolved' if c.unresolved else ''}] ({c.scenario}): "
                           f"{c.description}"
                           + figures + "".join(f"\n  source: {src}" for src in c.sources)
                           + (f"\n  model uses: {c.model_uses}" if c.model_uses else "")
                           + (f"\n  {c.explanation}" if c.explanation and not c.is_finding else ""))
    _list_the_rest(checks)
    click.echo("")
    _coverage_or_fail(cov)


def _list_the_rest(checks) -> None:
    """Every check the summary counts that the findings above do not list: within rounding, then in
    agreement, each with the scenario that declares or makes it."""
    listed = {id(c) for c in checks if c.is_finding or c.status == "discrepancy"}
    for status, heading in (("rounding", "WITHIN ROUNDING"), ("explained", "EXPLAINED"), ("ok", "AGREE")):
        rest = [c for c in checks if c.status == status and id(c) not in listed]
        if not rest:
            continue
        click.echo(f"\n== {heading} ({len(rest)})")
        for c in rest:
            figures = (f" (published {c.published}, computed {c.computed}, difference {c.difference:+.3f})"
                       if status != "ok" and isinstance(c.difference, (int, float)) else "")
            click.echo(f"{c.id} ({c.scenario}): {c.description}{figures}")


def _coverage_or_fail(cov) -> None:
    """Name every uncovered unit of the sources; exit 1 if there is one."""
    c = cov.counts
    click.echo(f"sources: {c['units']} units; {c['used']} used, {c['not_used']} not used with a reason, "
               f"{c['uncovered']} uncovered")
    for u in cov.unresolved:
        click.echo(f"  unresolved citation in {u['by']}: {u['document']}, {u['where']}: {u['problem']}")
    for r in cov.uncovered:
        click.echo(f"UNCOVERED {r['document']}, {r['unit']} (line {r['line']}): nothing cites it and "
                   "`not_used` gives no reason")
    if cov.uncovered:
        raise click.exceptions.Exit(1)


@cli.command("coverage")
@params_option
@click.option("--book", "book_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="The book's pages (default: ./book, else beside the params directory).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of units.")
def coverage_cmd(params_dir: Path, book_dir: Path | None, as_json: bool) -> None:
    """Every unit of every source document: where it is used, or why it is not."""
    from .analysis.coverage import coverage

    cov = coverage(params_dir, book_dir)
    if as_json:
        click.echo(_dumps([{k: r[k] for k in ("document", "unit", "kind", "section", "line", "status",
                                               "used_by", "reason")} for r in cov.rows]))
        return
    for r in cov.rows:
        where = "; ".join(r["used_by"]) if r["used_by"] else (r["reason"] or "UNCOVERED")
        click.echo(f"{r['document'][:3]}  {r['unit']:<52} {r['status']:<9} {where}")
    c = cov.counts
    click.echo(f"{c['units']} units: {c['used']} used, {c['not_used']} not used (with a reason), "
               f"{c['uncovered']} uncovered")


@cli.command()
@click.argument("scenario")
@set_option
@params_option
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Where to write the executed notebook (default build/runs/single/).")
def run(scenario: str, sets: tuple[str, ...], params_dir: Path, out: Path | None) -> None:
    """Execute the scenario notebook for SCENARIO with papermill; print its path and headlines."""
    from .pipeline.build import run_one

    path, glued = run_one(scenario, parse_sets(sets), out, params_dir=params_dir)
    click.echo(str(path))
    # the paper's measure, then the Green Book appraisal at the decision point (green_book_*)
    for key in ("npv_gbp_m", "tco_gbp_m", "pv_costs_gbp_m", "pv_benefits_gbp_m", "bcr",
                "green_book_sunk_costs_gbp_m", "green_book_npv_gbp_m"):
        value = glued.get(key)
        click.echo(f"  {key:<27} {value:,.3f}" if isinstance(value, float) else f"  {key:<27} {value}")


@cli.command()
@params_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Notebooks to execute at once (default: one per core).")
@click.option("--force", is_flag=True, help="Execute every notebook, cached or not.")
@click.option("--manifest", "manifest_path", type=click.Path(path_type=Path), default=None,
              help="Write a JSON manifest of every input file with its SHA-256.")
@click.option("--pdf", is_flag=True, help="Also print the whole book as one PDF, book/_build/pdf/<slug>.pdf.")
def build(params_dir: Path, jobs: int | None, force: bool, manifest_path: Path | None, pdf: bool) -> None:
    """Execute every scenario notebook (cached, in parallel), then build the book."""
    from .pipeline.build import build as run_build

    report = run_build(".", params_dir, jobs=jobs, force=force, progress=True, manifest_path=manifest_path,
                       pdf=pdf)
    click.echo(f"executed {len(report.executed)} notebook(s)"
               + (f" ({', '.join(report.executed)})" if report.executed else "")
               + f", {len(report.cached)} from cache; site "
               + ("rebuilt" if report.site_rebuilt else "unchanged") + f" in {report.seconds:.1f}s")
    for u in report.untested:  # an assumption no figure could be tested against: it marks none
        click.echo(f"untested assumption: {params_dir or 'params'}/{u['file']}, {u['key']}: {u['reason']}")
    if report.pdf is not None:
        click.echo(str(report.pdf))
    click.echo(str(report.index_html))


@cli.command()
@params_option
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port; the URL is printed).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default serves this machine only.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Notebooks to execute at once (default: one per core).")
def serve(params_dir: Path, port: int, host: str, jobs: int | None) -> None:
    """Build the book, serve it, and rebuild and reload the page on every change (Ctrl-C stops)."""
    from .pipeline.serve import serve as run_serve

    run_serve(".", params_dir, host=host, port=port, jobs=jobs)


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when a figure or a params file changed, 0 when nothing did (like `git diff --exit-code`).")
def diff(old: str, new: str, as_json: bool, exit_code: bool) -> None:
    """The glued figures that changed between two builds (old, new, difference), then the params files
    whose digest changed. OLD and NEW: a built site or project, a figures.json, or a git revision that
    was built here.

    Exit status, as `git diff`: 0 when the comparison was made, whether or not anything changed (a
    change is the answer, not a failure); 2 when OLD or NEW cannot be read. With --exit-code, 1 when
    anything changed (for scripts that stop on a change)."""
    from .pipeline.diff import compare, changed, format_text, load_side

    result = compare(load_side(old, Path.cwd(), "OLD"), load_side(new, Path.cwd(), "NEW"))
    click.echo(_dumps(result) if as_json else format_text(result))
    if exit_code and changed(result):
        sys.exit(1)


def _unknowns(loaded, params_dir: Path, sets: tuple[str, ...]):
    """The labelled assumptions without a declared range that move the scenario's NPV, at their default
    ranges (model.analysis.unknowns)."""
    from .analysis.unknowns import analyse

    return analyse(loaded, params_dir, parse_sets(sets) or None)


@cli.command()
@click.argument("scenario")
@set_option
@params_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def switching(scenario: str, sets: tuple[str, ...], params_dir: Path, as_json: bool) -> None:
    """Switching values: for each uncertain input, the value at which the NPV of the Green Book
    appraisal at the decision point (sunk costs excluded) is zero (or null)."""
    from .core.scenario import load_scenario
    from .analysis.uncertainty import switching_values

    rows = switching_values(load_scenario(scenario, params_dir, parse_sets(sets)))
    out = [{k: r[k] for k in ("parameter", "base_value", "switching_value", "change_pct", "appraisal")}
           for r in rows]
    if as_json:
        click.echo(_dumps(out))
        return
    click.echo(f"Values at which the NPV of {rows[0]['appraisal']} is zero "
               "(`casebook results --json`: green_book.npv_gbp_m)")
    click.echo(f"{'parameter':<42}{'base':>10}{'switching value':>18}{'change':>10}")
    for r in out:
        sv = "none within range" if r["switching_value"] is None else f"{r['switching_value']:.6g}"
        ch = "" if r["change_pct"] is None else f"{r['change_pct']:+.1f}%"
        click.echo(f"{r['parameter']:<42}{r['base_value']:>10.4g}{sv:>18}{ch:>10}")


@cli.command()
@click.argument("scenario")
@set_option
@params_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--declared-only", is_flag=True,
              help="Only the declared uncertain inputs, not the other labelled assumptions at their default ranges.")
def tornado(scenario: str, sets: tuple[str, ...], params_dir: Path, as_json: bool, declared_only: bool) -> None:
    """NPV (the Green Book appraisal at the decision point) with each uncertain input at its low and
    high value, widest swing first: the declared inputs, and every other labelled assumption that moves
    the NPV at its default range."""
    from .core.scenario import load_scenario
    from .analysis.uncertainty import tornado as run_tornado

    loaded = load_scenario(scenario, params_dir, parse_sets(sets))
    rows = run_tornado(loaded, () if declared_only else _unknowns(loaded, params_dir, sets))
    if as_json:
        click.echo(_dumps(rows))
        return
    click.echo(f"NPV of {rows[0]['appraisal']}, GBP m")
    for r in rows:
        click.echo(f"{r['parameter']:<42} low {r['npv_low_gbp_m']:>10.3f}  high {r['npv_high_gbp_m']:>10.3f}"
                   f"  swing {r['swing_gbp_m']:>9.3f}")


@cli.command()
@click.argument("scenario")
@click.option("--draws", required=True, type=int,
              help="Number of draws: a positive whole number, at most 10^9 (about 17 minutes).")
@click.option("--seed", required=True, type=int, help="Seed for the random generator.")
@set_option
@params_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--declared-only", is_flag=True,
              help="Only the declared uncertain inputs, not the other labelled assumptions at their default ranges.")
def montecarlo(scenario: str, draws: int, seed: int, sets: tuple[str, ...], params_dir: Path,
               as_json: bool, declared_only: bool) -> None:
    """Monte Carlo over every uncertain input (the declared ones, and every other labelled assumption
    that moves the NPV at its default range): mean, P10/P50/P90 of NPV (the Green Book appraisal at the
    decision point) and P(NPV > 0)."""
    from .core.scenario import load_scenario
    from .analysis.uncertainty import PROGRESS_FROM, check_draws, monte_carlo

    check_draws(draws)
    if seed < 0:
        raise CasebookError(f"must not be negative, not {seed}", key="--seed")
    loaded = load_scenario(scenario, params_dir, parse_sets(sets))
    result = monte_carlo(loaded, draws, seed, progress=draws >= PROGRESS_FROM,
                         unknowns=() if declared_only else _unknowns(loaded, params_dir, sets))
    keys = ("scenario", "appraisal", "draws", "seed", "npv_mean_gbp_m", "npv_p10_gbp_m", "npv_p50_gbp_m", "npv_p90_gbp_m",
            "p_npv_positive", "quantiles")
    if as_json:
        click.echo(_dumps({k: result[k] for k in keys}))
        return
    click.echo(f"{scenario}: {draws:,} draws, seed {seed}; NPV of {result['appraisal']}")
    for k in keys[4:9]:
        click.echo(f"  {k:<18} {result[k]:>12.3f}")


@cli.command("new")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The case's title (default: an example title).")
def new_cmd(path: Path, title: str | None) -> None:
    """Write a small example case into PATH (a new or empty folder) that `casebook build` builds at once."""
    from .pipeline.newcase import new_case, next_steps

    written = new_case(path, title)
    click.echo(f"wrote {len(written)} files into {path}")
    for line in next_steps(path):
        click.echo(line)


@cli.command()
@click.option("--scenario", "resolved", is_flag=True,
              help="The schema of a scenario with its extends chain resolved (every required key), "
                   "rather than of one params file as written.")
@click.option("--sources", "sources", is_flag=True,
              help="The schema of the source declaration, params/sources/sources.yaml.")
def schema(resolved: bool, sources: bool) -> None:
    """Print the JSON Schema of a params file (generated from the loader's own models)."""
    from .core.schema_json import params_file_schema, scenario_schema, sources_schema

    if resolved and sources:
        raise CasebookError("give --scenario or --sources, not both")
    chosen = sources_schema() if sources else scenario_schema() if resolved else params_file_schema()
    click.echo(json.dumps(chosen, indent=2))


def main(argv: list[str] | None = None) -> None:
    """Entry point: every expected failure is one line on stderr with exit code 2."""
    try:
        code = cli.main(args=argv, prog_name="casebook", standalone_mode=False)
        if isinstance(code, int) and code:  # click returns a raised Exit's code when not standalone
            sys.exit(code)
    except CasebookError as exc:
        for line in error_lines(exc):  # one line per problem
            click.echo(f"casebook: error: {line}", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click >= 8.2
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.ClickException as exc:
        message = " ".join(exc.format_message().split())
        args = list(sys.argv[1:] if argv is None else argv)
        if "unexpected extra argument" in message and "--set" in args:
            message += " (--set takes one KEY=VALUE argument, e.g. --set appraisal.discount_rate=0.05)"
        if message.startswith("No such command"):
            names = list(cli.commands)
            bad = message.split("'")[1] if "'" in message else ""
            if "Did you mean" not in message:
                message += did_you_mean(bad, names)
        click.echo(f"casebook: error: {message}", err=True)
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("casebook: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:  # `casebook check | head`: the reader left; not a failed check (exit 1)
        _pipe_closed()
    except SystemExit as exc:
        # click turns a broken pipe into exit 1 (and quiets the streams): 1 means a failed check here
        if exc.code == 1 and type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper":
            _pipe_closed()
        raise
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


def _headline_line(params_dir: Path) -> str:
    """Which version the economic and financial cases appraise, and why (check prints it, so that a
    `kind` or a `headline:` that moves it is never silent)."""
    from .report.case_versions import _own, headline, version_names
    from .report.scenario_loading import loaded

    try:
        name = headline(params_dir)
    except ValueError as exc:
        return f"headline version: none ({exc})"
    why = ("its own file says headline: true" if _own(loaded(name, params_dir), "headline")
           else "the latest published version")
    return f"headline version: {name} ({why}; versions: {', '.join(version_names(params_dir))})"


def _pipe_closed() -> None:
    """The reader of our output went away: exit 141 (128 + SIGPIPE), as a command killed by the broken
    pipe would, with nothing printed."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so that Python's own flush at exit does not complain
    sys.exit(141)


if __name__ == "__main__":  # pragma: no cover
    main()
