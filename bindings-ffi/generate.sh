#!/usr/bin/env bash
# Builds farmhand-ffi and writes the shared library and the generated Python,
# Kotlin and Swift bindings into OUT_DIR.
#
#   bindings-ffi/generate.sh OUT_DIR                  # release build (the default)
#   FARMHAND_FFI_PROFILE=dev bindings-ffi/generate.sh OUT_DIR
#
# The profile is cargo's (`release`, `dev`, ...); CI uses `dev`, its one build profile.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi
out="$1"
profile="${FARMHAND_FFI_PROFILE:-release}"
cd "$(dirname "$0")/.."

cargo build --quiet --locked --profile "$profile" -p farmhand-ffi --lib --bin uniffi-bindgen
target_dir="$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
# cargo's `dev` profile builds into `debug`.
case "$profile" in
    dev | test) build_dir="$target_dir/debug" ;;
    bench) build_dir="$target_dir/release" ;;
    *) build_dir="$target_dir/$profile" ;;
esac
case "$(uname -s)" in
    Darwin) library="libfarmhand_ffi.dylib" ;;
    MINGW* | MSYS* | CYGWIN*) library="farmhand_ffi.dll" ;;
    *) library="libfarmhand_ffi.so" ;;
esac

mkdir -p "$out"
cp "$build_dir/$library" "$out/"
"$build_dir/uniffi-bindgen" generate "$out/$library" \
    --language python --language kotlin --language swift --no-format --out-dir "$out"
