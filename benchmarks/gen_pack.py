#!/usr/bin/python3
"""Writes the generated pack of benchmarks/eval_benchmark.cc (GeneratedPack) with N rules.

    /usr/bin/python3 benchmarks/gen_pack.py 10000 > pack.ecr
"""
import sys

DEST = ["BR", "CN", "IN", "ZA", "EG", "SA", "AE", "PK"]
n = int(sys.argv[1])
print("package gen\nset embargoed = {CU, IR, KP, SY}")
print('rule embargo { cite "c" when any(c in route: c in embargoed) then prohibited }')
for i in range(n):
    dest, eccn = ("BR", "8") if i < 1 else (DEST[1 + i % 7], str(i))
    print(f'rule r{i} {{ cite "c" for each material m when route.destination == "{dest}" and '
          f'm.eccn matches "9X{eccn}*" and m.quantity < {i + 1} then license_required '
          f'authority "BIS" basis "CB2" }}')
