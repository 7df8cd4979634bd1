#!/usr/bin/env bash
# End-to-end tests of the real Kefu Desk window: tests/e2e (node --test + webdriverio) over
# WebDriver, through tauri-driver and Debian's WebKitWebDriver, under Xvfb and a private D-Bus
# session. The app runs in demo mode in an isolated profile (temporary HOME, XDG_* dirs and
# KEFU_DATA_DIR, created before Xvfb and D-Bus start so nothing touches the real home).
#
# It does not build the app. Build it first (a custom-protocol build embeds ui/dist), and the
# team test's `kefu` and `kefu-emulator`:
#   npm --prefix ui run build && cargo build --features custom-protocol --bin kefu-desk
#   cargo build -p kefu-core --bin kefu -p kefu-emulator --bin kefu-emulator
#
# Environment:
#   KEFU_DESK_BIN     the app binary (default ${CARGO_TARGET_DIR:-<repo>/target}/debug/kefu-desk)
#   KEFU_TOOLS        where tauri-driver is installed when missing (default /var/tmp/kefu-tools)
#   KEFU_E2E_PORT     first port tried for tauri-driver (default 4444); WebKitWebDriver gets the
#                     next one; if either is taken the next pair is tried
#   KEFU_E2E_TIMEOUT  seconds allowed for the whole test run (default 600)
#   KEFU_E2E_FILES    test files to run, space-separated (default every file in tests/e2e)
#   KEFU_E2E_ARTIFACTS  where failure screenshots and logs go (default tests/.artifacts, ignored)
# Arguments go to `node --test` (e.g. --test-name-pattern=language). Test files run one at a
# time: each suite launches its own app instance.
# On failure: a screenshot and the page source per failed test, and the driver/app log.
# Ctrl-C or SIGTERM stops the tests, the driver, the app, Xvfb and D-Bus, and exits 130/143.
set -euo pipefail

KEFU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE_DIR="tests/e2e"
ARTIFACTS="${KEFU_E2E_ARTIFACTS:-tests/.artifacts}"
case "$ARTIFACTS" in /*) ;; *) ARTIFACTS="$KEFU_ROOT/$ARTIFACTS" ;; esac
export KEFU_E2E_ARTIFACTS="$ARTIFACTS"

log() { printf 'e2e: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# --- ports ------------------------------------------------------------------------------------

port_free() { [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# True when process $2 listens on TCP port $1.
listens() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -q "pid=$2,"; }

pick_ports() {
  local first="${KEFU_E2E_PORT:-4444}" p
  for ((p = first; p < first + 200; p += 2)); do
    if port_free "$p" && port_free "$((p + 1))"; then
      DRIVER_PORT=$p
      NATIVE_PORT=$((p + 1))
      return 0
    fi
  done
  die "no free pair of ports in $first..$((first + 199))"
}

# --- processes ---------------------------------------------------------------------------------

# True while the process runs. A zombie is not running: orphans are not always reaped promptly
# (a container's PID 1 may not reap at all), and `kill -0` succeeds on zombies.
alive() {
  local stat
  stat="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n "$stat" && "$stat" != Z* ]]
}

# The process and all its descendants, parents first.
tree() {
  local child
  echo "$1"
  for child in $(pgrep -P "$1" 2>/dev/null); do tree "$child"; done
}

RUN_PID=

# Stops a run in progress: SIGTERM to the inner part (the bash under dbus-run-session), whose
# traps clean up; then whatever is still running under xvfb-run after 10 s.
interrupt() {
  set +e # clean-up never stops half-way
  local pid i
  log "interrupted: stopping the tests, the driver and the app"
  for pid in $(tree "$RUN_PID"); do
    [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = bash ] && kill -TERM "$pid" 2>/dev/null
  done
  for ((i = 0; i < 100; i++)); do
    alive "$RUN_PID" || break
    sleep 0.1
  done
  for pid in $(tree "$RUN_PID"); do kill -TERM "$pid" 2>/dev/null; done
  wait "$RUN_PID" 2>/dev/null
  exit "$1"
}

# --- outer part: tools, dependencies, profile, then Xvfb + D-Bus around the inner part ----------

outer() {
  local started=$SECONDS
  cd "$KEFU_ROOT"

  local target="${CARGO_TARGET_DIR:-target}"
  local bin="${KEFU_DESK_BIN:-$target/debug/kefu-desk}"
  case "$bin" in /*) ;; *) bin="$KEFU_ROOT/$bin" ;; esac
  [ -x "$bin" ] || die "app binary not found: $bin
  build it first:  npm --prefix ui run build && cargo build --features custom-protocol --bin kefu-desk
  (or point KEFU_DESK_BIN at a custom-protocol build)"

  local cmd
  # dunst is started by D-Bus activation on the private session bus when the app shows its first
  # notification; the tests read what it received with dunstctl (which calls busctl).
  for cmd in node npm xvfb-run dbus-run-session ss pgrep timeout setsid dunst dunstctl busctl; do
    command -v "$cmd" >/dev/null || die "'$cmd' not found (see scripts/setup.sh)"
  done
  command -v WebKitWebDriver >/dev/null ||
    die "WebKitWebDriver not found: apt-get install webkit2gtk-driver"

  local tools="${KEFU_TOOLS:-/var/tmp/kefu-tools}"
  local driver="$tools/bin/tauri-driver"
  if [ ! -x "$driver" ]; then
    log "installing tauri-driver into $tools"
    cargo install tauri-driver --locked --root "$tools"
  fi

  # Reinstall when package-lock.json changed since the last successful `npm ci`.
  local stamp="$SUITE_DIR/node_modules/.kefu-e2e-package-lock.json"
  if [ ! -d "$SUITE_DIR/node_modules/webdriverio" ] || ! cmp -s "$SUITE_DIR/package-lock.json" "$stamp"; then
    log "npm ci in $SUITE_DIR"
    # --ignore-scripts: webdriverio's optional driver downloaders are not needed here.
    npm --prefix "$SUITE_DIR" ci --ignore-scripts --no-audit --no-fund
    cp "$SUITE_DIR/package-lock.json" "$stamp"
  fi

  pick_ports

  # The isolated profile. From here on HOME is a temporary directory (so npm/cargo are done).
  local tmp
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/kefu-e2e.XXXXXX")"
  # shellcheck disable=SC2064  # expand $tmp now
  trap "rm -rf '$tmp'" EXIT
  mkdir -p "$tmp/home" "$tmp/data" "$tmp/run"
  chmod 700 "$tmp/run"
  export HOME="$tmp/home"
  export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share"
  export XDG_CACHE_HOME="$HOME/.cache" XDG_STATE_HOME="$HOME/.local/state"
  export XDG_RUNTIME_DIR="$tmp/run" KEFU_DATA_DIR="$tmp/data"
  # Demo mode: no credentials may leak in from the caller's environment.
  unset KEFU_CORP_ID KEFU_SECRET KEFU_API_BASE KEFU_OPEN_KFIDS
  # Only the virtual display: never a Wayland compositor or a bus of the caller's session.
  unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
  export GDK_BACKEND=x11
  # Files and links the app opens "with the system application" are recorded, one path or URL
  # per line, instead of starting a viewer or a browser; the opener's environment goes to
  # opened.log.env (written before the line).
  export KEFU_E2E_OPENED="$tmp/opened.log" KEFU_DESK_OPENER="$tmp/opener"
  printf '#!/bin/sh\nenv > "%s.env"\nprintf "%%s\\n" "$1" >> "%s"\n' "$KEFU_E2E_OPENED" "$KEFU_E2E_OPENED" >"$KEFU_DESK_OPENER"
  chmod 755 "$KEFU_DESK_OPENER"

  export KEFU_E2E_INNER=1 KEFU_DESK_BIN="$bin" TAURI_DRIVER="$driver"
  export TAURI_DRIVER_PORT="$DRIVER_PORT" TAURI_NATIVE_PORT="$NATIVE_PORT"
  export KEFU_E2E_LOG="$tmp/tauri-driver.log"
  log "app $bin; tauri-driver on $DRIVER_PORT, WebKitWebDriver on $NATIVE_PORT; profile $tmp"

  # In the background and waited for, so that an interrupt is handled at once: it asks the inner
  # part to stop the tests, the driver and the app, then Xvfb and D-Bus unwind.
  local rc=0
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$KEFU_ROOT/scripts/e2e.sh" "$@" &
  RUN_PID=$!
  trap 'interrupt 130' INT
  trap 'interrupt 143' TERM
  wait "$RUN_PID" || rc=$?
  trap - INT TERM

  if [ "$rc" -ne 0 ] && [ -s "$KEFU_E2E_LOG" ]; then
    mkdir -p "$ARTIFACTS"
    local saved
    saved="$ARTIFACTS/$(date +%Y-%m-%dT%H-%M-%S)-tauri-driver.log"
    cp "$KEFU_E2E_LOG" "$saved"
    log "driver and app output saved to ${saved#"$KEFU_ROOT/"}"
  fi
  log "$([ "$rc" -eq 0 ] && echo passed || echo "FAILED (exit $rc)") in $((SECONDS - started)) s"
  return "$rc"
}

# --- inner part: runs inside xvfb-run + dbus-run-session ----------------------------------------

DRIVER_PID=
DRIVER_PGID=
NATIVE_PID=
TESTS_PID=

stop_tests() {
  set +e # clean-up never stops half-way
  [ -n "$TESTS_PID" ] || return 0
  # `timeout` leads its own process group (with node's test runner and its test-file processes):
  # the runner alone waits for running tests to finish, so stop the whole group.
  local i
  kill -TERM -- "-$TESTS_PID" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    local pid running=
    for pid in $(pgrep -g "$TESTS_PID" 2>/dev/null); do alive "$pid" && running=1; done
    [ -z "$running" ] && break
    sleep 0.1
  done
  kill -KILL -- "-$TESTS_PID" 2>/dev/null || true
  wait "$TESTS_PID" 2>/dev/null || true
  TESTS_PID=
}

# Stops the driver and everything it started, by PID: its descendants (WebKitWebDriver, the app
# and WebKit's helpers), the WebKitWebDriver seen at start (orphaned if the driver died first),
# and whatever is left in the driver's own process group.
stop_driver() {
  set +e # clean-up never stops half-way
  [ -n "$DRIVER_PID" ] || return 0
  local pids pid i
  # A dead driver's PID is only listed, not reused: we reaped it moments ago at the earliest.
  pids="$(tree "$DRIVER_PID")"
  [ -n "$NATIVE_PID" ] && pids+=" $(tree "$NATIVE_PID")"
  [ -n "$DRIVER_PGID" ] && pids+=" $(pgrep -g "$DRIVER_PGID" 2>/dev/null || true)"
  pids="$(printf '%s\n' $pids | sort -un)"
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    local running=
    for pid in $pids; do alive "$pid" && running+=" $pid"; done
    [ -z "$running" ] && break
    sleep 0.1
  done
  if [ -n "${running:-}" ]; then
    log "killing leftover processes:$running"
    for pid in $running; do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  wait "$DRIVER_PID" 2>/dev/null || true
  DRIVER_PID=
  DRIVER_PGID=
  NATIVE_PID=
}

inner() {
  cd "$KEFU_ROOT"
  trap stop_driver EXIT
  trap 'stop_tests; exit 130' INT
  trap 'stop_tests; exit 143' TERM

  # Its own session/process group (no fork: a background job of a non-interactive shell is not a
  # group leader), so anything it leaves behind can still be found.
  setsid "$TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port "$TAURI_NATIVE_PORT" \
    >"$KEFU_E2E_LOG" 2>&1 &
  DRIVER_PID=$!
  # Not read back with ps: a driver that cannot listen exits at once, WebKitWebDriver stays.
  DRIVER_PGID=$DRIVER_PID

  # Ready when the driver itself listens on its port (tauri-driver exits 0 and leaves
  # WebKitWebDriver running when the port is taken) and its WebKitWebDriver on the native port.
  local i child driver_up=
  for ((i = 0; i < 150; i++)); do
    if ! alive "$DRIVER_PID"; then
      local code=0
      wait "$DRIVER_PID" || code=$?
      log "error: tauri-driver exited (code $code) before it was ready; its output:"
      sed 's/^/  | /' "$KEFU_E2E_LOG" >&2
      exit 1
    fi
    if [ -z "$NATIVE_PID" ]; then
      for child in $(pgrep -P "$DRIVER_PID" 2>/dev/null); do NATIVE_PID=$child; done
    fi
    listens "$TAURI_DRIVER_PORT" "$DRIVER_PID" && driver_up=1
    if [ -n "$driver_up" ] && [ -n "$NATIVE_PID" ] && listens "$TAURI_NATIVE_PORT" "$NATIVE_PID"; then
      break
    fi
    sleep 0.1
  done
  if [ "$i" -ge 150 ]; then
    log "error: tauri-driver did not listen on $TAURI_DRIVER_PORT (and WebKitWebDriver on $TAURI_NATIVE_PORT) within 15 s; its output:"
    sed 's/^/  | /' "$KEFU_E2E_LOG" >&2
    exit 1
  fi
  log "tauri-driver ready after $((i / 10)).$((i % 10)) s (pid $DRIVER_PID, WebKitWebDriver pid $NATIVE_PID)"

  # In the background and waited for, so that the SIGTERM from the outer part on an interrupt is
  # handled at once: the traps stop the tests, then the driver and the app.
  local rc=0
  timeout -k 10 "${KEFU_E2E_TIMEOUT:-600}" \
    node --test --test-concurrency=1 --test-reporter=spec "$@" ${KEFU_E2E_FILES:-"$SUITE_DIR/"} &
  TESTS_PID=$!
  wait "$TESTS_PID" || rc=$?
  TESTS_PID=
  [ "$rc" -eq 124 ] && log "error: the tests did not finish within ${KEFU_E2E_TIMEOUT:-600} s"
  exit "$rc"
}

if [ "${KEFU_E2E_INNER:-}" = 1 ]; then
  inner "$@"
else
  outer "$@"
fi
