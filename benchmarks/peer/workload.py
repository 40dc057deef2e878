#!/usr/bin/python3
"""The peer workload (../shared/bench/gen-requests.js) in Python, so the benchmark needs no node.

    /usr/bin/python3 benchmarks/peer/workload.py OUTDIR

writes OUTDIR/requests.jsonl (100,000 lines, md5 a3874e20e06396ea1a38e01c5f183e4b, the same
bytes as the JavaScript generator), OUTDIR/shipments.jsonl (each line as an exportctl request:
route [US, destination], one material with eccn = classification, end_user.name = end_user)
OUTDIR/policy.ecr (the peer policy in the exportctl language, its sets as reference data),
OUTDIR/denied.txt (the denied names, one a line, for the plain C++ floor), and for issue 13's
license benchmark OUTDIR/licenses.jsonl (1,000 licenses: authorities, items, destinations, end
users, windows and caps drawn like a sponsor's repository) and OUTDIR/shipments-named.jsonl (the
shipments, each naming one of those licenses).
"""

import hashlib
import json
import pathlib
import sys

SEED, N = 20241124, 100000
MD5 = "a3874e20e06396ea1a38e01c5f183e4b"
M32 = 0xFFFFFFFF


def imul(a, b):
    r = (a * b) & M32
    return r


class Mulberry32:
    def __init__(self, seed):
        self.a = seed & M32

    def __call__(self):
        self.a = (self.a + 0x6D2B79F5) & M32
        a = self.a
        t = imul(a ^ (a >> 15), 1 | a)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & M32) ^ t
        return ((t ^ (t >> 14)) & M32) / 4294967296


CLASSIFICATIONS = ["1C351", "1C352", "1C353", "1C354", "1C350", "1C450", "1C991", "2B350",
                   "0A501", "EAR99"]
CONTROLLED = ["1C351", "1C352", "1C353", "1C354"]
EMBARGO = ["CU", "IR", "KP", "SY"]
AG = ["AR", "AU", "AT", "BE", "BG", "CA", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR",
      "HU", "IS", "IN", "IE", "IT", "JP", "LV", "LT", "LU", "MT", "MX", "NL", "NZ", "NO", "PL",
      "PT", "KR", "RO", "SK", "SI", "ES", "SE", "CH", "TR", "UA", "GB", "US"]
DESTINATIONS = ["US", "GB", "DE", "FR", "JP", "KR", "CA", "AU", "NL", "SE", "CH", "IT", "ES", "PL",
                "IN", "MX", "AR", "TR", "UA", "NZ", "CN", "RU", "BR", "ZA", "EG", "SA", "AE", "PK",
                "IL", "SG", "MY", "TH", "VN", "ID", "NG", "KZ", "CU", "IR", "KP", "SY"]
END_USES = ["academic research", "pharmaceutical manufacturing", "water treatment",
            "agricultural pesticide production", "laboratory reagent", "vaccine development",
            "industrial cleaning", "resale/distribution"]
SYL = ["al", "ba", "cor", "dan", "el", "fa", "gor", "ha", "in", "jan", "ka", "lo", "mar", "nu",
       "or", "pel", "qua", "ra", "sin", "tor", "ul", "vel", "wa", "xi", "yor", "zen", "mü", "ñe",
       "ø"]
SUFFIX = ["Trading Co.", "Industries", "LLC", "Scientific", "Chemical Works", "Import & Export",
          "GmbH", "Ltd", "Laboratories", "Brothers' Supply", "Holding", "Pharma", "S.A.",
          "Research Institute"]


def generate():
    rnd = Mulberry32(SEED)
    pick = lambda arr: arr[int(rnd() * len(arr))]

    def name():
        w = "".join(pick(SYL) for _ in range(2 + int(rnd() * 3)))
        w = w[0].upper() + w[1:]
        w2 = ""
        if rnd() < 0.5:
            w2 = "".join(pick(SYL) for _ in range(2))
            w2 = " " + w2[0].upper() + w2[1:]
        return f"{w}{w2} {pick(SUFFIX)}"

    denied = {}
    while len(denied) < 1000:
        denied.setdefault(name(), None)
    clean = {}
    while len(clean) < 5000:
        n = name()
        if n not in denied:
            clean.setdefault(n, None)
    denied, clean = list(denied), list(clean)
    lines = []
    for i in range(N):
        req = {"id": i, "classification": pick(CLASSIFICATIONS), "destination": pick(DESTINATIONS)}
        req["end_user"] = pick(denied) if rnd() < 0.03 else pick(clean)
        req["end_use"] = pick(END_USES)
        lines.append(req)
    return lines, denied, clean


def licenses(clean):
    """1,000 license records, deterministic (their own Mulberry32 stream)."""
    rnd = Mulberry32(SEED + 13)
    pick = lambda arr: arr[int(rnd() * len(arr))]
    outside = [d for d in DESTINATIONS if d not in AG and d not in EMBARGO]
    out = []
    for i in range(1000):
        u = rnd()
        rec = {"id": f"L{i}", "authority": "BIS" if u < 0.8 else "OFAC" if u < 0.9 else "DE-BAFA",
               "basis": ["CB2"],
               "items": sorted({pick(["1C351*", "1C352", "1C353", "1C354", "1C35*"])
                                for _ in range(1 + int(rnd() * 2))}),
               "destinations": sorted({pick(outside) for _ in range(1 + int(rnd() * 3))})}
        if rnd() < 0.4:
            rec["end_users"] = sorted({pick(clean) for _ in range(1 + int(rnd() * 3))})
        start = 2024 + int(rnd() * 3)
        rec["valid_from"] = f"{start}-{1 + int(rnd() * 12):02d}-01"
        rec["valid_to"] = f"{start + 1 + int(rnd() * 2)}-{1 + int(rnd() * 12):02d}-28"
        if rnd() < 0.1:
            rec["quantity"] = {"limit": 500, "unit": "mL"}
        rec["reexport"] = rnd() < 0.3
        rec["conditions"] = ["report each shipment within 30 days"]
        out.append(rec)
    return out


def quote(s):
    return json.dumps(s, ensure_ascii=False)


def policy(denied):
    return "\n".join([
        "# The peer benchmark's policy (../shared/bench/README.md), written in the exportctl language.",
        "# GENERATED by benchmarks/peer/workload.py; the sets are the workload's reference data.",
        "package peer",
        "",
        f"set embargo = {{{', '.join(EMBARGO)}}}",
        f"set australia_group = {{{', '.join(AG)}}}",
        f"set controlled = {{{', '.join(CONTROLLED)}}}",
        "set denied_users = {",
        *[f"  {quote(n)}," for n in denied],
        "}",
        "",
        "rule embargo_destination {",
        '  title "Embargoed destination"',
        '  cite "peer policy rule 1"',
        "  when route.destination in embargo",
        "  then prohibited",
        "}",
        "",
        "rule denied_end_user {",
        '  title "Denied end user"',
        '  cite "peer policy rule 2"',
        "  when end_user.name is known and end_user.name in denied_users",
        "  then prohibited",
        "}",
        "",
        "rule controlled_to_non_ag {",
        '  title "Controlled classification outside the Australia Group"',
        '  cite "peer policy rule 3"',
        "  for each material m",
        "  when m.eccn in controlled and route.destination not in australia_group",
        '  then license_required authority "BIS" basis "CB2"',
        "}",
        "",
    ])


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    lines, denied, clean = generate()
    raw = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in lines)
    digest = hashlib.md5(raw.encode()).hexdigest()
    if digest != MD5:
        sys.exit(f"requests.jsonl md5 {digest} != {MD5}: the port drifted from gen-requests.js")
    (out / "requests.jsonl").write_text(raw, encoding="utf-8")
    for name, named in (("shipments.jsonl", False), ("shipments-named.jsonl", True)):
        with open(out / name, "w", encoding="utf-8") as f:
            for r in lines:
                ship = {"id": str(r["id"]), "date": "2026-11-25", "route": ["US", r["destination"]],
                        "end_user": {"name": r["end_user"], "end_use": r["end_use"]},
                        "materials": [{"id": "m1", "eccn": r["classification"]}]}
                if named:
                    ship["licenses"] = [f"L{r['id'] % 1000}"]
                f.write(json.dumps(ship, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(out / "licenses.jsonl", "w", encoding="utf-8") as f:
        for rec in licenses(clean):
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    (out / "policy.ecr").write_text(policy(denied), encoding="utf-8")
    (out / "denied.txt").write_text("".join(n + "\n" for n in denied), encoding="utf-8")


if __name__ == "__main__":
    main()
