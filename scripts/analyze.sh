#!/usr/bin/env bash
# analyze.sh: static analysis of src/ and pkcs11/ (not tests, bench or
# fuzz targets). clang-tidy with .clang-tidy, then cppcheck with
# .cppcheck-suppressions. Exits non-zero on any finding of either.
# ANALYZE_TOOLS="clang-tidy cppcheck" (default both) picks which to run.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
TOOLS=${ANALYZE_TOOLS:-clang-tidy cppcheck}
start=$(date +%s)

# compile_commands.json of the normal (g++) build; configuring is enough.
cmake -S . -B "$BUILD_DIR" >/dev/null
db=$BUILD_DIR/analyze
mkdir -p "$db"
python3 - "$BUILD_DIR/compile_commands.json" "$db/compile_commands.json" "$PWD" <<'EOF'
import json, os, sys
entries = json.load(open(sys.argv[1]))
roots = tuple(os.path.join(sys.argv[3], d) + "/" for d in ("src", "pkcs11"))
ours = [e for e in entries
        if os.path.join(e["directory"], e["file"]).startswith(roots)]
# GCC-only flags of the Release build (CMakeLists.txt) that clang-tidy's
# clang would report as unknown.
gcc_only = ("-Wno-restrict", "-Wno-stringop-overflow", "-Wno-stringop-overread")
for e in ours:
    if "command" in e:
        e["command"] = " ".join(w for w in e["command"].split(" ") if w not in gcc_only)
    if "arguments" in e:
        e["arguments"] = [w for w in e["arguments"] if w not in gcc_only]
json.dump(ours, open(sys.argv[2], "w"), indent=1)
print(f"analyze.sh: {len(ours)} translation units in src/ and pkcs11/")
EOF

status=0
if [[ " $TOOLS " == *" clang-tidy "* ]]; then
  t=$(date +%s)
  # Checks, header filter and warnings-as-errors come from .clang-tidy.
  if ! run-clang-tidy -p "$db" -j"$(nproc)" -quiet >"$db/clang-tidy.log" 2>&1; then
    status=1
  fi
  # Only the findings (run-clang-tidy also echoes each command line).
  sed 's/\x1b\[[0-9;]*m//g' "$db/clang-tidy.log" | grep -E '(warning|error):' | sort -u || true
  echo "analyze.sh: clang-tidy took $(( $(date +%s) - t )) s (log: $db/clang-tidy.log)"
fi

if [[ " $TOOLS " == *" cppcheck "* ]]; then
  t=$(date +%s)
  if ! cppcheck --project="$db/compile_commands.json" \
      --enable=warning,performance,portability --library=openssl --library=gtk \
      --library=posix --error-exitcode=1 --inline-suppr \
      --suppressions-list=.cppcheck-suppressions -j"$(nproc)" --quiet \
      --template='{file}:{line}: {severity}: {message} [{id}]'; then
    status=1
  fi
  echo "analyze.sh: cppcheck took $(( $(date +%s) - t )) s"
fi

echo "analyze.sh: finished in $(( $(date +%s) - start )) s"
[ "$status" -eq 0 ] || echo "analyze.sh: FAILED (findings above)" >&2
exit "$status"
