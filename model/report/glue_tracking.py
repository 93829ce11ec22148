"""Which assumptions each glued figure rests on, worked out as a chapter's glue runs: the `tracked`
wrapper runs a chapter's glue function once per nudged assumption with its figures only recorded
(model.analysis.dependence), then once for real with the markers. The two context variables that say
which of the two is under way live here, and only here."""

from __future__ import annotations

import contextvars
import functools
import hashlib

from ..analysis import dependence


_RECORD: contextvars.ContextVar[dict | None] = contextvars.ContextVar("casebook_record", default=None)
_DEPS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("casebook_deps", default=None)


def tracked(glue_function):
    """Run a chapter's glue function so that each figure it glues knows the assumptions it rests on:
    the function is run once per nudged assumption with its figures recorded (model.analysis.dependence), then
    once for real with the markers.

    Authors use it as `bv.tracked` on a function of their own page (a front page that glues a few
    headline figures), which takes the params directory and glues with `bv.glue_money`, `bv.glue`...:

        @bv.tracked
        def glue_front_page(params_dir=None):
            bv.glue_money("npv_preferred", book.result("preferred", params_dir)["npv_gbp_m"])

        glue_front_page(params_dir)

    A figure glued outside such a function carries no marker, whatever it rests on."""
    @functools.wraps(glue_function)
    def run(params_dir=None):
        if _RECORD.get() is not None or _DEPS.get() is not None:
            return glue_function(params_dir)

        def compute(pdir):
            token = _RECORD.set({})
            try:
                glue_function(pdir)
                return _RECORD.get()
            finally:
                _RECORD.reset(token)

        # a page's own function (module __main__) is known by its code too: two pages may each
        # define a function of the same name that glue different figures
        code = getattr(glue_function, "__code__", None)
        body = hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest()[:12] if code else ""
        name = f"glue {glue_function.__module__}.{glue_function.__qualname__} {body}"
        deps = dependence.dependence(compute, params_dir, name=name)
        token = _DEPS.set(deps)
        try:
            return glue_function(params_dir)
        finally:
            _DEPS.reset(token)
    return run
