"""What `--set` may do beyond replacing a value: give an optional appraisal key the files leave out,
and move the decision to the start of a year set on its own."""

from __future__ import annotations

from typing import Any

from .fy import fy_of_date, parse_date

#: Optional keys of `appraisal:` that `--set` may give where the files leave them out, with their units.
OPTIONAL_APPRAISAL_KEYS = {"base_year": "fy_start", "paper_base_year": "fy_start", "decision_date": "date",
                           "service_life_to": "fy_start", "residual_value_gbp_m": "gbp_m"}


def date_outside_year(decision_date: Any, year: Any) -> bool:
    """Whether a params `decision_date` lies outside the financial year starting in `year`."""
    if not isinstance(decision_date, dict) or not isinstance(year, int):
        return False
    try:
        return fy_of_date(parse_date(decision_date.get("value"))) != year
    except (TypeError, ValueError):
        return False
