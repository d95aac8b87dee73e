#!/bin/sh
# Runs one libFuzzer target for a bounded time: run_fuzzer.sh EXE SECONDS SEED_DIR DICT SCRATCH_DIR
# DICT is the build's fuzz/essl.dict: fuzz/tls.dict's tokens and the transition table's headers.
# New inputs go to SCRATCH_DIR (in the build tree); the checked-in seeds are only read.
set -eu
mkdir -p "$5"
exec "$1" -max_total_time="$2" -dict="$4" -rss_limit_mb=2048 -print_final_stats=1 "$5" "$3"
