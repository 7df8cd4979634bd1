#!/usr/bin/env bash
# Measures Kefu Desk on a large store: seeds a data directory with 100,000 customer messages
# (one conversation of 10,000, the rest over 100 customers) from a standalone emulator through
# the engine's own sync (`kefu sync --once`), then launches the app (live mode against that
# emulator, nothing simulated) under Xvfb and a private D-Bus session, drives it over WebDriver
# and prints: time from launch to an interactive queue, time to open the 10,000-message
# conversation, and idle PSS summed over the app and its WebKit processes with it open.
#
# It does not build the app: build it first (a custom-protocol build embeds ui/dist):
#   npm --prefix ui run build && cargo build --features custom-protocol --bin kefu-desk
#
# Environment: KEFU_DESK_BIN (default target/debug/kefu-desk), KEFU_MEASURE_IDLE_MS (idle wait
# before sampling, default 15000), KEFU_TOOLS (where tauri-driver is, as for scripts/e2e.sh),
# KEFU_MEASURE_MAPS (a directory: each process's /proc/PID/smaps at the idle sample is kept there,
# to see which mappings the PSS is made of).
#
# `bash scripts/measure-desktop.sh soak` is the soak benchmark instead: the same store, but the
# emulator simulates customers (arriving, writing, answered by a simulated colleague or giving
# up) sped up KEFU_SOAK_SPEED times (default 32) for KEFU_SOAK_HOURS simulated hours (default 8),
# while tests/e2e/soak.mjs works the queue as an agent would (claims, answers, ends) and samples
# the PSS of the app and its WebKit processes every KEFU_SOAK_SAMPLE_SECS real seconds (default
# 30). It prints a table by simulated time and draws it with gnuplot into
# KEFU_SOAK_PNG (default docs/soak-pss.png).
set -euo pipefail
KEFU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$KEFU_ROOT"
log() { printf 'measure: %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mode="${1:-once}"
case "$mode" in once | soak) ;; *) log "usage: $0 [soak]"; exit 2 ;; esac

if [ "${KEFU_MEASURE_INNER:-}" = 1 ]; then
  # Inside Xvfb + D-Bus: tauri-driver, then the measurement, then the driver goes.
  setsid "$TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port "$TAURI_NATIVE_PORT" >"$MEASURE_TMP/driver.log" 2>&1 &
  driver=$!
  trap 'kill -TERM -- -$driver 2>/dev/null || true; wait $driver 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    ss -Hltn "sport = :$TAURI_DRIVER_PORT" | grep -q . && break
    sleep 0.1
  done
  if [ "$mode" = soak ]; then node tests/e2e/soak.mjs; else node tests/e2e/measure.mjs; fi
  exit
fi

target="${CARGO_TARGET_DIR:-target}"
bin="${KEFU_DESK_BIN:-$target/debug/kefu-desk}"
case "$bin" in /*) ;; *) bin="$KEFU_ROOT/$bin" ;; esac
[ -x "$bin" ] || { log "app binary not found: $bin (build it first, see the header)"; exit 1; }
[ -x "$target/debug/kefu-emulator" ] && [ -x "$target/debug/kefu" ] ||
  cargo build --locked -p kefu-emulator --bin kefu-emulator -p kefu-core --bin kefu
driver="${KEFU_TOOLS:-/var/tmp/kefu-tools}/bin/tauri-driver"
[ -x "$driver" ] || cargo install tauri-driver --locked --root "${KEFU_TOOLS:-/var/tmp/kefu-tools}"
[ -d tests/e2e/node_modules/webdriverio ] ||
  npm --prefix tests/e2e ci --ignore-scripts --no-audit --no-fund

tmp="$(mktemp -d "${TMPDIR:-/tmp}/kefu-measure.XXXXXX")"
emu_pid=
cleanup() {
  # The emulator ends by SIGTERM (status 143): not a failure of the measurement.
  if [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; then wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/home" "$tmp/data" "$tmp/run"
chmod 700 "$tmp/run"

port="$(free_port)"
base="http://127.0.0.1:$port"
speed="${KEFU_SOAK_SPEED:-32}"
if [ "$mode" = soak ]; then
  command -v gnuplot >/dev/null || { log "installing gnuplot-nox (the plot)"; apt-get install -y -q gnuplot-nox >/dev/null; }
  # Simulated customers start once the store is seeded: the seed goes first, through one sync.
  "$target/debug/kefu-emulator" --port "$port" --speed "$speed" --seed 7 >"$tmp/emulator.log" 2>&1 &
else
  "$target/debug/kefu-emulator" --port "$port" --no-simulation >"$tmp/emulator.log" 2>&1 &
fi
emu_pid=$!
for _ in $(seq 100); do curl -fs "$base/emulator/info" >/dev/null && break; sleep 0.1; done
curl -fs "$base/emulator/info" >/dev/null || { log "the emulator did not start"; cat "$tmp/emulator.log" >&2; exit 1; }

log "seeding: one customer with 10,000 messages, then 90,000 over 100 customers"
curl -fs -X POST "$base/emulator/bulk" -H 'content-type: application/json' \
  -d '{"messages": 10000, "customers": 1, "seed": 1}' >/dev/null
long="$(curl -fs "$base/emulator/sessions" | jq -r '.[0].external_userid')"
curl -fs -X POST "$base/emulator/bulk" -H 'content-type: application/json' \
  -d '{"messages": 90000, "customers": 100, "seed": 2}' >/dev/null
export KEFU_API_BASE="$base" KEFU_CORP_ID="$(curl -fs "$base/emulator/info" | jq -r .corp_id)"
export KEFU_SECRET=kefu-desk-demo-secret KEFU_DATA_DIR="$tmp/data"
started=$SECONDS
"$target/debug/kefu" --json sync --once >"$tmp/sync.json"
log "synced in $((SECONDS - started)) s: $(jq -c "[.accounts[].stored] | add" "$tmp/sync.json") items stored"
db_mib="$(du -m "$tmp/data/kefu.sqlite" | cut -f1)"

# The app's own profile: nothing of the caller's home, display or bus.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share"
export XDG_CACHE_HOME="$tmp/home/.cache" XDG_RUNTIME_DIR="$tmp/run" GDK_BACKEND=x11
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
dport="$(free_port)"
nport="$(free_port)"
export KEFU_MEASURE_INNER=1 KEFU_DESK_BIN="$bin" TAURI_DRIVER="$driver" MEASURE_TMP="$tmp"
export TAURI_DRIVER_PORT="$dport" TAURI_NATIVE_PORT="$nport" KEFU_MEASURE_CUSTOMER="$long"
log "launching $bin under Xvfb"
export KEFU_SOAK_SPEED="$speed"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$0" "$mode" >"$tmp/result.json" 2>"$tmp/inner.log" || {
  log "measurement failed:"; tail -30 "$tmp/inner.log" >&2; exit 1; }
result="$(tail -1 "$tmp/result.json")"

if [ "$mode" = soak ]; then
  png="${KEFU_SOAK_PNG:-docs/soak-pss.png}"
  mkdir -p "$(dirname "$png")"
  jq -r '.samples[] | "\(.simMinutes / 60) \(.pssKiB / 1024) \(.appKiB / 1024) \(.webKiB / 1024)"' <<<"$result" >"$tmp/soak.dat"
  gnuplot <<PLOT
set terminal pngcairo size 900,420 font "sans,10"
set output "$png"
set title "Kefu Desk soak: PSS over a simulated day (demo traffic x$speed, 100k stored messages)"
set xlabel "simulated hours"
set ylabel "PSS (MiB)"
set yrange [0:*]
set grid
set key top left
plot "$tmp/soak.dat" using 1:2 with linespoints title "app + WebKit", \
     "" using 1:3 with lines title "app process", \
     "" using 1:4 with lines title "WebKitWebProcess"
PLOT
  jq -r --arg db "$db_mib" --arg png "$png" '
    "store: 100,101 items seeded (\($db) MiB) + live demo traffic; plot: \($png)",
    "agent actions: \(.actions.claimed) claimed, \(.actions.replied) replies, \(.actions.ended) ended; DOM nodes \(.samples[0].domNodes) → \(.samples[-1].domNodes)",
    "",
    "| simulated time | PSS app + WebKit | app | WebKitWebProcess | waiting | mine | DOM nodes |",
    "|---|---|---|---|---|---|---|",
    (.samples[] | "| \(.simMinutes / 60 | floor) h \(.simMinutes % 60 | floor) min | \(.pssKiB / 1024 | floor) MiB | \(.appKiB / 1024 | floor) MiB | \(.webKiB / 1024 | floor) MiB | \(.waiting) | \(.mine) | \(.domNodes) |"),
    "",
    "growth after the first hour (mean of the last hour \(.lastHourKiB / 1024 | floor) MiB against the second hour \(.secondHourKiB / 1024 | floor) MiB): \(.growthAfterFirstHourPct) % (goal ≤ 10 %); idle at the end: \(.idleKiB / 1024 | floor) MiB (goal ≤ 300 MiB)"
  ' <<<"$result"
  exit
fi

jq -r --arg db "$db_mib" --arg bin "$(basename "$(dirname "$bin")")" '
  "| measure | value |",
  "|---|---|",
  "| stored messages | 100,000 customer messages + 101 enter events (one conversation of 10,000); database \($db) MiB |",
  "| build | \($bin) |",
  "| launch → window ready (WebDriver session) | \(.windowReadyMs) ms |",
  "| launch → interactive queue (first session item) | \(.queueReadyMs) ms (\(.sessions) sessions listed) |",
  "| open the 10,000-message conversation | \(.conversationReadyMs) ms (\(.renderedMessages) message elements rendered) |",
  "| idle PSS, app + WebKit processes, conversation open | **\(.pssKiB / 1024 | floor) MiB** (samples: \(.pssSamplesKiB | map(. / 1024 | floor) | join(", ")) MiB) |",
  "| idle RSS summed (double-counts shared libraries) | \(.rssKiB / 1024 | floor) MiB |",
  (.processes[] | "| · \(.exe) (pid \(.pid)) | PSS \(.pss / 1024 | floor) MiB |")
' <<<"$result"
