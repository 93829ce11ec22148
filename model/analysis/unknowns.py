"""Every unknown in the uncertainty analysis: the labelled assumptions that move a scenario's Green Book
NPV but have no declared range (Green Book 5.59-5.61 and A5.21-A5.23: the analysis of uncertainty covers
every key input, not only those whose ranges are easy to state).

The declared uncertain inputs (`uncertainty:` in the params) are varied by the vectorised engine
(:mod:`model.analysis.uncertainty`). Every other labelled assumption that moves the NPV (a placeholder
profile, a price basis, a share of the benefits...) is an *unknown* here. Each takes a stated default
range (DEFAULTS), and the model itself is run at the ends of that range, on a copy of the params with the
value changed, so that every calibration is solved again. The NPV between the points is interpolated
linearly; in the Monte Carlo each unknown adds its change in NPV to the engine's draw (the unknowns are
taken to act separately: the interactions between them are not modelled, which the book says).

An assumption counts as moving the NPV when the dependence engine's nudge moves it
(:func:`model.analysis.dependence.perturb`), the same rule as every marker in the book.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core import deps
from ..core.errors import CasebookError
from ..core.paths import resolve_params_dir
from ..core.results import green_book_loaded
from ..core.scenario import Loaded, load_scenario
from ..core.yamlio import load_yaml_file
from . import dependence as dep

#: The default ranges, stated once (the book prints them beside the table):
#: Units whose values are whole steps (a year, a count): their range is one step either side.
WHOLE_UNITS = ("fy_start", "year", "count")

DEFAULTS = {
    "number": "a quarter either side",
    "zero": "0 to 0.1 (a quarter of zero is zero)",
    "whole": "one either side",
    "choice": "both values",
    "date": "three months either side",
    "amounts": "amounts a quarter lower and higher",
    "profile": "tilted half towards the first and half towards the last years",
}
RELATIVE = 0.25
ZERO_HIGH = 0.1
TILT = 0.5
#: The secant search for the value at which the NPV is zero: at most this many runs of the model, and
#: a value is accepted when the NPV there is within this of zero (£m).
SECANT_STEPS = 5
CLOSE_ENOUGH_GBP_M = 0.005


@dataclass
class Unknown:
    """One assumption without a declared range, and the Green Book NPV the model gives across its default
    range. `points` are the values of the input's scale (the value itself, a tilt, a shift in months, 0 or
    1 for a choice) at which the model was run, in order; `npvs` the NPV at each."""

    assumption: dep.Assumption
    kind: str
    base: float
    points: tuple[float, ...]
    npvs: tuple[float, ...]
    shown: tuple[str, ...]          # each point as a reader reads it ('2018', 'real', '+25%')
    base_npv: float
    narrowed: bool = False          # the model refused a default end, so the range was narrowed
    crossing: dict[str, Any] = field(default_factory=dict)

    @property
    def discrete(self) -> bool:
        return self.kind in ("whole", "choice", "date")

    @property
    def low(self) -> float:
        return self.points[0]

    @property
    def high(self) -> float:
        return self.points[-1]

    def delta(self, x: np.ndarray | float) -> np.ndarray:
        """The change in NPV from its base value, with the input at x (linear between the points)."""
        return np.interp(x, self.points, self.npvs) - self.base_npv

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n draws of the input: triangular over the range with its mode at the base value, or, for a
        whole number, a date or a choice, one of the values the model was run at, each as likely."""
        if self.discrete:
            return rng.choice(np.asarray(self.points), n)
        if self.high == self.low:
            return np.full(n, self.base)
        return rng.triangular(self.low, float(np.clip(self.base, self.low, self.high)), self.high, n)


def _kind(node: dict) -> str | None:
    if "by_fy" in node:
        cells = node.get("by_fy") or {}
        if not cells:
            return None
        return "profile" if node.get("unit") == "weight" and len(cells) > 1 else "amounts"
    if "value" not in node:
        return None
    v = node["value"]
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int) and node.get("unit") in WHOLE_UNITS:
        return "whole"
    if isinstance(v, (int, float)):
        return "number"   # an amount written without decimals (270 a day) is still an amount
    if isinstance(v, str) and dep.DATE_RE.match(v):
        return "date"
    if isinstance(v, str) and v in ("nominal", "real"):
        return "choice"
    return None


def _candidates(kind: str, node: dict) -> tuple[list[float], float]:
    """The points of the input's scale to run the model at (low, base, high), and the base."""
    if kind == "number":
        v = float(node["value"])
        if v == 0:
            return [0.0, ZERO_HIGH], 0.0
        return sorted([v * (1 - RELATIVE), v, v * (1 + RELATIVE)]), v
    if kind == "whole":
        v = int(node["value"])
        return [v - 1, v, v + 1], v
    if kind == "date":
        return [-3, 0, 3], 0
    if kind == "choice":
        return [0, 1], 0
    if kind == "amounts":
        return [-RELATIVE, 0.0, RELATIVE], 0.0
    return [-TILT, 0.0, TILT], 0.0


def _node_at(kind: str, node: dict, x: float) -> dict:
    """A copy of the params entry with its input at x on its scale."""
    new = dict(node)
    if kind == "number":
        new["value"] = float(x)
    elif kind == "whole":
        new["value"] = int(round(x))
    elif kind == "date":
        new["value"] = _shift_date(node["value"], int(x))
    elif kind == "choice":
        v = node["value"]
        new["value"] = v if x == 0 else ("real" if v == "nominal" else "nominal")
    elif kind == "amounts":
        new["by_fy"] = {fy: v * (1 + x) for fy, v in node["by_fy"].items()}
    else:
        n = len(node["by_fy"])
        new["by_fy"] = {fy: v * (1 + x * (2 * i / (n - 1) - 1)) for i, (fy, v) in enumerate(node["by_fy"].items())}
    return new


def _shift_date(text: str, months: int) -> str:
    m = dep.DATE_RE.match(text)
    year, month = int(m.group(1)), int(m.group(2)) + months
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}{m.group(3) or ''}"


def _shown(kind: str, node: dict, x: float) -> str:
    if kind == "number":
        return f"{x:.4g}"
    if kind == "whole":
        return f"{int(round(x))}"
    if kind == "date":
        return _shift_date(node["value"], int(x))
    if kind == "choice":
        return _node_at(kind, node, x)["value"]
    if kind == "amounts":
        return f"{x:+.0%}" if x else "as stated"
    return ("as stated" if x == 0 else f"tilted {abs(x):.0%} towards the {'last' if x > 0 else 'first'} years")


def _npv(name: str, copy_dir: Path | None, overrides: dict | None) -> float | None:
    """The Green Book NPV of the scenario on a copy of the params, or None where the copy does not load."""
    if copy_dir is None:
        return None
    try:
        loaded = load_scenario(name, copy_dir, overrides) if overrides else deps.load(name, copy_dir)
        return float(green_book_loaded(loaded).npv_gbp_m)
    except CasebookError:
        return None


def covered(loaded: Loaded) -> set[str]:
    """The parameters the declared uncertain inputs vary (an assumption of the same key is varied there)."""
    return {spec.parameter for spec in (loaded.scenario.uncertainty or {}).values()}


def moves(loaded: Loaded, params_dir: str | Path, overrides: dict | None = None) -> list[dep.Assumption]:
    """The labelled assumptions of the scenario's chain that its Green Book NPV rests on (the nudge of
    each moves it) and that no declared uncertain input varies, in the params' order."""
    pdir = resolve_params_dir(params_dir)
    base = float(green_book_loaded(loaded).npv_gbp_m)
    chain, skip = set(loaded.chain), covered(loaded)
    out = []
    with deps.suspended():
        for a in dep.assumptions(pdir):
            if a.scenario not in chain or a.key in skip or a.key.startswith("uncertainty."):
                continue
            for direction in (1, -1):
                copy_dir = dep.perturbed_params(pdir, a, direction)
                if copy_dir is None:
                    break
                after = _npv(loaded.name, copy_dir, overrides)
                if after is not None:
                    if dep.moved(base, after):
                        out.append(a)
                    break
    return out


def analyse(loaded: Loaded, params_dir: str | Path | None = None,
            overrides: dict | None = None) -> list[Unknown]:
    """Every unknown of the scenario, with the NPV at the ends of its default range (the model run
    again with the value changed, calibrations solved again). An end that the model refuses (a share
    above one, say) is brought halfway back to the base value, up to three times; the range is then
    marked as narrowed. Each unknown also carries the value at which the NPV would cross zero
    (:func:`crossing`)."""
    pdir = resolve_params_dir(params_dir)
    base = float(green_book_loaded(loaded).npv_gbp_m)
    found = []
    with deps.suspended():
        for a in moves(loaded, pdir, overrides):
            node = dep._get_at(dep._plain(load_yaml_file(pdir / f"{a.scenario}.yaml")), a.key.split("."))
            kind = _kind(node)
            if kind is None:
                continue
            points, x0 = _candidates(kind, node)
            xs, npvs, narrowed = [], [], False
            for x in points:
                if x == x0:
                    xs.append(x)
                    npvs.append(base)
                    continue
                value = _npv(loaded.name, dep.params_with(pdir, a, _node_at(kind, node, x)), overrides)
                tries = 0
                while value is None and not (kind in ("whole", "date", "choice")) and tries < 3:
                    x, tries, narrowed = x0 + (x - x0) / 2, tries + 1, True
                    value = _npv(loaded.name, dep.params_with(pdir, a, _node_at(kind, node, x)), overrides)
                if value is None:
                    narrowed = True
                    continue
                xs.append(x)
                npvs.append(value)
            if x0 not in xs:
                xs, npvs = [x0, *xs], [base, *npvs]
            order = np.argsort(xs, kind="stable")
            xs = [float(xs[i]) for i in order]
            npvs = [float(npvs[i]) for i in order]
            u = Unknown(a, kind, float(x0), tuple(xs), tuple(npvs), tuple(_shown(kind, node, x) for x in xs),
                        base, narrowed)
            u.crossing = crossing(u, loaded.name, pdir, node, overrides)
            found.append(u)
    return found


def crossing(u: Unknown, name: str, pdir: Path, node: dict, overrides: dict | None) -> dict[str, Any]:
    """What one would need to believe for the NPV to reach zero through this unknown alone.

    A whole number, a date or a choice: the values of its range (the model run at each) at which the
    NPV is zero or above, if any. Otherwise the straight line through the two points nearest zero is
    followed to zero (inside the range or beyond it), and the model is run once more at that value to
    show the NPV it really gives there. No crossing: the NPV does not move towards zero, or the value
    needed is one the model refuses."""
    if u.discrete:
        ok = [s for s, v in zip(u.shown, u.npvs) if v >= 0]
        return {"value": None, "shown": ", ".join(ok) if ok else None, "within_range": bool(ok),
                "npv_there_gbp_m": None}
    xs, ys = np.asarray(u.points), np.asarray(u.npvs)
    if len(xs) < 2 or np.allclose(ys, ys[0]):
        return {"value": None, "shown": None, "within_range": False, "npv_there_gbp_m": None}
    i = int(np.argmax(ys))  # extrapolate from the side the NPV rises towards
    j = i - 1 if i == len(xs) - 1 else (i + 1 if i == 0 else (i - 1 if ys[i - 1] > ys[i + 1] else i + 1))
    x1, x2, y1, y2 = xs[j], xs[i], ys[j], ys[i]
    none = {"value": None, "shown": None, "within_range": False, "npv_there_gbp_m": None}
    # the secant method from the two points, the model run at each new estimate (a few steps at most:
    # a response that levels off before zero has no crossing)
    for _ in range(SECANT_STEPS):
        if y2 == y1:
            return none
        x = float(x2 - y2 * (x2 - x1) / (y2 - y1))
        there = _npv(name, dep.params_with(pdir, u.assumption, _node_at(u.kind, node, x)), overrides)
        if there is None:
            return none
        if abs(there) <= CLOSE_ENOUGH_GBP_M:
            return {"value": x, "shown": _shown(u.kind, node, x), "npv_there_gbp_m": there,
                    "within_range": bool(xs.min() <= x <= xs.max())}
        x1, y1, x2, y2 = x2, y2, x, there
    return none


def describe_default(u: Unknown) -> str:
    """The unknown's default range in words, and whether the model refused one of its ends."""
    kind = "zero" if u.kind == "number" and u.base == 0 else u.kind
    return DEFAULTS[kind] + ("; narrowed where the model refuses a value" if u.narrowed else "")


def need_to_believe(unknowns: list[Unknown]) -> list[dict[str, Any]]:
    """"What you would need to believe": for each unknown, its default range, the NPV at either end,
    and the value at which the Green Book NPV would cross zero through it alone (None: not reached)."""
    rows = []
    for u in unknowns:
        c = u.crossing
        rows.append({"input": u.assumption.id, "label": u.assumption.label, "parameter": u.assumption.key,
                     "file": f"{u.assumption.scenario}.yaml", "default_range": describe_default(u),
                     "base_value": u.shown[u.points.index(u.base)], "low_value": u.shown[0],
                     "high_value": u.shown[-1], "npv_low_gbp_m": u.npvs[0], "npv_high_gbp_m": u.npvs[-1],
                     "value_for_zero_npv": c.get("shown"), "within_range": bool(c.get("within_range")),
                     "npv_there_gbp_m": c.get("npv_there_gbp_m")})
    return rows
