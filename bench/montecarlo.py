"""Benchmark the Monte Carlo: vectorised draws against a naive loop, memory, and the whole process.

    .venv/bin/python bench/montecarlo.py [--naive-draws 20000] [--huge]

- draws per second for 10^5 and 10^6 draws, vectorised (model.analysis.uncertainty.monte_carlo);
- the same for a naive loop that builds each draw's net cash flows and calls numpy_financial.npv once
  per draw (timed on --naive-draws draws: the rate is what matters), and the ratio;
- peak memory of a process running 10^6 draws (and, with --huge, 10^8 draws, which takes minutes);
- wall time of `casebook montecarlo fbc3 --draws 1000000` against `casebook results fbc3`.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.analysis import uncertainty as unc  # noqa: E402
from model.core.cashflows import benefits_real_by_fy  # noqa: E402
from model.core.scenario import load_scenario  # noqa: E402


def vectorised(loaded, draws: int) -> float:
    start = time.perf_counter()
    unc.monte_carlo(loaded, draws, seed=1)
    return time.perf_counter() - start


def naive(loaded, draws: int) -> float:
    """One numpy_financial.npv call per draw, on that draw's net real cash flows."""
    import numpy_financial as npf

    engine = unc.Engine.from_loaded(loaded)
    specs = unc.inputs(loaded)
    rng = np.random.default_rng(1)
    samples = {s.parameter: unc.sample(s, unc.base_value(loaded, s), draws, rng) for s in specs.values()}
    start = time.perf_counter()
    fx = engine.benefit_fixed
    capital_real, revenue_real = engine.real_costs_by_factor
    for i in range(draws):
        v = {k: a[i] for k, a in samples.items()}
        delay = v.get("benefits.start_delay_months", engine.base["benefits.start_delay_months"])
        benefits = benefits_real_by_fy(engine.fys, engine.delivery_starts, fx["shares"], fx["ramps"], fx["annual"],
                                       fx["factor"], delay, v.get("benefits.level_multiplier", 1.0))
        mult = np.array([v.get(f"cost_multipliers.{f}", engine.base[f"cost_multipliers.{f}"]) for f in engine.factors])
        costs = ((mult @ capital_real) * (1 + v.get("appraisal.optimism_bias_capital", 0.0) * engine.future)
                 + (mult @ revenue_real) * (1 + v.get("appraisal.optimism_bias_operating", 0.0) * engine.future))
        rate = v.get("appraisal.discount_rate", 0.035)
        npf.npv(rate, benefits - costs) / (1 + rate) ** engine.t[0]  # the appraisal starts at year t[0]
    return time.perf_counter() - start


def peak_rss_mib(draws: int) -> tuple[float, float]:
    code = ("from model.core.scenario import load_scenario; from model import uncertainty as u; "
            f"u.monte_carlo(load_scenario('fbc3', 'params'), {draws}, 1)")
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - start
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return kb / 1024, seconds


def wall(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "casebook"), *args], cwd=ROOT, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive-draws", type=int, default=20_000)
    parser.add_argument("--huge", action="store_true", help="also run 10^8 draws (minutes)")
    args = parser.parse_args()
    loaded = load_scenario("fbc3", ROOT / "params")
    vectorised(loaded, 1000)  # warm up imports
    naive_seconds = naive(loaded, args.naive_draws)
    naive_rate = args.naive_draws / naive_seconds
    print(f"naive loop (numpy_financial.npv per draw): {naive_rate:,.0f} draws/s "
          f"({args.naive_draws:,} draws in {naive_seconds:.2f} s)")
    for draws in (10**5, 10**6):
        seconds = min(vectorised(loaded, draws) for _ in range(3))
        rate = draws / seconds
        print(f"vectorised, {draws:>9,} draws: {seconds:6.3f} s, {rate:>12,.0f} draws/s, "
              f"{rate / naive_rate:,.0f} x the naive loop")
    mib, seconds = peak_rss_mib(10**6)
    print(f"peak memory, whole process, 10^6 draws: {mib:.0f} MiB ({seconds:.1f} s with start-up)")
    if args.huge:
        mib, seconds = peak_rss_mib(10**8)
        print(f"peak memory, whole process, 10^8 draws: {mib:.0f} MiB ({seconds:.1f} s)")
    results_s = min(wall("results", "fbc3", "--json") for _ in range(3))
    mc_s = min(wall("montecarlo", "fbc3", "--draws", "1000000", "--seed", "1", "--json") for _ in range(3))
    print(f"casebook results fbc3: {results_s:.2f} s; casebook montecarlo fbc3 --draws 1000000: {mc_s:.2f} s; "
          f"ratio {mc_s / results_s:.2f} (aim: at most 4)")


if __name__ == "__main__":
    main()
