"""The whole-decision golden files (tests/golden/decisions), through the bindings: every example
shipment decided by the standard packs gives exactly the decision the C++ test keeps."""
import json
import os
import pathlib

import pytest

import exportctl

ROOT = pathlib.Path(os.environ.get("EXPORTCTL_SOURCE_DIR", pathlib.Path(__file__).parents[3]))
GOLDEN = ROOT / "tests" / "golden" / "decisions"
EXAMPLES = sorted((ROOT / "rules" / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def policy():
    packs = sorted(p for p in (ROOT / "rules").iterdir() if p.is_dir() and p.name != "examples")
    return exportctl.compile(*packs)


@pytest.fixture(scope="module")
def lists():
    return exportctl.load_lists(ROOT / "lists")


def test_every_example_has_a_golden_decision():
    assert len(EXAMPLES) >= 73
    assert sorted(p.name for p in GOLDEN.glob("*.json")) == sorted(p.name for p in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_decision_matches_golden(policy, lists, example):
    decision = policy.evaluate(example.read_text(), lists=lists)
    decision["policy"]["digest"] = "sha256:<policy>"
    prefix = str(ROOT) + "/"
    for reason in decision["reasons"]:
        if reason["source"].startswith(prefix):
            reason["source"] = reason["source"][len(prefix):]
    assert decision == json.loads((GOLDEN / example.name).read_text())
