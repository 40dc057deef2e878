"""Restricted-party lists through the bindings: loading, screening names, decisions that screen,
failing closed without lists, the opt-out, errors with codes, pickling for Dask workers."""
import os
import pathlib
import pickle

import pytest

import exportctl

ROOT = pathlib.Path(os.environ.get("EXPORTCTL_SOURCE_DIR", pathlib.Path(__file__).parents[3]))
TEST_LISTS = ROOT / "tests" / "data" / "screening" / "language-lists.json"

RULES = {"scr.ecr": """package scr
rule el {
  cite "15 CFR 744.11"
  when screen(end_user, {EL}) >= 92
  then license_required authority "BIS" basis "Entity List"
}
"""}


def request(name):
    return {"id": "S", "date": "2026-11-25", "route": ["US", "CN"],
            "end_user": {"name": name, "country": "CN"}, "materials": [{"id": "m1"}]}


@pytest.fixture(scope="module")
def lists():
    return exportctl.load_lists(f"{TEST_LISTS}@2026-11-01")


def test_info(lists):
    [info] = lists.info
    assert info["code"] == "CSL"
    assert info["date"] == "2026-11-01"
    assert info["entries"] == 3 and info["aliases"] == 2
    assert info["digest"].startswith("sha256:") and len(info["digest"]) == 71


def test_screen_reports_the_alias_that_matched(lists):
    [match] = lists.screen("HVBI")
    assert (match["list"], match["entry"], match["alias"]) == ("EL", "T-EL-1", "HVBI")
    assert match["name"] == "Harbin Vector Bioreagents Institute"
    assert 92 <= match["score"] <= 100
    assert lists.screen("HVBI", lists=["SDN"]) == []
    assert lists.screen("Karolinska University Hospital") == []


def test_evaluate_with_lists(lists):
    policy = exportctl.compile_sources(RULES)
    decision = policy.evaluate(request("Harbin Vector Bioreagents Institute"), lists=lists)
    assert decision["outcome"] == "license_required"
    [m] = decision["screening"]
    assert (m["party"], m["list"], m["entry"], m["rule"]) == ("end_user", "EL", "T-EL-1", "scr.el")
    assert decision["policy"]["screening"] == "on"
    assert decision["policy"]["lists"][0]["date"] == "2026-11-01"
    outcome, rules, errors = policy.decide(request("Harbin Vector Bioreagents Institute"),
                                           lists=lists)
    assert (outcome, rules, errors) == ("license_required", ["scr.el"], False)


def test_without_lists_fails_closed_unless_opted_out():
    policy = exportctl.compile_sources(RULES)
    decision = policy.evaluate(request("Harbin Vector Bioreagents Institute"))
    assert decision["outcome"] == "review"
    assert [e["code"] for e in decision["errors"]] == ["not_screened"]
    off = policy.evaluate(request("Harbin Vector Bioreagents Institute"), no_screening=True)
    assert off["outcome"] == "permitted"
    assert off["policy"]["screening"] == "off"


def test_bad_lists_raise_with_a_code(tmp_path):
    with pytest.raises(exportctl.ListError) as err:
        exportctl.load_lists(tmp_path / "missing.csv")
    assert err.value.code == "list_unreadable"
    bad = tmp_path / "bad.json"
    bad.write_text('{"results": [{"id": "x", "source": "Entity List (EL) - Bureau of Industry '
                   'and Security", "name": ""}]}')
    with pytest.raises(exportctl.ListError) as err:
        exportctl.load_lists(bad)
    assert err.value.code == "list_missing_field"
    assert "bad.json" in str(err.value)


def test_lists_pickle_for_workers(lists):
    again = pickle.loads(pickle.dumps(lists))
    assert again.info == lists.info
    assert again.screen("HVBI") == lists.screen("HVBI")


def test_bundled_lists_screen_the_real_sdn():
    bundled = exportctl.load_lists(ROOT / "lists")
    codes = sorted(i["code"] for i in bundled.info)
    assert codes == ["CSL", "EU", "SDN"]
    sdn = next(i for i in bundled.info if i["code"] == "SDN")
    assert sdn["entries"] == 14466 and sdn["date"] == "2024-03-15"
    assert bundled.screen("Banco Nacional de Cuba")[0]["entry"] == "306"
