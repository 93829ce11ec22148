"""What the model reads is recorded with the digest of what it read, and a changed file shows."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from model.core import deps, reads, scenario_cache
from model.core.params import scenario_names
from model.core.scenario import load_scenario

from .conftest import PARAMS


def test_loading_a_scenario_records_each_file_of_its_chain(tmp_path, monkeypatch):
    shutil.copytree(PARAMS, tmp_path / "params")
    monkeypatch.chdir(tmp_path)
    with deps.collecting() as reads:
        load_scenario("fbc3_benefits_half", Path("params"))
    expected = {("file", f"params/{n}.yaml",
                 hashlib.sha256((tmp_path / "params" / f"{n}.yaml").read_bytes()).hexdigest())
                for n in ("fbc1", "fbc2", "fbc3", "fbc3_benefits_half")}
    # and the declaration of the documents its sources cite
    declared = tmp_path / "params" / "sources" / "sources.yaml"
    expected.add(("file", "params/sources/sources.yaml", hashlib.sha256(declared.read_bytes()).hexdigest()))
    assert reads == expected
    assert deps.scenarios_read(sorted(reads), tmp_path / "params", tmp_path) == \
        ["fbc1", "fbc2", "fbc3", "fbc3_benefits_half"]
    assert deps.reads_are_current(sorted(reads), tmp_path)
    # an edit to one file of the chain makes that read, and only that one, out of date
    path = tmp_path / "params" / "fbc3_benefits_half.yaml"
    path.write_text(path.read_text() + "\n# edited\n")
    stale = [r for r in sorted(reads) if deps.current(r, tmp_path) != r]
    assert [r[1] for r in stale] == ["params/fbc3_benefits_half.yaml"]
    assert deps.current(stale[0], tmp_path)[2] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_listing_the_scenarios_is_a_read_that_a_new_file_changes(tmp_path, monkeypatch):
    shutil.copytree(PARAMS, tmp_path / "params")
    monkeypatch.chdir(tmp_path)
    with deps.collecting() as reads:
        names = scenario_names(Path("params"))
    (listing,) = reads
    assert listing[:2] == ("list", "params") and deps.current(listing, tmp_path) == listing
    assert deps.scenarios_read([listing], tmp_path / "params", tmp_path) == ["*"]
    shutil.copy(tmp_path / "params" / "fbc3.yaml", tmp_path / "params" / "fbc3_copy.yaml")
    assert deps.current(listing, tmp_path)[2] == deps.listing_digest(names + ["fbc3_copy"]) != listing[2]


def test_a_notebooks_reads_go_to_the_log_named_in_its_environment(tmp_path, monkeypatch):
    log = tmp_path / "reads"
    monkeypatch.setenv(deps.READS_ENV, str(log))
    monkeypatch.setattr(reads, "_logged", set())  # the recording state lives in model.core.reads
    load_scenario("fbc1", PARAMS)
    load_scenario("fbc1", PARAMS)  # each read once
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    declared = PARAMS / "sources" / "sources.yaml"  # the documents its sources cite (read once a process)
    fbc1 = ["file", deps.where(PARAMS / "fbc1.yaml"), hashlib.sha256((PARAMS / "fbc1.yaml").read_bytes()).hexdigest()]
    assert fbc1 in lines
    assert len(lines) == len({tuple(x) for x in lines})  # each read logged once
    assert {x[1] for x in lines} <= {fbc1[1], deps.where(declared)}
    assert os.environ.get(deps.CACHE_ENV) is None  # outside a build nothing is cached


def test_the_build_cache_gives_the_same_scenario_and_results_as_solving(tmp_path, monkeypatch):
    from model.core.results import results

    shutil.copytree(PARAMS, tmp_path / "params")
    monkeypatch.chdir(tmp_path)
    with deps.collecting() as reads:
        solved = load_scenario("fbc3", Path("params"))
    deps.write_entry(tmp_path / "fbc3.pickle", "k1", solved, results(solved), sorted(reads))
    (tmp_path / "index.json").write_text(json.dumps(
        {"params_dir": "params", "scenarios": {"fbc3": {"file": str(tmp_path / "fbc3.pickle"), "key": "k1",
                                                         "kind": "published"}}}))
    monkeypatch.setenv(deps.CACHE_ENV, str(tmp_path / "index.json"))
    monkeypatch.setattr(scenario_cache, "_entries", {})
    with deps.collecting() as cached_reads:
        cached = deps.load("fbc3", "params")
    assert cached_reads == reads  # the notebook depends on what the cached scenario was made from
    assert cached.calibrated == solved.calibrated and cached.scenario == solved.scenario
    assert deps.results_for(cached, "params") == results(solved)
    assert deps.kind_of("fbc3", "params") == "published"
    # another params directory, or a key that does not match, is solved as usual
    assert deps.cached_entry("fbc3", str(PARAMS)) is None
    (tmp_path / "index.json").write_text((tmp_path / "index.json").read_text().replace('"k1"', '"k2"'))
    monkeypatch.setattr(scenario_cache, "_index_cache", {})
    monkeypatch.setattr(scenario_cache, "_entries", {})
    assert deps.cached_entry("fbc3", "params") is None


def test_a_pickled_scenario_reads_its_params_tree_back_only_when_asked_and_unchanged():
    import pickle

    loaded = load_scenario("fbc3", PARAMS)
    back = pickle.loads(pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL))
    assert "tree" not in vars(back) and back.scenario == loaded.scenario
    assert back.tree == loaded.tree  # read back on first use
    assert "tree" in vars(back) and "_tree_pickle" not in vars(back)
    # a line of the params survives the round trip, with its file
    assert back.tree.origin("title") == loaded.tree.origin("title")
    assert back == loaded
    again = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(loaded))))  # pickled before it was read
    assert again.tree == loaded.tree
