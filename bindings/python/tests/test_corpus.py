"""The shared JSON corpus (tests/corpus), run through the bindings."""
import json
import os
import pathlib

import pytest

import exportctl

ROOT = pathlib.Path(os.environ.get("EXPORTCTL_SOURCE_DIR", pathlib.Path(__file__).parents[3]))
FILES = sorted((ROOT / "tests" / "corpus").rglob("*.json")) + sorted(
    (ROOT / "rules" / "examples" / "expected").glob("*.json"))


def _policy(doc):
    if "rules_dir" in doc:
        dirs = doc["rules_dir"]
        dirs = [dirs] if isinstance(dirs, str) else dirs
        return exportctl.compile(*[ROOT / d for d in dirs])
    return exportctl.compile_sources(doc["rules"])


def _lists(doc):
    if "lists" not in doc:
        return None
    return exportctl.load_lists(*[f"{ROOT}/{p}" for p in doc["lists"]])


def _cases():
    for path in FILES:
        doc = json.loads(path.read_text())
        for case in doc.get("cases", []):
            yield pytest.param(doc, case, id=f"{path.stem}:{case['name']}")


def test_corpus_is_not_empty():
    assert len(FILES) >= 4


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_diagnostics(path):
    doc = json.loads(path.read_text())
    if "expected_diagnostics" not in doc:
        return
    try:
        policy = _policy(doc)
        got = [f"{d['severity']}:{d['code']}" for d in policy.diagnostics]
    except exportctl.CompileError as e:
        got = [f"{d['severity']}:{d['code']}" for d in e.diagnostics]
    assert got == doc["expected_diagnostics"]


@pytest.mark.parametrize("doc,case", list(_cases()))
def test_case(doc, case):
    policy = _policy(doc)
    if "request" in case:
        request = case["request"]
    elif "request_file" in case:
        request = (ROOT / case["request_file"]).read_text()
    else:
        request = case["request_json"]
    if "expected_request_error" in case:
        with pytest.raises(exportctl.RequestError) as err:
            policy.evaluate(request)
        assert err.value.code == case["expected_request_error"]
        assert err.value.path == case["expected_path"]
        return
    decision = policy.evaluate(request, as_of=case.get("as_of"), lists=_lists(doc),
                               no_screening=case.get("no_screening", False))
    want = case["expected"]
    assert decision["outcome"] == want["outcome"], decision
    if "reasons" in want:
        assert [r["rule"] for r in decision["reasons"]] == want["reasons"]
    if "legs" in want:
        got = [f"{r['rule']} {r['leg']} {r['country']}" for r in decision["reasons"] if "leg" in r]
        assert got == want["legs"]
    if "errors" in want:
        assert [e["code"] for e in decision["errors"]] == want["errors"]
    if "licenses" in want:
        assert [f"{l['authority']} {l['basis']}" for l in decision["licenses_required"]] == want["licenses"]
    if "conditions" in want:
        assert [c["rule"] for c in decision["conditions"]] == want["conditions"]
    if "screening" in want:
        got = [f"{m['party']} {m['list']} {m['entry']}" for m in decision["screening"]]
        assert got == want["screening"]
