#!/usr/bin/env bash
# Fails when a committed file generated from the transition table is stale.
#   check_generated.sh GEN SOURCE_ROOT [docs|dict|groups]...     (default: docs)
#     docs    docs/handshake-client.dot, docs/handshake-server.dot
#             refresh: GEN dot client > docs/handshake-client.dot; GEN dot server > docs/handshake-server.dot
#     dict    fuzz/essl.dict (fuzz/tls.dict's tokens and the table's headers)
#             refresh: GEN dict --merge fuzz/tls.dict > fuzz/essl.dict
#     groups  fuzz/row_groups.txt (one fuzz target per line)
#             refresh: GEN groups > fuzz/row_groups.txt
set -euo pipefail
gen=$1 root=$2 status=0
shift 2
[ $# -gt 0 ] || set -- docs

stale() {  # FILE HOW...: compares FILE with the output of GEN HOW...
  local file=$1
  shift
  if ! diff -u "$root/$file" <("$gen" "$@"); then
    echo "$file is stale: regenerate it with essl_table_gen $*"
    status=1
  fi
}

for what in "$@"; do
  case $what in
    docs)
      for role in client server; do stale "docs/handshake-$role.dot" dot "$role"; done ;;
    dict) stale fuzz/essl.dict dict --merge "$root/fuzz/tls.dict" ;;
    groups) stale fuzz/row_groups.txt groups ;;
    *)
      echo "check_generated.sh: unknown check $what" >&2
      exit 2 ;;
  esac
done
exit $status
