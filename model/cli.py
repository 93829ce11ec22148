"""The `casebook` command line. Bad input gets one line on stderr and exit code 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import CasebookError
from .params import DEFAULT_PARAMS_DIR, scenario_file, scenario_names
from .yamlio import load_yaml_file

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
        out[key.strip()] = value
    return out


def _dumps(obj) -> str:
    return json.dumps(obj, indent=2, allow_nan=False, default=str)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="casebook")
def cli() -> None:
    """casebook: the CONNECT business cases as a literate financial model."""


@cli.command("list")
@params_option
def list_cmd(params_dir: Path) -> None:
    """The scenarios and their titles."""
    for name in scenario_names(params_dir):
        data = load_yaml_file(scenario_file(params_dir, name), display=str(params_dir / f"{name}.yaml"))
        parent = data.get("extends")
        suffix = f"  (extends {parent})" if parent else ""
        click.echo(f"{name:<16} {data.get('title', '')}{suffix}")


@cli.command()
@click.argument("scenario")
@set_option
@params_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def results(scenario: str, sets: tuple[str, ...], params_dir: Path, as_json: bool) -> None:
    """Headline figures and cash flows by financial year for SCENARIO."""
    from .report import format_results
    from .results import results as build_results
    from .scenario import load_scenario

    loaded = load_scenario(scenario, params_dir, parse_sets(sets))
    data = build_results(loaded)
    click.echo(_dumps(data) if as_json else format_results(data))


@cli.command()
@params_option
@click.option("--json", "as_json", is_flag=True, help='Print {"valid": ..., "checks": [...]}.')
def check(params_dir: Path, as_json: bool) -> None:
    """Validate every params file and reconcile the published figures."""
    from .reconcile import reconcile_all, summary

    try:
        checks = reconcile_all(params_dir)  # loads and validates every scenario
    except CasebookError as exc:
        if as_json:
            click.echo(_dumps({"valid": False, "error": str(exc), "checks": []}))
        raise
    if as_json:
        click.echo(_dumps({"valid": True, "summary": summary(checks),
                           "checks": [c.as_dict() for c in checks]}))
        return
    counts = summary(checks)
    click.echo(f"params valid: {len(scenario_names(params_dir))} scenarios; {len(checks)} checks: "
               + ", ".join(f"{n} {s}" for s, n in counts.items()))
    for c in checks:
        if c.status == "discrepancy":
            click.echo(f"\nDISCREPANCY {c.id}: {c.description}\n  published {c.published}, computed "
                       f"{c.computed}" + (f", difference {c.difference:+.3f}" if c.difference is not None else "")
                       + "".join(f"\n  source: {s}" for s in c.sources)
                       + (f"\n  {c.explanation}" if c.explanation else ""))


@cli.command()
@click.argument("scenario")
@set_option
@params_option
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Where to write the executed notebook (default build/runs/single/).")
def run(scenario: str, sets: tuple[str, ...], params_dir: Path, out: Path | None) -> None:
    """Execute the scenario notebook for SCENARIO with papermill; print its path and headlines."""
    from .build import run_one

    path, glued = run_one(scenario, parse_sets(sets), out, params_dir=params_dir)
    click.echo(str(path))
    for key in ("npv_gbp_m", "tco_gbp_m", "pv_costs_gbp_m", "pv_benefits_gbp_m", "bcr"):
        value = glued.get(key)
        click.echo(f"  {key:<18} {value:,.3f}" if isinstance(value, float) else f"  {key:<18} {value}")


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
    from .build import build as run_build

    report = run_build(".", params_dir, jobs=jobs, force=force, progress=True, manifest_path=manifest_path,
                       pdf=pdf)
    click.echo(f"executed {len(report.executed)} notebook(s)"
               + (f" ({', '.join(report.executed)})" if report.executed else "")
               + f", {len(report.cached)} from cache; site "
               + ("rebuilt" if report.site_rebuilt else "unchanged") + f" in {report.seconds:.1f}s")
    if report.pdf is not None:
        click.echo(str(report.pdf))
    click.echo(str(report.index_html))


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def diff(old: str, new: str, as_json: bool) -> None:
    """The glued figures that changed between two builds (old, new, difference), then the params files
    whose digest changed. OLD and NEW: a built site or project, a figures.json, or a git revision that
    was built here."""
    from .diff import compare, format_text, load_side

    result = compare(load_side(old, Path.cwd(), "OLD"), load_side(new, Path.cwd(), "NEW"))
    click.echo(_dumps(result) if as_json else format_text(result))


@cli.command()
@click.argument("scenario")
@set_option
@params_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def switching(scenario: str, sets: tuple[str, ...], params_dir: Path, as_json: bool) -> None:
    """Switching values: for each uncertain input, the value at which NPV is zero (or null)."""
    from .scenario import load_scenario
    from .uncertainty import switching_values

    rows = switching_values(load_scenario(scenario, params_dir, parse_sets(sets)))
    out = [{k: r[k] for k in ("parameter", "base_value", "switching_value", "change_pct")} for r in rows]
    if as_json:
        click.echo(_dumps(out))
        return
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
def tornado(scenario: str, sets: tuple[str, ...], params_dir: Path, as_json: bool) -> None:
    """NPV with each uncertain input at its low and high value, widest swing first."""
    from .scenario import load_scenario
    from .uncertainty import tornado as run_tornado

    rows = run_tornado(load_scenario(scenario, params_dir, parse_sets(sets)))
    if as_json:
        click.echo(_dumps(rows))
        return
    for r in rows:
        click.echo(f"{r['parameter']:<42} low {r['npv_low_gbp_m']:>10.3f}  high {r['npv_high_gbp_m']:>10.3f}"
                   f"  swing {r['swing_gbp_m']:>9.3f}")


@cli.command()
@click.argument("scenario")
@click.option("--draws", required=True, type=int, help="Number of draws (a positive whole number).")
@click.option("--seed", required=True, type=int, help="Seed for the random generator.")
@set_option
@params_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def montecarlo(scenario: str, draws: int, seed: int, sets: tuple[str, ...], params_dir: Path,
               as_json: bool) -> None:
    """Monte Carlo over every uncertain input: mean, P10/P50/P90 of NPV and P(NPV > 0)."""
    from .scenario import load_scenario
    from .uncertainty import monte_carlo

    if draws <= 0:
        raise CasebookError(f"must be a positive whole number, not {draws}", key="--draws")
    if seed < 0:
        raise CasebookError(f"must not be negative, not {seed}", key="--seed")
    result = monte_carlo(load_scenario(scenario, params_dir, parse_sets(sets)), draws, seed)
    keys = ("scenario", "draws", "seed", "npv_mean_gbp_m", "npv_p10_gbp_m", "npv_p50_gbp_m", "npv_p90_gbp_m",
            "p_npv_positive", "quantiles")
    if as_json:
        click.echo(_dumps({k: result[k] for k in keys}))
        return
    click.echo(f"{scenario}: {draws:,} draws, seed {seed}")
    for k in keys[3:8]:
        click.echo(f"  {k:<18} {result[k]:>12.3f}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: every expected failure is one line on stderr with exit code 2."""
    try:
        cli.main(args=argv, prog_name="casebook", standalone_mode=False)
    except CasebookError as exc:
        click.echo(f"casebook: error: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except click.exceptions.NoArgsIsHelpError as exc:  # pragma: no cover - click >= 8.2
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.ClickException as exc:
        click.echo(f"casebook: error: {' '.join(exc.format_message().split())}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("casebook: aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
