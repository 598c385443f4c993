#!/usr/bin/env bash
# Runs every example of README.md and docs/*.md as written, compares the
# output they show, and checks their links (scripts/check-docs-examples.py
# has the convention; docs/testing.md too). A step of scripts/test.sh.
#   check-docs-examples.sh [--bin=PATH] [--make-token=PATH] [--keep] [--list] [FILE.md...]
# The binary: --bin, else $OSTREE_IMA_BIN, else $BUILD_DIR/ostree-ima
# (BUILD_DIR defaults to build/, where scripts/build.sh puts it).
set -euo pipefail
exec python3 "$(dirname "$0")/check-docs-examples.py" "$@"
