"""Brent's root finder (zeroin), for calibration.

Brent, R. P. (1973), Algorithms for Minimization without Derivatives, chapter 4: bisection safeguarded
inverse quadratic interpolation and secant steps. The same algorithm as scipy.optimize.brentq (the
tests check that they agree); kept here so that loading a scenario does not import scipy.
"""

from __future__ import annotations

from typing import Callable

EPS = 2.220446049250313e-16


class NoBracket(ValueError):
    """f(a) and f(b) have the same sign: no root is bracketed."""


def brent_root(f: Callable[[float], float], a: float, b: float, xtol: float = 1e-12,
               maxiter: int = 200) -> float:
    """A root of f in [a, b], where f(a) and f(b) differ in sign."""
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if (fa > 0) == (fb > 0):
        raise NoBracket(f"f({a}) = {fa} and f({b}) = {fb} have the same sign")
    c, fc = a, fa
    d = e = b - a
    for _ in range(maxiter):
        if (fb > 0) == (fc > 0):
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 2.0 * EPS * abs(b) + 0.5 * xtol
        m = 0.5 * (c - b)
        if abs(m) <= tol or fb == 0:
            return b
        if abs(e) < tol or abs(fa) <= abs(fb):
            d = e = m                                   # bisection
        else:
            s = fb / fa
            if a == c:                                  # secant
                p, q = 2.0 * m * s, 1.0 - s
            else:                                       # inverse quadratic interpolation
                q, r = fa / fc, fb / fc
                p = s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0))
                q = (q - 1.0) * (r - 1.0) * (s - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if 2.0 * p < min(3.0 * m * q - abs(tol * q), abs(e * q)):
                e, d = d, p / q
            else:
                d = e = m
        a, fa = b, fb
        b += d if abs(d) > tol else (tol if m > 0 else -tol)
        fb = f(b)
    raise RuntimeError(f"no convergence in {maxiter} iterations")
