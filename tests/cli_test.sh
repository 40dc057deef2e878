#!/usr/bin/env bash
# The CLI contract: commands, exit codes, outputs. Usage: cli_test.sh EXPORTCTL SOURCE_DIR
set -u
bin=$1; src=$2; pack=$src/rules/examples/pack; ex=$src/rules/examples
source "$(dirname "$0")/expect.sh"
expect eval-json 0 '"outcome":"license_required"' -- "$bin" eval --rules "$pack" "$ex/ebola-to-brazil.json"
expect eval-text 0 'license required: BIS CB2' -- "$bin" eval --rules "$pack" --format text "$ex/ebola-to-brazil.json"
expect eval-stdin 0 '"outcome":"prohibited"' -- bash -c "\"$bin\" eval --rules \"$pack\" - < \"$ex/reagents-to-iran.json\""
lic=$ex/licenses
expect licenses-cover 0 '"licenses_used":\[\{"license":"D1234567","authority":"BIS","basis":"CB2"' -- "$bin" eval --no-screening --licenses "$lic/licenses.jsonl" "$lic/nipah-isolate-to-brazil-under-license.json"
expect licenses-do-not-cover 0 '"covers":false,"reasons":\["expired on 2027-01-14","quantity 600 mL exceeds the 500 mL remaining"\]' -- "$bin" eval --no-screening --licenses "$lic/licenses.jsonl" "$lic/nipah-isolate-license-expired.json"
expect licenses-malformed 2 'license_|bad.jsonl:1: \$\.colour' -- bash -c "printf '%s\n' '{\"id\":\"a\",\"authority\":\"BIS\",\"valid_from\":\"2026-01-01\",\"valid_to\":\"2026-12-31\",\"colour\":1}' > \"\${TMPDIR:-/tmp}/bad.jsonl\" && \"$bin\" eval --no-screening --licenses \"\${TMPDIR:-/tmp}/bad.jsonl\" \"$lic/nipah-isolate-to-brazil-under-license.json\""
expect licenses-missing-file 2 'cannot be read' -- "$bin" eval --no-screening --licenses /nonexistent.jsonl "$lic/nipah-isolate-to-brazil-under-license.json"
expect licenses-depletion-in-input-order 0 '"request":"B3","outcome":"license_required".*quantity 200 mL exceeds the 100 mL remaining' -- bash -c "\"$bin\" eval --no-screening --batch --threads 2 --licenses \"$lic/licenses.jsonl\" \"$lic/book.jsonl\" | tr '\n' ' '"
expect licenses-depletion-same-with-1-and-2-threads 0 '^same$' -- bash -c "a=\$(\"$bin\" eval --no-screening --batch --threads 1 --licenses \"$lic/licenses.jsonl\" \"$lic/book.jsonl\"); b=\$(\"$bin\" eval --no-screening --batch --threads 2 --licenses \"$lic/licenses.jsonl\" \"$lic/book.jsonl\"); [ \"\$a\" = \"\$b\" ] && echo same"
# Lines the book affects (capped licenses, drawn in order) among lines it does not, split
# between workers: the same decisions and the same ledger with 1, 2 and 3 threads.
expect licenses-draws-among-other-lines-any-threads 0 '^same 250$' -- bash -c "d=\$(mktemp -d); p=\$(tr -d '\n' < \"$ex/plasma-to-germany.json\"); b=\$(sed -n 1p \"$lic/book.jsonl\" | sed 's/\"quantity\": 200/\"quantity\": 2/'); for i in \$(seq 300); do echo \"\$b\" | sed \"s/\\\"B1\\\"/\\\"M\$i\\\"/\"; echo \"\$p\"; done > \$d/mix.jsonl; for t in 1 2 3; do \"$bin\" eval --no-screening --batch --threads \$t --licenses \"$lic/licenses.jsonl\" --ledger \$d/l\$t \$d/mix.jsonl > \$d/o\$t; done; cmp -s \$d/o1 \$d/o2 && cmp -s \$d/o1 \$d/o3 && cmp -s \$d/l1 \$d/l2 && cmp -s \$d/l1 \$d/l3 && grep -q 'exceeds the 0 mL remaining' \$d/o1 && echo same \$(wc -l < \$d/l1); rm -rf \$d"
expect licenses-ledger-across-runs 0 '"remaining":\{"quantity":98,"unit":"mL"\}' -- bash -c "l=\"\${TMPDIR:-/tmp}/exportctl_cli_ledger.jsonl\"; rm -f \"\$l\"; \"$bin\" eval --no-screening --batch --licenses \"$lic/licenses.jsonl\" --ledger \"\$l\" \"$lic/book.jsonl\" >/dev/null && \"$bin\" eval --no-screening --licenses \"$lic/licenses.jsonl\" --ledger \"\$l\" \"$lic/nipah-isolate-to-brazil-under-license.json\""
expect licenses-torn-ledger 2 'torn line' -- bash -c "l=\"\${TMPDIR:-/tmp}/exportctl_cli_torn.jsonl\"; printf '%s' '{\"license\":\"D1234567\",\"request\":\"X\",\"date\":\"2026-06-01\",\"quantity\":1,\"unit\":\"mL\"}' > \"\$l\"; \"$bin\" eval --no-screening --licenses \"$lic/licenses.jsonl\" --ledger \"\$l\" \"$lic/nipah-isolate-to-brazil-under-license.json\""
expect ledger-needs-licenses 2 'needs --licenses' -- "$bin" eval --no-screening --ledger /tmp/x.jsonl "$lic/nipah-isolate-to-brazil-under-license.json"
expect licenses-status 0 'OFAC-CU-2026-117 \(OFAC\): expiring, 2026-06-01 to 2026-11-30 \(29 days left\)' -- "$bin" licenses --licenses "$lic/licenses.jsonl" --as-of 2026-11-01
expect licenses-book-alert 3 '"request":"B3","license":"D1234567","alert":"exhausted"' -- "$bin" licenses --licenses "$lic/licenses.jsonl" --as-of 2026-11-01 --book "$lic/book.jsonl" --format json --fail-on-alert
expect licenses-expired-by-date 0 'ALERT L9: license D1234567 expired: the license ends on 2027-01-14' -- bash -c "printf '%s\n' '{\"id\":\"L9\",\"date\":\"2027-02-01\",\"route\":[\"US\",\"BR\"],\"licenses\":[\"D1234567\"],\"materials\":[{\"id\":\"m\"}]}' > \"\${TMPDIR:-/tmp}/exportctl_cli_plan.jsonl\" && \"$bin\" licenses --licenses \"$lic/licenses.jsonl\" --as-of 2026-11-01 --book \"\${TMPDIR:-/tmp}/exportctl_cli_plan.jsonl\""
expect licenses-ledger-balance 0 'used 2 of 500 mL, 498 mL remaining' -- bash -c "l=\"\${TMPDIR:-/tmp}/exportctl_cli_bal.jsonl\"; printf '%s\n' '{\"license\":\"D1234567\",\"request\":\"X\",\"date\":\"2026-06-01\",\"quantity\":2,\"unit\":\"mL\"}' > \"\$l\"; \"$bin\" licenses --licenses \"$lic/licenses.jsonl\" --ledger \"\$l\" --as-of 2026-11-01"
expect fail-on 3 '"outcome":"prohibited"' -- "$bin" eval --rules "$pack" --fail-on review "$ex/reagents-to-iran.json"
expect fail-on-below 0 'permitted_with_conditions' -- "$bin" eval --rules "$pack" --fail-on license_required "$ex/plasma-to-germany.json"
expect as-of 0 '"as_of":"2020-01-01"' -- "$bin" eval --rules "$pack" --as-of 2020-01-01 "$ex/ebola-to-brazil.json"
expect explain 0 'FIRED +examples.export.cb2_license' -- "$bin" eval --rules "$pack" --explain --format text "$ex/ebola-to-brazil.json"
expect bad-request 2 'invalid_type.*materials\[0\]\.quantity' -- bash -c "echo '{\"id\":\"a\",\"date\":\"2026-11-25\",\"route\":[\"US\",\"DE\"],\"materials\":[{\"id\":\"m\",\"quantity\":\"x\"}]}' | \"$bin\" eval --rules \"$pack\" -"
expect batch 0 '"request":"b".*' -- bash -c "printf '%s\n' \"\$(tr -d '\n' < $ex/plasma-to-germany.json)\" 'not json' '{\"id\":\"b\",\"date\":\"2026-11-25\",\"route\":[\"US\",\"IR\"],\"materials\":[{\"id\":\"m\"}]}' | \"$bin\" eval --batch --rules \"$pack\" -"
expect batch-bad-line-fails-closed 3 'line 2: .*invalid_json|"code":"invalid_json"' -- bash -c "printf '%s\n' 'not json' | \"$bin\" eval --batch --fail-on review --rules \"$pack\" -"
# Batch over several 1 MiB blocks, with no final newline: every line decided once, in
# order, whatever the number of threads.
big=$(mktemp); trap 'rm -f "$big"' EXIT
line=$(tr -d '\n' < "$ex/plasma-to-germany.json")
for i in $(seq 1 12000); do echo "${line/\"SHP-1\"/\"B$i\"}"; done | head -c -1 > "$big"
expect batch-blocks 0 '^12000 12000 same$' -- bash -c "a=\$(\"$bin\" eval --batch --threads 1 --rules \"$pack\" \"$big\" | md5sum); b=\$(\"$bin\" eval --batch --threads 3 --rules \"$pack\" \"$big\" | md5sum); n=\$(\"$bin\" eval --batch --rules \"$pack\" \"$big\" | grep -c '\"request\":\"B'); last=\$(\"$bin\" eval --batch --rules \"$pack\" \"$big\" | tail -1 | grep -o '\"request\":\"B[0-9]*\"'); [ \"\$last\" = '\"request\":\"B12000\"' ] && echo \$n 12000 \$( [ \"\$a\" = \"\$b\" ] && echo same)"
expect bad-threads 2 'threads' -- "$bin" eval --batch --threads 0 "$ex/ebola-to-brazil.json"
expect eval-many 0 '"request":"SHP-2".*"request":"SHP-1"' -- bash -c "\"$bin\" eval --rules \"$pack\" \"$ex/ebola-to-brazil.json\" \"$ex/plasma-to-germany.json\" | tr -d '\n'"
expect eval-many-stdin 2 'cannot be combined' -- "$bin" eval "$ex/ebola-to-brazil.json" -
expect coverage 0 '^coverage: [0-9]+ of 8 rules fired' -- bash -c "\"$bin\" eval --coverage --rules \"$pack\" \"$ex\"/*.json 2>&1 >/dev/null"
expect coverage-batch 0 'NEVER examples.transport.category_a' -- bash -c "tr -d '\n' < \"$ex/plasma-to-germany.json\" | \"$bin\" eval --batch --threads 2 --coverage --rules \"$pack\" - 2>&1 >/dev/null"
expect coverage-explain 2 'separately' -- "$bin" eval --coverage --explain "$ex/ebola-to-brazil.json"
expect test-standard 0 '^[0-9]+ passed, 0 failed$' -- bash -c "cd \"$src\" && \"$bin\" test"
expect test-failing 1 'FAIL golden.checktests|FAIL t.wrong|expected review, got permitted' -- bash -c "printf '%s\n' 'package t' 'test wrong { request {\"id\": \"T\", \"date\": \"2026-11-25\", \"route\": [\"US\", \"DE\"], \"materials\": [{\"id\": \"m\"}]} expect review }' > \"\${TMPDIR:-/tmp}/exportctl_cli_test.ecr\" && \"$bin\" test --rules \"\${TMPDIR:-/tmp}/exportctl_cli_test.ecr\""
expect test-none 1 'no test blocks' -- "$bin" test --rules "$pack"
expect check-ok 0 '^ok: 8 rules' -- "$bin" check --rules "$pack"
expect check-errors 1 'error\[unknown_attribute\]' -- "$bin" check --rules "$src/tests/golden/check/unknown_attribute.ecr"
expect graph 0 'digraph' -- "$bin" graph --rules "$pack"
# The same exit codes from every command that loads rules: 1 when they do not compile, 2 when
# the path cannot be read.
bad_rules=$src/tests/golden/check/unknown_attribute.ecr
for cmd in eval graph test check; do
  args=(); [ "$cmd" = eval ] && args=("$ex/ebola-to-brazil.json")
  expect "bad-rules-$cmd" 1 'error\[unknown_attribute\]' -- "$bin" $cmd --rules "$bad_rules" "${args[@]}"
  expect "missing-rules-$cmd" 2 'no such file' -- "$bin" $cmd --rules "$src/no/such/rules" "${args[@]}"
done
expect usage 2 'usage:' -- "$bin" frobnicate
expect bad-option 2 'unknown option' -- "$bin" eval --nope x.json
expect missing-rules 2 'no such file' -- "$bin" eval --rules /nonexistent "$ex/ebola-to-brazil.json"
expect bad-outcome 2 'unknown outcome' -- "$bin" eval --fail-on maybe "$ex/ebola-to-brazil.json"
# With no --rules: the standard packs (rules/ but examples/), sources named from the cwd.
expect default-rules 0 '"rule":"ear.ccl.chart_column","outcome":"license_required"[^}]*"leg":"destination","country":"BR"' -- "$bin" eval "$ex/ebola-to-brazil.json"
expect default-rules-source 0 'at rules/ear/ccl.ecr:[0-9]+:1' -- bash -c "cd \"$src\" && \"$bin\" eval --format text rules/examples/isolate-through-dubai.json"
expect default-rules-check 0 '^ok: [0-9]+ rules' -- "$bin" check
expect env-rules 0 '"rule":"examples.export.cb2_license"' -- env EXPORTCTL_RULES="$pack" "$bin" eval "$ex/ebola-to-brazil.json"
# Screening: `screen`, `lists`, and `eval` with --lists / --no-screening / the bundled lists.
tl=$src/tests/data/screening/language-lists.json
expect screen-text 0 '^  [0-9]+  EL T-EL-1  Harbin Vector Bioreagents Institute$' -- "$bin" screen --format text --lists "$tl" "Harbin Vector Bioreagents Institute"
expect screen-json 0 '^\{"name":"HVBI","matches":\[\{"list":"EL","entry":"T-EL-1",.*"alias":"HVBI","score":[0-9]+' -- "$bin" screen --format json --lists "$tl" HVBI
expect screen-names 0 '^a b: no match$' -- "$bin" screen --lists "$tl" "a b" "Qasr Trading Company"
expect screen-default-text 0 '^Qasr Trading Company: 1 match$' -- "$bin" screen --lists "$tl" "Qasr Trading Company"
expect screen-stdin 0 '"name":"Qasr Trading Company","matches":\[\{"list":"SDN"' -- bash -c "printf 'HVBI\r\n\nQasr Trading Company\n' | \"$bin\" screen --format json --lists \"$tl\" - | sed -n 2p"
expect screen-no-match 0 '^\{"name":"Karolinska University Hospital","matches":\[\]\}$' -- "$bin" screen --format json --lists "$tl" "Karolinska University Hospital"
expect screen-threshold 0 '"matches":\[\]' -- "$bin" screen --format json --lists "$tl" --threshold 100 "Harbin Vectr Bioreagent Institute"
expect screen-low-threshold 0 '"entry":"T-EL-1"' -- "$bin" screen --format json --lists "$tl" --threshold 40 "Harbin Bioreagents"
expect screen-country 0 '"score"' -- "$bin" screen --format json --lists "$tl" --country CN HVBI
expect screen-two-lists 0 'T-SDN-1' -- "$bin" screen --lists "$tl" "$src/lists/csl-examples.json" "Qasr Trading Company"
expect screen-bundled 0 '"list":"SDN","entry":"306"' -- "$bin" screen --format json "Banco Nacional de Cuba"
expect screen-env 0 'EL T-EL-1' -- env EXPORTCTL_LISTS="$tl" "$bin" screen HVBI
expect screen-no-names 2 'screen needs names' -- "$bin" screen --lists "$tl"
expect screen-bad-threshold 2 'threshold is 0 to 100' -- "$bin" screen --lists "$tl" --threshold 101 x
expect screen-bad-country 2 'alpha-2' -- "$bin" screen --lists "$tl" --country Germany x
expect screen-missing-list 2 'error\[list_unreadable\]' -- "$bin" screen --lists "$src/no/such/list.csv" x
expect screen-bad-list 2 'error\[list_unknown_format\]|error\[list_malformed\]' -- "$bin" screen --lists "$src/tests/cli_test.sh" x
expect lists-text 0 '^CSL	2026-11-01	3 entries	2 aliases	sha256:[0-9a-f]{64}	' -- "$bin" lists --format text --lists "$tl@2026-11-01"
expect lists-json 0 '^\{"code":"CSL","date":"","digest":"sha256:[0-9a-f]{64}",.*"entries":3,"aliases":2\}$' -- "$bin" lists --format json --lists "$tl"
expect lists-bundled 0 '^SDN	2024-03-15	14466 entries	3532 aliases	sha256:' -- "$bin" lists
expect lists-bad-date 2 'list_invalid_date' -- "$bin" lists --lists "$tl@2026-13-45"
expect eval-lists 0 '"screening":\[\{"party":"end_user","name":"HVBI","list":"EL","entry":"T-EL-1"' -- bash -c "echo '{\"id\":\"s\",\"date\":\"2026-11-25\",\"route\":[\"US\",\"CN\"],\"exporter\":{\"name\":\"Acme Clinical Labs\",\"country\":\"US\"},\"end_user\":{\"name\":\"HVBI\",\"country\":\"CN\"},\"materials\":[{\"id\":\"m\",\"eccn\":\"EAR99\"}]}' | \"$bin\" eval --rules \"$src/rules/screening\" --lists \"$tl\" -"
expect eval-lists-policy 0 '"policy":\{[^}]*"screening":"on","lists":\[.*\{"code":"SDN","date":"2024-03-15","digest":"sha256:' -- "$bin" eval "$ex/ebola-to-brazil.json"
expect eval-no-screening 0 '"screening":"off","lists":\[\]' -- "$bin" eval --no-screening "$ex/ebola-to-brazil.json"
expect eval-env-lists-missing 2 'error\[list_unreadable\]' -- env EXPORTCTL_LISTS="$src/no/such" "$bin" eval "$ex/ebola-to-brazil.json"
expect eval-lists-repeated 0 '"lists":\[\{"code":"CSL","date":"2026-11-01".*\{"code":"SDN"' -- "$bin" eval --lists "$tl@2026-11-01" --lists "$src/lists/ofac-sdn-2024-03-15.csv" "$ex/ebola-to-brazil.json"
expect eval-lists-and-no-screening 2 'separately' -- "$bin" eval --lists "$tl" --no-screening "$ex/ebola-to-brazil.json"
expect screen-name-like-a-path 0 '^rules: ' -- bash -c "cd \"$src\" && \"$bin\" screen --lists \"$tl\" rules"
expect lists-no-screening 2 'needs lists' -- "$bin" lists --no-screening
expect eval-threshold 2 'options of screen' -- "$bin" eval --threshold 90 "$ex/ebola-to-brazil.json"
expect eval-country 2 'options of screen' -- "$bin" eval --country DE "$ex/ebola-to-brazil.json"
expect check-lists 2 'option of eval' -- "$bin" check --lists "$tl"
expect empty-list 2 'error\[list_empty\]' -- bash -c "f=\$(mktemp --suffix=.json); echo '{\"results\": []}' > \$f; \"$bin\" screen --lists \$f x; r=\$?; rm -f \$f; exit \$r"
expect eval-bad-lists 2 'error\[list_unreadable\]' -- "$bin" eval --lists "$src/no/such/list.csv" "$ex/ebola-to-brazil.json"
# A batch line at kMaxBatchLineBytes (16 MiB) is read (and refused as a request over 1 MiB); one
# byte more is not buffered: a too_large decision, and the next line is decided.
expect batch-line-at-limit 0 'request is 16777216 bytes; the limit is 1048576.*"request":"after"' -- bash -c "f=\$(mktemp); /usr/bin/python3 -c 'import sys; sys.stdout.write(\"{\\\"id\\\": \\\"x\\\", \\\"pad\\\": \\\"\" + \"a\" * (16777216 - 22) + \"\\\"}\\n\")' > \$f; tr -d '\\n' < \"$ex/ebola-to-brazil.json\" | sed 's/\"SHP-2\"/\"after\"/' >> \$f; echo >> \$f; \"$bin\" eval --batch --rules \"$pack\" \$f | tr '\\n' ' '; rm -f \$f"
expect batch-line-past-limit 0 'longer than 16777216 bytes.*"request":"after"' -- bash -c "f=\$(mktemp); /usr/bin/python3 -c 'import sys; sys.stdout.write(\"{\\\"id\\\": \\\"x\\\", \\\"pad\\\": \\\"\" + \"a\" * (16777216 - 21) + \"\\\"}\\n\")' > \$f; tr -d '\\n' < \"$ex/ebola-to-brazil.json\" | sed 's/\"SHP-2\"/\"after\"/' >> \$f; echo >> \$f; \"$bin\" eval --batch --rules \"$pack\" \$f | tr '\\n' ' '; rm -f \$f"
finish
