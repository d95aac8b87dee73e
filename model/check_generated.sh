#!/usr/bin/env bash
# Fails when a committed file generated from the transition table is stale.
#   check_generated.sh GEN SOURCE_ROOT
# To refresh: GEN dot client > docs/handshake-client.dot; GEN dot server > docs/handshake-server.dot
set -euo pipefail
gen=$1 root=$2 status=0
for role in client server; do
  if ! diff -u "$root/docs/handshake-$role.dot" <("$gen" dot "$role"); then
    echo "docs/handshake-$role.dot is stale: regenerate it with essl_table_gen dot $role"
    status=1
  fi
done
exit $status
