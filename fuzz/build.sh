#!/bin/bash -eu
# OSS-Fuzz build script: builds every fuzz target with the environment's $CXX/$CXXFLAGS and links it
# with $LIB_FUZZING_ENGINE into $OUT, with <target>_seed_corpus.zip and <target>.dict beside it.
# Run from the source tree ($SRC/essl in OSS-Fuzz). Botan 2 comes from the image (libbotan-2-dev).
src=$(cd "$(dirname "$0")/.." && pwd)
: "${OUT:?}" "${CXX:?}" "${LIB_FUZZING_ENGINE:?}"
build=${WORK:-/tmp}/essl-oss-fuzz-build

# The library layers as static libraries, compiled with the engine's instrumentation flags
# ($CXXFLAGS already carries -fsanitize=fuzzer-no-link and the sanitizer). ESSL_FUZZING selects the
# fuzzing crypto provider, as -Dfuzzing=true does.
rm -rf "$build"
CXXFLAGS="$CXXFLAGS -DESSL_FUZZING=1" meson setup "$build" "$src" -Dtests=false -Dfuzzing=false \
  -Dbuildtype=plain -Ddefault_library=static -Db_lundef=false
ninja -C "$build" codecs/libessl_codecs.a crypto_glue/libessl_crypto.a statemachine/libessl_core.a

libs="$build/statemachine/libessl_core.a $build/crypto_glue/libessl_crypto.a $build/codecs/libessl_codecs.a"
botan_cflags=$(pkg-config --cflags botan-2)
botan_libs=$(pkg-config --libs botan-2)
targets=$(for d in "$src"/fuzz/corpus/*/; do basename "$d"; done)
for t in $targets; do
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS -std=c++20 -DESSL_FUZZING=1 -DESSL_FUZZ_SOURCE_ROOT="\"$src\"" -I"$src" -I"$src/include" \
    $botan_cflags "$src/fuzz/$t.cpp" -o "$OUT/$t" $LIB_FUZZING_ENGINE $libs $botan_libs -lpthread
  (cd "$src/fuzz/corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  cp "$src/fuzz/tls.dict" "$OUT/$t.dict"
done
# The engine targets read the test certificates at run time.
mkdir -p "$OUT/tests/data"
cp "$src"/tests/data/server-rsa*.pem "$OUT/tests/data/"
