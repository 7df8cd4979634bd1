#!/usr/bin/env bash
# Installs what is needed and runs every check: formatting, clippy, the workspace tests
# (client and engine against the emulator over loopback), the UI checks, and the end-to-end
# suite in the real window.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
kefu_setup
cd "$KEFU_ROOT"

step() { printf '\n== %s\n' "$*"; }

step "rustfmt"
cargo fmt --all --check

step "UI build (the shell embeds ui/dist)"
npm --prefix ui run build

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "workspace tests"
cargo test --workspace --locked

step "TypeScript bindings of the UI contract are current (cargo test regenerates them)"
if [ -n "$(git status --porcelain -- ui/src/lib/ipc/generated)" ]; then
  git status --porcelain -- ui/src/lib/ipc/generated
  echo "ui/src/lib/ipc/generated is stale: run cargo test -p kefu-ipc and commit the result" >&2
  exit 1
fi

step "an unmodified third-party SDK (wechatpy) against the emulator"
cargo build --locked -p kefu-emulator --bin kefu-emulator
bash scripts/sdk-compat.sh

step "UI checks"
npm --prefix ui run check
npm --prefix ui run lint
npm --prefix ui run test

step "end to end: the real window under Xvfb over WebDriver"
cargo build --locked --features custom-protocol --bin kefu-desk
cargo build --locked -p kefu-core --bin kefu -p kefu-emulator --bin kefu-emulator
bash scripts/e2e.sh
