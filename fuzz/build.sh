#!/bin/bash -eu
# OSS-Fuzz build script: builds every fuzz target with the environment's $CXX/$CXXFLAGS and links it
# with $LIB_FUZZING_ENGINE into $OUT, with <target>_seed_corpus.zip and <target>.dict beside it.
# Run from the source tree ($SRC/essl in OSS-Fuzz). Botan 2 comes from the image (libbotan-2-dev);
# meson, ninja, pkg-config and zip must be installed. fuzz/README.md shows how to run it locally.
src=$(cd "$(dirname "$0")/.." && pwd)
: "${OUT:?}" "${CXX:?}" "${CXXFLAGS:?}" "${LIB_FUZZING_ENGINE:?}"
build=${WORK:-/tmp}/essl-oss-fuzz-build

# The library layers as static libraries, compiled with the engine's instrumentation flags
# ($CXXFLAGS already carries -fsanitize=fuzzer-no-link and the sanitizer). ESSL_FUZZING selects the
# fuzzing crypto provider, as -Dfuzzing=true does. Only the libraries a target links are built (the
# build's own executables would need the sanitizer runtime at link time): those of its replay
# executable, <target>_replay in fuzz/meson.build, as ninja lists them.
rm -rf "$build"
CXXFLAGS="$CXXFLAGS -DESSL_FUZZING=1" meson setup "$build" "$src" -Dtests=false -Dfuzzing=false \
  -Dbuildtype=plain -Ddefault_library=static -Db_lundef=false
libs_of() { ninja -C "$build" -t inputs "fuzz/$1_replay" | grep '\.a$'; }

botan_cflags=$(pkg-config --cflags botan-2)
botan_libs=$(pkg-config --libs botan-2)
mkdir -p "$OUT"

# Every target has a seed corpus, so the corpus folders name them. state_<role>_<state> targets are
# fuzz/table_state.cpp built for one line of fuzz/row_groups.txt; the others are fuzz/<target>.cpp.
for dir in "$src"/fuzz/corpus/*/; do
  t=$(basename "$dir")
  source="$src/fuzz/$t.cpp"
  defines=""
  case $t in
    state_*)
      source="$src/fuzz/table_state.cpp"
      group=$(awk -v t="$t" '!/^#/ && NF >= 2 && "state_" $1 "_" $2 == t { print $1, $2 }' "$src/fuzz/row_groups.txt")
      if [ -z "$group" ]; then
        echo "build.sh: $t is not a row group of fuzz/row_groups.txt" >&2
        exit 1
      fi
      set -- $group
      defines="-DESSL_FUZZ_ROLE=$1 -DESSL_FUZZ_STATE=$2"
      ;;
  esac
  libs=$(libs_of "$t")
  if [ -z "$libs" ]; then
    echo "build.sh: fuzz/meson.build has no target $t" >&2
    exit 1
  fi
  # shellcheck disable=SC2086
  ninja -C "$build" $libs
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS -std=c++20 -DESSL_FUZZING=1 $defines -DESSL_FUZZ_SOURCE_ROOT="\"$src\"" -I"$src" \
    -I"$src/include" $botan_cflags "$source" -o "$OUT/$t" $LIB_FUZZING_ENGINE \
    -Wl,--start-group $(echo $libs | sed "s|[^ ]*|$build/&|g") -Wl,--end-group $botan_libs -lpthread
  rm -f "$OUT/${t}_seed_corpus.zip"
  (cd "$dir" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  # fuzz/tls.dict's wire tokens and the transition table's headers (generated; a test keeps it current).
  cp "$src/fuzz/essl.dict" "$OUT/$t.dict"
done
# The engine targets read the test certificates at run time; the per-state targets read fuzz/data's
# and the 1024-bit DH group.
mkdir -p "$OUT/tests/data" "$OUT/fuzz/data"
cp "$src"/tests/data/server-rsa.pem "$src"/tests/data/server-rsa-key.pem "$src"/tests/data/dh1024.pem "$OUT/tests/data/"
cp "$src"/fuzz/data/*.pem "$OUT/fuzz/data/"
