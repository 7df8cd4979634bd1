#!/usr/bin/env bash
# Installs what Kefu Desk needs on Debian 12: system packages (once; quick when already there)
# and the UI's npm packages. Sourced by scripts/app.sh and scripts/test.sh.
set -euo pipefail

KEFU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KEFU_ROOT

# Build and window libraries (reference: Tauri on Debian), then the headless test tools:
# virtual display, screenshots, WebDriver for WebKitGTK, a notification daemon, a keyring.
KEFU_APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config fonts-noto-cjk fonts-noto-color-emoji python3-venv
  xvfb xauth imagemagick webkit2gtk-driver dunst gnome-keyring libsecret-tools
  # voice and video: GStreamer decodes WeChat's AMR voice (kefu_core::voice, OpenCORE's decoder
  # in plugins-ugly) and plays H.264 video in the window (libav)
  libgstreamer1.0-dev gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav
  # busctl (dunstctl reads the notification daemon through it) and jq (scripts/measure-desktop.sh)
  systemd jq
  # team mode: the tests start throw-away PostgreSQL clusters (initdb, pg_ctl), one of them
  # with a certificate made by openssl
  postgresql openssl
)

kefu_apt_install() {
  local missing=()
  for p in "${KEFU_APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "setup: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

kefu_npm_install() {
  # Skip when node_modules matches the lockfile already.
  local stamp="$KEFU_ROOT/ui/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && cmp -s "$KEFU_ROOT/ui/package-lock.json" "$KEFU_ROOT/ui/node_modules/.kefu-lock" 2>/dev/null; then
    return 0
  fi
  echo "setup: installing UI packages"
  npm --prefix "$KEFU_ROOT/ui" ci --no-audit --no-fund --loglevel=error
  cp "$KEFU_ROOT/ui/package-lock.json" "$KEFU_ROOT/ui/node_modules/.kefu-lock"
}

kefu_setup() {
  command -v cargo >/dev/null || { echo "setup: cargo (Rust ≥ 1.90) is required" >&2; exit 1; }
  command -v npm >/dev/null || { echo "setup: node and npm (Node ≥ 20) are required" >&2; exit 1; }
  kefu_apt_install
  kefu_npm_install
}
