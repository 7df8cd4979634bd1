#!/usr/bin/env bash
# Installs what is needed, builds Kefu Desk and starts it. With no KEFU_CORP_ID/KEFU_SECRET it
# runs against the embedded emulator with simulated customers (demo mode).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
kefu_setup
cd "$KEFU_ROOT"
npm --prefix ui run build
cargo build --release --features custom-protocol --bin kefu-desk
bin="${CARGO_TARGET_DIR:-$KEFU_ROOT/target}/release/kefu-desk"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "app: no display; running under a virtual one (xvfb-run)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$bin" "$@"
fi
exec "$bin" "$@"
