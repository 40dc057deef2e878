# The shell tests' one assertion, sourced by cli_test.sh and audit_cli_test.sh:
#   expect NAME WANT_EXIT GREP_PATTERN -- command...
# runs the command and passes when it exits WANT_EXIT and its output (stdout and stderr) matches
# the extended regular expression; `finish` prints the count and fails when any did.
pass=0; fail=0
expect() {
  local name=$1 want=$2 pattern=$3; shift 4
  local out; out=$("$@" 2>&1); local got=$?
  if [ "$got" = "$want" ] && grep -qE -- "$pattern" <<<"$out"; then pass=$((pass+1))
  else fail=$((fail+1)); echo "FAIL $name: exit $got (want $want), output:"; echo "$out" | head -20; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}
