#!/usr/bin/env bash
# The audit log through the CLI: eval --audit-log, audit verify, audit show, and a writer killed
# with SIGKILL mid-batch. Usage: audit_cli_test.sh EXPORTCTL SOURCE_DIR
set -u
bin=$1; src=$2; pack=$src/rules/examples/pack; ex=$src/rules/examples
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/expect.sh"
log=$work/a.jsonl
one=$(tr -d '\n' < "$ex/ebola-to-brazil.json")
for i in $(seq 50); do echo "${one/\"SHP-2\"/\"B$i\"}"; done > "$work/fifty.jsonl"
echo 'not json' >> "$work/fifty.jsonl"

expect single-appends 0 '"outcome":"license_required"' -- "$bin" eval --no-screening --rules "$pack" --audit-log "$log" "$ex/ebola-to-brazil.json"
expect batch-appends 0 '"request":"B50"' -- "$bin" eval --no-screening --rules "$pack" --batch --threads 2 --audit-log "$log" "$work/fifty.jsonl"
expect verify-ok 0 '^.*: ok, 52 records, head sha256:[0-9a-f]{64}$' -- "$bin" audit verify "$log"
expect verify-says-cut-ends-unseen 0 'keep the head elsewhere' -- "$bin" audit verify "$log"
head=$("$bin" audit verify "$log" | sed -n 's/.*, head //p')
expect verify-expect-head 0 'ok, 52 records' -- "$bin" audit verify "$log" --expect-head "$head"
expect show-request 0 '"request":\{"id":"B7".*"seq":8,' -- "$bin" audit show "$log" --request B7
expect show-invalid-line-recorded 0 '"request":null,"input_sha256":"sha256:' -- bash -c "tail -1 \"$log\""
# Decisions in input order whatever the threads: record k+1 is line k of the input.
expect batch-in-input-order 0 '^ok$' -- bash -c "for i in 1 25 50; do \"$bin\" audit show \"$log\" --request B\$i | grep -q \"\\\"seq\\\":\$((i+1)),\" || exit 1; done; echo ok"

cp "$log" "$work/edited.jsonl"; sed -i '5s/"B3"/"B9"/' "$work/edited.jsonl"
expect verify-edited 1 'error\[audit_edited\]: line 5:' -- "$bin" audit verify "$work/edited.jsonl"
sed '7d' "$log" > "$work/deleted.jsonl"
expect verify-deleted 1 'error\[audit_deleted\]: line 7:' -- "$bin" audit verify "$work/deleted.jsonl"
sed '1,5!d' "$log" > "$work/cut.jsonl"
expect verify-cut-with-head 1 'error\[audit_head_mismatch\]' -- "$bin" audit verify "$work/cut.jsonl" --expect-head "$head"
expect append-to-edited-refused 0 'error\[audit_invalid\]' -- bash -c "sed -i '\$s/\"outcome\":\"review\"/\"outcome\":\"permitted\"/' \"$work/edited.jsonl\"; \"$bin\" eval --no-screening --rules \"$pack\" --audit-log \"$work/edited.jsonl\" \"$ex/ebola-to-brazil.json\"; [ \$? = 2 ]"
expect verify-missing 2 'audit_unreadable' -- "$bin" audit verify "$work/no-such.jsonl"
expect audit-usage 2 'audit verify FILE' -- "$bin" audit check "$log"
expect show-needs-request 2 'needs --request' -- "$bin" audit show "$log"
expect audit-log-only-eval 2 'option of eval' -- "$bin" check --audit-log "$log"

# A real writer killed with SIGKILL mid-batch: the log verifies (or ends in a torn line, which
# verify names), the next writer moves any torn tail aside and continues the chain.
for _ in $(seq 40); do cat "$work/fifty.jsonl"; done > "$work/2k.jsonl"
for _ in $(seq 50); do cat "$work/2k.jsonl"; done > "$work/big.jsonl"   # 102,000 lines
killed=$work/killed.jsonl
"$bin" eval --no-screening --rules "$pack" --batch --threads 2 --audit-log "$killed" "$work/big.jsonl" > /dev/null &
writer=$!
for _ in $(seq 200); do   # up to 20 s for the first blocks to land
  [ -s "$killed" ] && [ "$(stat -c %s "$killed")" -gt 2000000 ] && break
  sleep 0.1
done
kill -9 "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
killed_ok=$( { kill -0 "$writer" 2>/dev/null && echo alive; } || echo dead)
expect killed-writer-is-dead 0 '^dead$' -- echo "$killed_ok"
expect killed-log-mid-batch 0 '^yes$' -- bash -c "n=\$(wc -l < \"$killed\"); [ \$n -gt 100 ] && [ \$n -lt 102001 ] && echo yes"
expect killed-log-verifies-or-is-torn 0 'ok, [0-9]+ records|error\[audit_torn_tail\]' -- bash -c "\"$bin\" audit verify \"$killed\"; true"
before=$(grep -c '' "$killed")  # whole lines and a torn one, if any
whole=$(wc -l < "$killed")
expect killed-log-continues 0 '^[0-9]+ [0-9]+$' -- bash -c "\"$bin\" eval --no-screening --rules \"$pack\" --audit-log \"$killed\" \"$ex/ebola-to-brazil.json\" > /dev/null 2> \"$work/reopen.err\" && echo \$(wc -l < \"$killed\") $((whole + 1)) | awk '\$1 == \$2 { print \$1, \$2 }'"
expect killed-log-verifies-after 0 "ok, $((whole)) records" -- "$bin" audit verify "$killed"
if [ "$before" != "$whole" ]; then
  expect torn-tail-reported 0 'torn.*moved to' -- cat "$work/reopen.err"
  expect torn-tail-kept 0 '^1$' -- bash -c "ls \"$killed\".torn-* | wc -l"
fi
# A torn tail made deterministically: half a line, then the next writer.
cp "$log" "$work/torn.jsonl"; truncate -s -40 "$work/torn.jsonl"
expect verify-torn 1 'error\[audit_torn_tail\]: line 53:' -- "$bin" audit verify "$work/torn.jsonl"
expect reopen-torn 0 'warning: .*torn.*moved to' -- bash -c "\"$bin\" eval --no-screening --rules \"$pack\" --audit-log \"$work/torn.jsonl\" \"$ex/ebola-to-brazil.json\" 2>&1 >/dev/null"
expect verify-after-torn 0 'ok, 52 records' -- "$bin" audit verify "$work/torn.jsonl"

finish
