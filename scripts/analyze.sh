#!/usr/bin/env bash
# analyze.sh: static analysis of src/ and pkcs11/ (not tests, bench or
# fuzz targets). clang-tidy with .clang-tidy, then cppcheck with
# .cppcheck-suppressions. Exits non-zero on any finding of either.
# ANALYZE_TOOLS="clang-tidy cppcheck" (default both) picks which to run.
# The compile database is the instrumented clang build's
# (scripts/build-instrumented.sh, build-san/; configured here if missing):
# a unity build, so clang-tidy parses the heavy GLib, libostree, OpenSSL
# and CLI11 headers once per batch of sources rather than once per file,
# and reports what it finds in each source file of the batch (the header
# filter of .clang-tidy names src/ and pkcs11/).
# ANALYZE_JOBS=N runs N clang-tidy processes (default: online CPUs;
# scripts/test.sh runs it beside the sanitizer suites with 1).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${SANITIZE_BUILD_DIR:-build-san}
JOBS=${ANALYZE_JOBS:-$(nproc)}
TOOLS=${ANALYZE_TOOLS:-clang-tidy cppcheck}
start=$(date +%s)

# Configuring is enough for the database (the unity sources are written then).
[ -f "$BUILD_DIR/compile_commands.json" ] ||
  CONFIGURE_ONLY=1 SANITIZE_BUILD_DIR=$BUILD_DIR ./scripts/build-instrumented.sh
db=$BUILD_DIR/analyze
mkdir -p "$db/unity" "$db/files"
python3 - "$BUILD_DIR/compile_commands.json" "$db" "$PWD" <<'EOF'
import json, os, re, sys
entries = json.load(open(sys.argv[1]))
db, root = sys.argv[2], sys.argv[3]
build = os.path.dirname(os.path.abspath(sys.argv[1]))
ours_src = tuple(os.path.join(root, d) + "/" for d in ("src", "pkcs11"))
ours_unity = tuple(os.path.join(build, d) + "/" for d in ("src", "pkcs11"))
unity, files = [], []
for e in entries:
    path = os.path.join(e["directory"], e["file"])
    if path.startswith(ours_src):
        unity.append(e)
        files.append(e)
    elif path.startswith(ours_unity) and "/Unity/" in path:
        unity.append(e)
        # cppcheck reads each source of the batch alone, with its flags.
        for src in re.findall(r'^#include "([^"]+)"', open(path).read(), re.M):
            f = dict(e)
            f["file"] = src
            if "command" in f:
                f["command"] = f["command"].replace(e["file"], src)
            if "arguments" in f:
                f["arguments"] = [src if a == e["file"] else a for a in f["arguments"]]
            files.append(f)
json.dump(unity, open(os.path.join(db, "unity", "compile_commands.json"), "w"), indent=1)
json.dump(files, open(os.path.join(db, "files", "compile_commands.json"), "w"), indent=1)
print(f"analyze.sh: {len(files)} source files of src/ and pkcs11/ in {len(unity)} translation units")
EOF

status=0
if [[ " $TOOLS " == *" clang-tidy "* ]]; then
  t=$(date +%s)
  # Checks, header filter and warnings-as-errors come from .clang-tidy; a
  # unity source includes .cpp files by design (scripts/check-layers.py
  # refuses any other #include of a non-header).
  if ! run-clang-tidy -p "$db/unity" -j"$JOBS" -quiet -checks=-bugprone-suspicious-include \
      >"$db/clang-tidy.log" 2>&1; then
    status=1
  fi
  # Only the findings (run-clang-tidy also echoes each command line).
  sed 's/\x1b\[[0-9;]*m//g' "$db/clang-tidy.log" | grep -E '(warning|error):' | sort -u || true
  echo "analyze.sh: clang-tidy took $(( $(date +%s) - t )) s (log: $db/clang-tidy.log)"
fi

if [[ " $TOOLS " == *" cppcheck "* ]]; then
  t=$(date +%s)
  if ! cppcheck --project="$db/files/compile_commands.json" \
      --enable=warning,performance,portability --library=openssl --library=gtk \
      --library=posix --error-exitcode=1 --inline-suppr \
      --suppressions-list=.cppcheck-suppressions -j"$JOBS" --quiet \
      --template='{file}:{line}: {severity}: {message} [{id}]'; then
    status=1
  fi
  echo "analyze.sh: cppcheck took $(( $(date +%s) - t )) s"
fi

echo "analyze.sh: finished in $(( $(date +%s) - start )) s"
[ "$status" -eq 0 ] || echo "analyze.sh: FAILED (findings above)" >&2
exit "$status"
