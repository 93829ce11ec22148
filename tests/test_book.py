"""The business-case book: glued prose, downloads, the NPV bridge and the rebuilt tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from model.report import book
from model.analysis.reconcile import reconcile_all
from model.core.scenario import load_scenario

from .conftest import PARAMS, ROOT, cli_json
from .pipeline_helpers import casebook, clone_built


def test_no_money_typed_into_the_prose():
    typed = []
    for page in (ROOT / "book").glob("*.md"):
        for n, line in enumerate(page.read_text().splitlines(), 1):
            if re.search(r"£ ?[0-9]", line) and "{glue" not in line:
                typed.append(f"{page.name}:{n}: {line.strip()}")
    assert not typed, typed


def _text(page: Path) -> str:
    return re.sub(r"<[^>]+>", "", page.read_text())


def test_changing_a_parameter_changes_the_prose(built, tmp_path):
    project = clone_built(built, tmp_path / "p")
    html = project / "book" / "_build" / "html"
    before = _text(html / "index.html")
    assert "£214.7m" in before and "£29.2m" in before
    # the published FBC1 NPV and the FBC2 addition, changed in a copy of the params
    fbc1 = project / "params" / "fbc1.yaml"
    fbc1.write_text(fbc1.read_text().replace("value: 214.7\n", "value: 250.0\n"))
    fbc2 = project / "params" / "fbc2.yaml"
    fbc2.write_text(fbc2.read_text().replace("value: 29.2\n", "value: 31.4\n"))
    proc = casebook(project, "build")
    assert proc.returncode == 0, proc.stderr
    after = _text(html / "index.html")
    assert "£250.0m" in after and "£214.7m" not in after
    assert "£31.4m" in after and "£29.2m" not in after
    # a computed figure moved too: FBC2's TCO is 129 + 31.4 = 160.4
    assert "£160.4m" in after and "£158.2m" not in after


def test_downloads_match_the_model(built):
    dl = built / "book" / "_build" / "html" / "_static" / "downloads"
    for name in ("fbc1", "fbc2", "fbc3"):
        frame = pd.read_csv(dl / f"cashflows_{name}.csv")
        expected = pd.DataFrame(cli_json("results", name)["cashflows"])
        pd.testing.assert_frame_equal(frame, expected, check_dtype=False, rtol=0, atol=1e-12)
    versions = pd.read_csv(dl / "versions.csv").set_index("version")
    for name in ("fbc1", "fbc2", "fbc3"):
        r = cli_json("results", name)
        assert versions.loc[name.upper(), "npv_gbp_m"] == pytest.approx(r["npv_gbp_m"], abs=1e-12)
        assert versions.loc[name.upper(), "tco_gbp_m"] == pytest.approx(r["tco_gbp_m"], abs=1e-12)
    workbook = openpyxl.load_workbook(dl / "casebook-tables.xlsx", read_only=True)
    csvs = sorted(p.stem for p in dl.glob("*.csv"))
    assert sorted(workbook.sheetnames) == csvs
    sheet = workbook["cashflows_fbc3"]
    rows = list(sheet.values)
    expected = cli_json("results", "fbc3")["cashflows"]
    assert list(rows[0]) == list(expected[0].keys())
    for row, exp in zip(rows[1:], expected):
        assert dict(zip(rows[0], row))["pv_gbp_m"] == pytest.approx(exp["pv_gbp_m"], abs=1e-12)
    # the same sheets read through pandas equal the CSVs
    sheets = pd.read_excel(dl / "casebook-tables.xlsx", sheet_name=None)
    pd.testing.assert_frame_equal(sheets["npv_bridge"], pd.read_csv(dl / "npv_bridge.csv"),
                                  check_dtype=False, atol=1e-12)


def test_every_page_table_has_its_csv(built):
    html = built / "book" / "_build" / "html"
    dl = html / "_static" / "downloads"
    for page in [*html.glob("*.html")]:
        for ref in re.findall(r'href="(_static/downloads/[^"]+)"', page.read_text()):
            assert (html / ref).is_file(), (page.name, ref)
    assert (dl / "casebook-tables.xlsx").stat().st_size > 10_000


def test_bridge_bars_add_up_to_the_npv_difference():
    bridge = book.npv_bridge("fbc1", "fbc3", PARAMS)
    changes = bridge[bridge.kind == "change"]
    npv1 = cli_json("results", "fbc1")["npv_gbp_m"]
    npv3 = cli_json("results", "fbc3")["npv_gbp_m"]
    assert changes.delta_gbp_m.sum() == pytest.approx(npv3 - npv1, abs=1e-9)
    assert bridge.iloc[0].delta_gbp_m == pytest.approx(npv1) and bridge.iloc[-1].delta_gbp_m == pytest.approx(npv3)
    # each bar starts where the last ended
    assert (changes.start_gbp_m.iloc[1:].to_numpy() == pytest.approx(changes.end_gbp_m.iloc[:-1].to_numpy()))
    assert "Other changes" not in set(bridge.step)  # the named drivers explain the whole difference
    # the FBC2 bar is exactly the PV of the GBP 29.2m, none of it benefit: adding costs only lowers NPV
    assert all(changes[changes.step.str.contains("cost", case=False)].delta_gbp_m < 0)


def test_rebuilt_tables_total_to_the_published_totals_or_are_listed():
    statuses = {c.id: c.status for c in reconcile_all(PARAMS)}
    for block, prefix in (("fbc3_capital_request", "fbc3_capital_request"),
                          ("fbc3_revenue_request", "fbc3_revenue_request")):
        table = book.request_table(block, "fbc3", PARAMS)
        for row in table.to_dict(orient="records"):
            if pd.isna(row["published_total"]):
                continue
            diff = abs(row["total"] - row["published_total"])
            if diff > 1e-9:
                # any difference is a listed check: rounding at most, never silent
                listed = [cid for cid, st in statuses.items() if cid.startswith(prefix) and st != "ok"]
                assert listed, row["row"]
                assert diff <= 0.001 + 1e-9, row["row"]
    t2 = book.request_table("fbc3_revenue_request", "fbc3", PARAMS).set_index("row")
    assert t2.loc["Gross requirement (computed)", "total"] == pytest.approx(82.863)
    assert t2.loc["Gross requirement (computed)", "published_total"] == 82.864
    assert t2.loc["Shortfall after funding sources (computed)", "FY23/24"] == pytest.approx(12.474)


def test_regulation_72_is_tested_per_modification():
    # Reg. 72(2): with several successive modifications the 50% limit of 72(1)(b)/(c) applies to each one.
    # (This test used to expect a flag for the cumulative uplift, which encoded the wrong reading.)
    hist = book.contract_history("fbc3", PARAMS)
    nec = hist[hist.contract == "nec_mips_implementation"].set_index("event")
    # FBC2: 21.2 on the original 44.1 = 48.07%; FBC3: 22.048 on 44.1 = 49.995%; each within 50%
    assert nec.loc["fbc2", "uplift_pct_of_original"] == pytest.approx(100 * 21.2 / 44.1)
    assert nec.loc["fbc3", "uplift_pct_of_original"] == pytest.approx(100 * 22.048 / 44.1)
    assert round(nec.loc["fbc2", "uplift_pct_of_original"], 1) == 48.1
    assert round(nec.loc["fbc3", "uplift_pct_of_original"], 3) == 49.995
    assert nec.loc["fbc2", "within_50pct_of_original"] is True and nec.loc["fbc3", "within_50pct_of_original"] is True
    assert nec.loc["fbc2", "reg72_check"].startswith("within 50% of original (48.073%")
    assert "review clauses (72(1)(a)" in nec.loc["fbc2", "reg72_check"]
    assert nec.loc["fbc3", "reg72_check"].startswith("within 50% of original (49.995%")
    # the cumulative 21.2 + 22.048 = 43.248 on 44.1 (98.07%) is an observation, the 72(2) question, not a breach
    assert nec.loc["fbc3", "cumulative_pct_of_original"] == pytest.approx(100 * 43.248 / 44.1)
    assert "not a breach" in nec.loc["fbc3", "observation"] and "72(2)" in nec.loc["fbc3", "observation"]
    assert nec.loc["fbc2", "observation"] == ""
    assert not hist.reg72_check.str.contains("ABOVE").any()
    assert not hist.reg72_check.str.contains("cumulative").any()
    ey = hist[hist.contract == "ey_programme_director"].set_index("event")
    assert ey.loc["original", "value_gbp_m"] == pytest.approx(0.499)
    assert ey.loc["fbc3", "within_50pct_of_original"] is True and ey.loc["fbc3", "observation"] == ""


def test_the_limit_is_tested_against_each_modification_by_hand():
    assert book.within_reg72_limit(100 * 21.2 / 44.1) and book.within_reg72_limit(100 * 22.048 / 44.1)
    assert book.within_reg72_limit(50.0) and not book.within_reg72_limit(50.001)
    assert book.within_reg72_limit(float("nan")) is None
    assert book.reg72_observation(98.07, 2).endswith("(reg. 72(2))")
    assert book.reg72_observation(98.07, 1) == "" and book.reg72_observation(49.0, 3) == ""


def test_contract_cap_reads_regulation_72_per_modification():
    from model.core.cashflows import contract_cap_excess

    cap = load_scenario("fbc3_uplift_cap", PARAMS).scenario
    # the scenario states the cumulative reading explicitly: 43.248 - 22.05 = 21.198 above it
    assert cap.contract_cap.reading == "cumulative"
    assert contract_cap_excess(cap) == pytest.approx(21.198, abs=1e-9)
    # read per modification (the regulation's test), neither uplift is above 50% x 44.1 = 22.05
    cap.contract_cap.reading = "per_modification"
    assert contract_cap_excess(cap) == 0.0
    cap.contract_cap.cap_pct_of_original = 49.0  # 21.609: FBC2 is within, FBC3 is 0.439 above
    assert contract_cap_excess(cap) == pytest.approx(22.048 - 21.609, abs=1e-9)


def test_funding_request_is_the_papers_own():
    req = book.funding_request("fbc3", PARAMS).set_index("request")
    assert req.loc["Capital (Table 1)", "net_gbp_m"] == 49.927
    assert req.loc["Revenue (Table 2)", "gross_gbp_m"] == 82.864
    assert req.loc["Revenue (Table 2)", "reserves_gbp_m"] == -26.17
    assert req.loc["Revenue (Table 2)", "net_gbp_m"] == 56.694
    # 82.864 - 26.170 = 56.694; the recommendations (Part 2 para 4) state the same two figures
    assert (req.stated_in_recommendations_gbp_m == req.net_gbp_m).all()
    assert req.loc["Total request", "net_gbp_m"] == pytest.approx(49.927 + 56.694)
    assert req.loc["Revenue (Table 2)", "net_from_cells_gbp_m"] == pytest.approx(56.693)


def test_appraisal_costs_against_full_financial_costs():
    t = book.appraisal_vs_financial_costs("fbc3", PARAMS)
    r = load_results("fbc3")
    amounts = t.amount_gbp_m.tolist()
    # the sunk costs: 107.980 of the years before FY23/24, and the part of FY23/24 before the December
    # 2023 decision (8/12 of the untimed lines, a quarter of the training and its overtime, 5/8 of the
    # replan), worked line by line in tests/test_decision_frame.py
    assert amounts[0] == pytest.approx(290.989) and amounts[1] == pytest.approx(-144.009, abs=5e-4)
    # each total is the running sum of the rows above it; the last is the Green Book PV of costs. Rows:
    # 0 full cost, 1 sunk, 2 future nominal, 3 inflation, 4 optimism bias, 5 expected risk costs,
    # 6 opportunity costs, 7 undiscounted appraisal costs, 8 discounting, 9 PV of costs
    assert amounts[2] == pytest.approx(amounts[0] + amounts[1], abs=1e-9)
    assert amounts[7] == pytest.approx(sum(amounts[2:7]), abs=1e-9)
    assert amounts[9] == pytest.approx(amounts[7] + amounts[8], abs=1e-9)
    assert amounts[9] == pytest.approx(r["green_book"]["pv_costs_gbp_m"], abs=1e-9)
    assert amounts[4] == 0.0  # no optimism bias in the published FBC3
    assert amounts[5] == 0.0  # and no quantified risk
    # the training time: 22,500 x 2 days x GBP 270 less the 2.0 of overtime, 3/4 of it after the decision
    assert amounts[6] == pytest.approx((22_500 * 2 * 270 / 1e6 - 2.0) * 3 / 4, abs=1e-9)
    upper = book.appraisal_vs_financial_costs("fbc3_optimism_upper", PARAMS).amount_gbp_m.tolist()
    assert upper[:4] == pytest.approx(amounts[:4]) and upper[4] > 0
    assert upper[9] == pytest.approx(load_results("fbc3_optimism_upper")["green_book"]["pv_costs_gbp_m"], abs=1e-9)


def load_results(name):
    from model.core.results import results

    return results(load_scenario(name, PARAMS))


def test_register_shows_the_decision_year_and_the_regulation_the_cap_reads():
    reg = book.assumptions_register(PARAMS)
    decision = reg[reg.parameter == "appraisal.decision_fy"].set_index("defined_in").provenance
    # each version states its own decision year, with its source
    assert "title block" in decision["fbc3.yaml:19"] and "Part 1 Introduction" in decision["fbc2.yaml:18"]
    assert {"appraisal.optimism_bias_capital", "appraisal.optimism_bias_operating"} <= set(reg.parameter)
    [cap] = reg[reg.parameter == "contract_cap"].to_dict(orient="records")
    assert "72(1)(b)/(c)" in cap["provenance"] and "72(2)" in cap["provenance"]
    assert "cap_pct_of_original 50" in cap["value"] and "reading cumulative" in cap["value"]


def test_the_financial_prose_takes_the_step_tables_totals():
    # the prose gives the full cost, the sunk costs, the future costs, the appraisal costs undiscounted and
    # their PV: the table's totals by what they are, whatever rows (risk, opportunity costs) come between
    from model.report.financial_glue import glue_financial
    from model.report.glue_tracking import _RECORD

    token = _RECORD.set({})
    try:
        glue_financial.__wrapped__(PARAMS)
        got = _RECORD.get()
    finally:
        _RECORD.reset(token)
    t = book.appraisal_vs_financial_costs("fbc3", PARAMS).set_index("step").amount_gbp_m
    pv = load_results("fbc3")["green_book"]["pv_costs_gbp_m"]
    assert got["fin_appraisal_pv"] == pytest.approx(pv, abs=1e-9) and round(pv, 3) == 141.600
    assert got["fin_appraisal_real"] == pytest.approx(t["Appraisal costs, FY23/24 prices, undiscounted"], abs=1e-9)
    assert got["fin_sunk"] == pytest.approx(144.009, abs=5e-4) and got["fin_full_cost"] == pytest.approx(290.989)
