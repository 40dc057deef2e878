"""License repositories through the bindings: loading, meeting a requirement, every reason a
license does not cover, errors with codes, pickling for Dask workers."""
import json
import os
import pathlib
import pickle

import pytest

import exportctl

ROOT = pathlib.Path(os.environ.get("EXPORTCTL_SOURCE_DIR", pathlib.Path(__file__).parents[3]))
LICENSES = ROOT / "rules" / "examples" / "licenses"

RULES = {"lic.ecr": """package lic
rule cb2 {
  cite "x"
  for each material m
  when m.eccn? matches "1C351*"
  then license_required authority "BIS" basis "CB2"
}
"""}


@pytest.fixture(scope="module")
def policy():
    return exportctl.compile_sources(RULES)


@pytest.fixture(scope="module")
def licenses():
    return exportctl.load_licenses(LICENSES / "licenses.jsonl")


def shipment(name):
    return json.loads((LICENSES / name).read_text())


def test_a_named_license_meets_the_requirement(policy, licenses):
    assert "D1234567" in licenses.ids
    d = policy.evaluate(shipment("nipah-isolate-to-brazil-under-license.json"), licenses=licenses)
    assert d["outcome"] == "permitted_with_conditions"
    assert d["licenses_used"][0]["license"] == "D1234567"
    assert d["licenses_used"][0]["remaining"] == {"quantity": 498, "unit": "mL"}
    outcome, _, _ = policy.decide(shipment("nipah-isolate-to-brazil-under-license.json"),
                                  licenses=licenses)
    assert outcome == "permitted_with_conditions"
    # Without the repository the decision is unchanged and has no license keys.
    plain = policy.evaluate(shipment("nipah-isolate-to-brazil-under-license.json"))
    assert plain["outcome"] == "license_required"
    assert "license_checks" not in plain


def test_every_reason_a_license_does_not_cover(policy, licenses):
    d = policy.evaluate(shipment("nipah-isolate-license-expired.json"), licenses=licenses)
    assert d["outcome"] == "license_required"
    assert d["license_checks"][0]["reasons"] == [
        "expired on 2027-01-14", "quantity 600 mL exceeds the 500 mL remaining"]


def test_malformed_repository_and_pickling(tmp_path, licenses):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "authority": "BIS", "valid_from": "2026-01-01", '
                   '"valid_to": "2025-01-01"}\n')
    with pytest.raises(exportctl.LicenseError) as e:
        exportctl.load_licenses(bad)
    assert e.value.code == "license_invalid_value"
    assert "bad.jsonl:1: $.valid_to" in e.value.message
    again = pickle.loads(pickle.dumps(licenses))
    assert again.ids == licenses.ids
