import os
import pathlib
import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest

import exportctl

ROOT = pathlib.Path(os.environ.get("EXPORTCTL_SOURCE_DIR", pathlib.Path(__file__).parents[3]))
PACK = ROOT / "rules" / "examples" / "pack"
REQUEST = {"id": "S", "date": "2026-11-25", "route": ["US", "BR"],
           "end_user": {"name": "Lab"}, "materials": [{"id": "m1", "eccn": "1C351.a", "category": "pathogen",
                                           "un_number": "UN2814"}]}


def test_readme_example():
    policy = exportctl.compile(PACK)
    decision = policy.evaluate(REQUEST)
    assert decision["outcome"] == "license_required"
    assert decision["licenses_required"] == [{"authority": "BIS", "basis": "CB2", "materials": ["m1"]}]
    assert decision["policy"]["digest"].startswith("sha256:")


def test_pickle_round_trip_keeps_digest_and_answers():
    policy = exportctl.compile(PACK)
    clone = pickle.loads(pickle.dumps(policy))
    assert clone.digest == policy.digest
    assert clone.evaluate(REQUEST) == policy.evaluate(REQUEST)


def test_compile_error_carries_diagnostics():
    with pytest.raises(exportctl.CompileError) as err:
        exportctl.compile_sources({"a.ecr": "package a\nrule r { cite \"x\" when end_user.contry == \"DE\" then review }\n"})
    d = err.value.diagnostics[0]
    assert (d["code"], d["line"], d["column"]) == ("unknown_attribute", 2, 24)
    assert d["help"] == "did you mean `end_user.country`?"
    assert isinstance(err.value, exportctl.Error)


def test_request_error_has_code_and_path():
    policy = exportctl.compile(PACK)
    bad = dict(REQUEST, materials=[{"id": "m1", "quantity": "20"}])
    with pytest.raises(exportctl.RequestError) as err:
        policy.evaluate(bad)
    assert err.value.code == "invalid_type"
    assert err.value.path == "$.materials[0].quantity"
    assert err.value.message == "expected number"
    with pytest.raises(exportctl.RequestError) as err:
        policy.decide(dict(REQUEST, materials=[{"id": "m1", "unit": "furlongs"}]))
    assert (err.value.code, err.value.path) == ("invalid_value", "$.materials[0].unit")


def test_missing_path_is_an_error():
    with pytest.raises(exportctl.CompileError):
        exportctl.compile(ROOT / "no-such-dir")


def test_threads_share_one_policy():
    policy = exportctl.compile(PACK)
    with ThreadPoolExecutor(4) as pool:
        outcomes = set(pool.map(lambda _: policy.evaluate(REQUEST)["outcome"], range(200)))
    assert outcomes == {"license_required"}


def test_decide_agrees_with_evaluate_on_every_example():
    policy = exportctl.compile(*[ROOT / "rules" / d for d in
                                 ("data", "ear", "eu", "transport", "us_sanctions")])
    examples = sorted((ROOT / "rules" / "examples").glob("*.json"))
    assert len(examples) >= 30
    for path in examples:
        text = path.read_text()
        decision = policy.evaluate(text)
        outcome, rules, errors = policy.decide(text)
        assert outcome == decision["outcome"], path
        reasons = [r["rule"] for r in decision["reasons"]]  # a reason per leg: the rule once
        assert rules == [r for i, r in enumerate(reasons) if i == 0 or reasons[i - 1] != r], path
        assert errors == bool(decision["errors"]), path
    assert "ear.ccl.chart_column" in policy.rule_ids


def test_decide_refuses_a_malformed_request():
    policy = exportctl.compile(ROOT / "rules" / "examples" / "pack")
    with pytest.raises(exportctl.RequestError) as err:
        policy.decide({"id": "x"})
    assert err.value.code == "missing_field"


def test_run_tests_of_the_standard_packs():
    policy = exportctl.compile(*[ROOT / "rules" / d for d in
                                 ("data", "ear", "eu", "transport", "us_sanctions")])
    results = policy.run_tests()
    assert len(results) >= 10
    assert all(r["passed"] for r in results), [r for r in results if not r["passed"]]
    failing = exportctl.compile_sources({"t.ecr": 'package t\ntest wrong { request {"id": "T", '
                                         '"date": "2026-11-25", "route": ["US", "DE"], '
                                         '"materials": [{"id": "m"}]} expect review }\n'})
    [result] = failing.run_tests()
    assert not result["passed"] and result["message"] == "expected review, got permitted"
