"""Tables 1 and 2 of the FBC3 report as the params hold them, and their totals."""

import pytest

from model.analysis.reconcile import reconcile
from model.core.scenario import load_scenario

from .conftest import PARAMS

# the tests of this file share a module fixture: they run in one process under `pytest -n` (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("test_tables")



@pytest.fixture(scope="module")
def fbc3():
    return load_scenario("fbc3", PARAMS)


@pytest.fixture(scope="module")
def checks(fbc3):
    return {c.id: c for c in reconcile(fbc3)}


def test_table1_cells_in_their_financial_years(fbc3):
    lines = fbc3.scenario.costs["fbc3_capital_request"].lines
    assert lines["change_in_scope"].by_fy == {"FY23/24": 4.392, "FY24/25": 1.895}
    assert lines["delay"].by_fy == {"FY23/24": 15.949}
    assert lines["future_enhancements"].by_fy == {"FY24/25": 5.092, "FY25/26": 6.0, "FY26/27": 6.0,
                                                  "FY27/28": 6.0}
    assert lines["other"].by_fy == {"FY23/24": 2.486, "FY24/25": 2.112}


def test_table2_cells_in_their_financial_years(fbc3):
    block = fbc3.scenario.costs["fbc3_revenue_request"]
    # The training and its reserve fall in FY23/24 (training runs Nov 2023 - Feb 2024)
    assert block.lines["training"].by_fy == {"FY23/24": 29.409}
    assert block.funding_sources["training_reserve"].by_fy == {"FY23/24": -25.9}
    # Post-go-live support starts in FY24/25, after business as usual on 31 May 2024
    assert block.lines["support_application_delivery"].by_fy == {"FY24/25": 3.799, "FY25/26": 3.119,
                                                                 "FY26/27": 3.028, "FY27/28": 3.028}
    assert block.lines["other"].by_fy["FY23/24"] == -0.392
    assert block.funding_sources["splunk_reserve"].by_fy == {"FY22/23": -0.27}


def test_table1_totals(checks):
    # FY23/24 = 4.392 + 15.949 + 2.486 = 22.827, printed 22.827
    c = checks["fbc3_capital_request.column.FY23/24.gross"]
    assert (c.published, c.computed, c.status) == (22.827, 22.827, "ok")
    # FY24/25 = 1.895 + 5.092 + 2.112 = 9.099, printed 9.100
    c = checks["fbc3_capital_request.column.FY24/25.gross"]
    assert (c.published, c.computed, c.status) == (9.1, 9.099, "rounding")
    # grand total: 6.287 + 15.949 + 23.092 + 4.598 = 49.926, printed 49.927
    c = checks["fbc3_capital_request.total.gross.from_row_totals"]
    assert (c.published, c.computed, c.status) == (49.927, 49.926, "rounding")
    # the FY27/28 cell is missing from the printed total row; 49.927 - 43.927 = 6.000
    c = checks["fbc3_capital_request.column.FY27/28.gross_missing"]
    assert c.published == pytest.approx(6.0) and c.computed == 6.0 and c.status == "explained"


def test_table2_totals(checks):
    # FY23/24 = 1.429 + 29.409 + 2.000 + 5.928 - 0.392 = 38.374
    c = checks["fbc3_revenue_request.column.FY23/24.gross"]
    assert (c.published, c.computed, c.status) == (38.374, 38.374, "ok")
    # FY24/25 = 2.527 + 0.594 + 1.850 + 1.852 + 3.799 + 0.240 + 2.408 = 13.270
    assert checks["fbc3_revenue_request.column.FY24/25.gross"].computed == 13.27
    # Application Delivery: 3.799 + 3.119 + 3.028 + 3.028 = 12.974, printed 12.975
    c = checks["fbc3_revenue_request.line.support_application_delivery.total"]
    assert (c.computed, c.status) == (12.974, "rounding")
    # gross 82.864 from the row totals exactly; 82.863 from the cells
    assert checks["fbc3_revenue_request.total.gross.from_row_totals"].status == "ok"
    assert checks["fbc3_revenue_request.total.gross.from_cells"].computed == 82.863
    # funding: -0.270 - 25.900 = -26.170; shortfall 82.864 - 26.170 = 56.694
    assert checks["fbc3_revenue_request.total.funding"].status == "ok"
    assert checks["fbc3_revenue_request.total.shortfall.from_totals"].status == "ok"
    # FY23/24 shortfall 38.374 - 25.900 = 12.474; FY22/23 is the Splunk reserve alone
    assert checks["fbc3_revenue_request.column.FY23/24.shortfall"].computed == 12.474
    assert checks["fbc3_revenue_request.column.FY22/23.shortfall"].computed == -0.27


def test_every_table_check_is_within_rounding(checks):
    table = [c for cid, c in checks.items() if cid.startswith(("fbc3_capital_request", "fbc3_revenue_request"))]
    assert len(table) >= 40
    assert {c.status for c in table} <= {"ok", "rounding", "explained"}
