#!/usr/bin/env bash
# Model-checks the transition table with spin.
#
#   spin_check.sh GEN WORKDIR pass
#   spin_check.sh GEN WORKDIR fail CORRUPTION PROPERTY
#
# GEN is essl_table_gen. It writes the Promela model (from the table, or from a deliberately corrupted copy)
# into WORKDIR, builds spin's verifier with gcc, searches the whole state space, and collects violations:
#   - an assertion: the trail is replayed and its "VIOLATION <property>" line names the property;
#   - "unreachable": a "reach <role> <state>" statement that spin reports as unreached code;
#   - "dead_end" / "unreachable" from the generator's graph check (connection must stay reachable).
# `pass` succeeds when there is none; `fail` succeeds only when PROPERTY is among them (a corrupted table
# that slipped through would make the test fail).
set -euo pipefail
gen=$1 work=$2 expect=$3 corruption=${4:-} property=${5:-}
command -v spin >/dev/null || { echo "spin is not installed (scripts/install-deps)"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cd "$work"
args=()
[ -n "$corruption" ] && args=(--corrupt "$corruption")

"$gen" promela "${args[@]}" > model.pml
spin -a model.pml > spin.log
gcc -O2 -DSAFETY -o pan pan.c
# pan exits non-zero when it finds a violation; the verdict is read from pan.log below, not its status.
pan_status=0
./pan -m200000 > pan.log || pan_status=$?
echo "pan exit status $pan_status"
grep -E 'errors:|states, stored|transitions' pan.log

violations=()
errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log)
if [ "${errors:-1}" != 0 ]; then
  # Replaying the trail may exit non-zero at the failed assertion; the VIOLATION lines are what counts.
  trail_status=0
  spin -t model.pml > trail.log 2>&1 || trail_status=$?
  echo "trail replay exit status $trail_status"
  while read -r name; do violations+=("$name"); done < <(sed -n 's/.*VIOLATION \([a-z_]*\).*/\1/p' trail.log)
  [ ${#violations[@]} -gt 0 ] || violations+=("unexplained_error")
else
  # Unreached code is only meaningful after a complete search.
  while read -r line; do violations+=("unreachable: $line"); done < <(sed -n "s/.*printf('reach \([a-z_ ]*\)\\\\n').*/\1/p" pan.log)
  grep -q 'search depth too small' pan.log && violations+=("search_incomplete")
fi
# `check` exits non-zero on a violation; its VIOLATION lines are collected below instead.
check_status=0
"$gen" check "${args[@]}" > check.log || check_status=$?
echo "graph check exit status $check_status"
sed '/^VIOLATION/d' check.log
while read -r line; do violations+=("$line"); done < <(sed -n 's/^VIOLATION //p' check.log)

if [ "$expect" = pass ]; then
  if [ ${#violations[@]} -eq 0 ]; then echo "model check passed"; exit 0; fi
  printf 'violation: %s\n' "${violations[@]}"
  exit 1
fi
printf 'found as expected? %s\n' "${violations[@]}"
for v in "${violations[@]}"; do
  case "$v" in
    "$property"*) echo "corruption '$corruption' caught: $v"; exit 0 ;;
  esac
done
echo "corruption '$corruption' NOT caught as $property"
exit 1
