#!/usr/bin/env bash
# Runs tests/sdk-compat (an unmodified wechatpy against the already-built kefu-emulator) in a
# venv at ${KEFU_VENV:-/var/tmp/kefu-desk-venv}, created on first use. Does not build anything:
# point KEFU_EMULATOR_BIN at the binary if it is not in target/debug (or $CARGO_TARGET_DIR/debug).
set -euo pipefail

KEFU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE="$KEFU_ROOT/tests/sdk-compat"
VENV="${KEFU_VENV:-/var/tmp/kefu-desk-venv}"
STAMP="$VENV/.kefu-sdk-compat-requirements"

if [ ! -x "$VENV/bin/python" ]; then
  echo "sdk-compat: creating venv $VENV"
  python3 -m venv "$VENV"
fi

# Install only when requirements.txt changed since the last successful install (or the
# package went missing from the venv).
if ! cmp -s "$SUITE/requirements.txt" "$STAMP" || ! "$VENV/bin/python" -c 'import wechatpy' 2>/dev/null; then
  echo "sdk-compat: installing $(grep -v '^#' "$SUITE/requirements.txt" | xargs)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$SUITE/requirements.txt"
  cp "$SUITE/requirements.txt" "$STAMP"
fi

cd "$KEFU_ROOT"
exec "$VENV/bin/python" "$SUITE/test_wechatpy.py" "$@"
