#!/bin/sh
# Runs systemd/liftwatch.service under a real systemd (PID 1 of a systemd-nspawn container) and
# checks what `systemd-analyze verify` and a fake NOTIFY_SOCKET cannot: install.sh
# (twice), Type=notify/READY=1, the watchdog fed and enforced, the hardening options against the
# real agent (SQLite under /var/lib/liftwatch, socket in /run/liftwatch), a clean stop with the
# retained `offline` status, a restart after SIGKILL, JSON lines in the journal, and the
# exposure score of `systemd-analyze security`. Every check prints PASS or FAIL; the exit status
# is the number of failed checks (capped at 100), 0 when all pass. Root only. Too heavy for CI:
# it is not part of the tap suite or .ci/run.
#
#   sudo systemd/verify-in-container.sh            # build, (re)create the tree if needed, boot, check, power off
#   sudo systemd/verify-in-container.sh --keep     # leave the container running afterwards
#   sudo systemd/verify-in-container.sh --no-build # use dist/ as it is
#
# Environment: MACHINE (default lw), MACHINES_DIR (default /var/lib/machines), MIRROR (default:
# the first deb.debian.org-style URI in /etc/apt/sources.list*), WATCHDOG_SEC (drop-in used for
# the check, default 6), SUITE (default bookworm).
#
# The container: `debootstrap --variant=minbase` with systemd, dbus, passwd and mosquitto (the
# broker the agent's uplink talks to), this machine's `node` copied to /usr/bin/node, the package
# staged under /root/liftwatch-src (node_modules dereferenced) and installed by install.sh. It
# boots with --private-network (its own loopback: the simulator's port 5020 and the broker's 1883
# cannot clash with anything on the host) and without machined (--register=no --keep-unit), so it
# also works where the host has no systemd; commands run inside with nsenter.
set -u

MACHINE=${MACHINE:-lw}
MACHINES_DIR=${MACHINES_DIR:-/var/lib/machines}
SUITE=${SUITE:-bookworm}
WATCHDOG_SEC=${WATCHDOG_SEC:-6}
TREE=$MACHINES_DIR/$MACHINE
PKG=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
STATE=/run/liftwatch-verify-$MACHINE
KEEP=0
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "verify-in-container.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "verify-in-container.sh: must run as root" >&2; exit 2; }

FAILED=0
PASSED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS  $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL  $*"; }
info() { echo "INFO  $*"; }
die() { echo "FATAL $*" >&2; finish 100; }
# check "description" command...: PASS when the command succeeds.
check() { d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

# --- the container ------------------------------------------------------------------------------
nspawn_pid() { cat "$STATE/nspawn.pid" 2>/dev/null; }
running() { p=$(nspawn_pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
leader() { pgrep -P "$(nspawn_pid)" | head -n 1; }
# Runs a command inside the container, with a clean environment (no host NOTIFY_SOCKET etc.).
in_ct() {
  nsenter -t "$LEADER" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
prop() { in_ct systemctl show -P "$2" "$1"; }

poweroff_ct() {
  running || return 0
  L=$(leader)
  [ -n "$L" ] && nsenter -t "$L" -a systemctl poweroff >/dev/null 2>&1
  i=0
  while running && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
  # systemd-nspawn turns SIGTERM into an orderly shutdown of the container.
  if running; then kill "$(nspawn_pid)" 2>/dev/null; sleep 5; fi
  if running; then kill -9 "$(nspawn_pid)" 2>/dev/null; fi
  rm -f "$STATE/nspawn.pid"
}

finish() {
  code=$1
  if [ "$KEEP" = 1 ] && running; then
    info "container left running (nspawn pid $(nspawn_pid)); enter: nsenter -t $(leader) -a /bin/bash; stop: kill $(nspawn_pid)"
  else
    poweroff_ct
  fi
  echo "---- $PASSED passed, $FAILED failed"
  [ "$code" -gt 100 ] && code=100
  exit "$code"
}
trap 'finish 100' INT TERM

for tool in debootstrap systemd-nspawn nsenter; do
  command -v "$tool" >/dev/null || { echo "verify-in-container.sh: $tool missing (apt-get install debootstrap systemd-container util-linux)" >&2; exit 2; }
done
command -v node >/dev/null || { echo "verify-in-container.sh: node missing" >&2; exit 2; }
mkdir -p "$STATE"

# --- build and tree -----------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  (cd "$PKG" && npx tsc -p .) || die "npx tsc -p . failed"
fi
[ -f "$PKG/dist/src/cli/main.js" ] || die "$PKG/dist/src/cli/main.js missing: build first"

poweroff_ct # a container from an earlier run
if [ ! -x "$TREE/usr/lib/systemd/systemd" ]; then
  if [ -z "${MIRROR:-}" ]; then
    MIRROR=$(grep -hoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
      awk '{print $2}' | head -n 1)
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
  fi
  info "debootstrap $SUITE into $TREE from $MIRROR"
  rm -rf "$TREE"
  mkdir -p "$MACHINES_DIR"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,passwd,mosquitto "$SUITE" "$TREE" "$MIRROR" \
    >"$STATE/debootstrap.log" 2>&1 || die "debootstrap failed: see $STATE/debootstrap.log"
fi
echo "$MACHINE" >"$TREE/etc/hostname"
# Start from a box without liftwatch, so that the first install.sh run below is a first install.
if grep -q '^liftwatch:' "$TREE/etc/passwd"; then chroot "$TREE" userdel liftwatch; fi
if grep -q '^liftwatch:' "$TREE/etc/group"; then chroot "$TREE" groupdel liftwatch; fi
rm -rf "$TREE/opt/liftwatch" "$TREE/var/lib/liftwatch" "$TREE/etc/liftwatch" "$TREE/var/log/liftwatch" \
  "$TREE/etc/systemd/system/liftwatch.service" "$TREE/etc/systemd/system/multi-user.target.wants/liftwatch.service"

# The agent's node, and the package as a release would ship it (node_modules as a real directory).
install -m 0755 "$(command -v node)" "$TREE/usr/bin/node"
SRC=$TREE/root/liftwatch-src
rm -rf "$SRC"
mkdir -p "$SRC"
for item in package.json dist devices config docs systemd node_modules; do
  [ -e "$PKG/$item" ] && cp -rL "$PKG/$item" "$SRC/"
done

# A self-contained site: the simulator (a second unit) serves two lifts as Modbus RTU over TCP on
# loopback, the container's mosquitto is the uplink's broker. Paths are the production defaults.
mkdir -p "$TREE/etc/liftwatch"
cat >"$TREE/etc/liftwatch/liftwatch.yaml" <<'EOF'
# written by systemd/verify-in-container.sh
site: { id: verify-site, name: "systemd verification", address: "container" }
gateway: { id: verify-gw }
buses:
  - { id: sim, type: modbus-rtu-over-tcp, host: 127.0.0.1, port: 5020, timeoutMs: 300, retries: 1, interFrameGapMs: 2 }
lifts:
  - { id: A, bus: sim, unitId: 1, profile: liftwatch-sim, landings: ["-1", "0", "1", "2", "3"], pollIntervalMs: 250 }
  - { id: B, bus: sim, unitId: 2, profile: liftwatch-sim, landings: ["0", "1", "2", "3"], pollIntervalMs: 250 }
broker: { enabled: false }
uplink: { url: "mqtt://127.0.0.1:1883" }
storage: { path: /var/lib/liftwatch/liftwatch.db }
EOF
cat >"$TREE/etc/systemd/system/liftwatch-sim.service" <<'EOF'
# written by systemd/verify-in-container.sh: simulated lifts for liftwatch.service
[Unit]
Description=liftwatch simulator (verification)
[Service]
ExecStart=/usr/bin/node /root/liftwatch-src/dist/src/cli/main.js simulate --listen tcp://127.0.0.1:5020 --units 1,2 --scenario demo
EOF
# A short watchdog, so "fed for more than twice WatchdogSec" and "enforced" take seconds.
rm -rf "$TREE/etc/systemd/system/liftwatch.service.d"
mkdir -p "$TREE/etc/systemd/system/liftwatch.service.d"
printf '[Service]\nWatchdogSec=%ss\n' "$WATCHDOG_SEC" >"$TREE/etc/systemd/system/liftwatch.service.d/verify.conf"
# A retained-message reader for the uplink's status topic (mqtt from the installed package).
cat >"$TREE/root/lw-status.cjs" <<'EOF'
// Prints the retained <root>/status payload (state) or "none" after 5 s.
const mqtt = require('/opt/liftwatch/node_modules/mqtt');
const c = mqtt.connect('mqtt://127.0.0.1:1883', { clientId: 'verify-' + process.pid });
const t = setTimeout(() => { console.log('none'); process.exit(0); }, 5000);
c.on('connect', () => c.subscribe('liftwatch/verify-site/verify-gw/status'));
c.on('message', (_t, p) => { clearTimeout(t); try { console.log(JSON.parse(String(p)).state); } catch { console.log('unparsable'); } process.exit(0); });
EOF

# --- boot ------------------------------------------------------------------------------------------
info "booting $TREE"
setsid systemd-nspawn -D "$TREE" -M "$MACHINE" -b --register=no --keep-unit --private-network \
  --console=read-only >"$STATE/console.log" 2>&1 </dev/null &
echo $! >"$STATE/nspawn.pid"
i=0
LEADER=
while [ $i -lt 30 ] && [ -z "$LEADER" ]; do sleep 1; LEADER=$(leader); i=$((i + 1)); done
[ -n "$LEADER" ] || die "systemd-nspawn did not start: $(tail -n 5 "$STATE/console.log")"
i=0
while [ $i -lt 60 ]; do
  st=$(in_ct systemctl is-system-running 2>/dev/null)
  case "$st" in running|degraded) break ;; esac
  sleep 1; i=$((i + 1))
done
check "container booted (systemd $(in_ct systemctl --version | awk 'NR==1{print $2}'), state $st)" test "$st" = running -o "$st" = degraded
info "cgroup controllers usable in the container: $(in_ct sh -c 'cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null || echo "none (hybrid/legacy host hierarchy: MemoryMax, TasksMax, DeviceAllow are not enforced here)"')"

# --- install.sh -------------------------------------------------------------------------------------
in_ct systemctl stop liftwatch.service liftwatch-sim.service 2>/dev/null
in_ct sh /root/liftwatch-src/systemd/install.sh --source /root/liftwatch-src --no-start >"$STATE/install1.log" 2>&1
rc=$?
check "install.sh (first run) exits $rc, created the user" sh -c "[ $rc = 0 ] && grep -q 'creating system user' '$STATE/install1.log'"
sum1=$(in_ct sh -c 'cat /etc/liftwatch/liftwatch.yaml /etc/passwd /etc/group | md5sum')
in_ct sh /root/liftwatch-src/systemd/install.sh --source /root/liftwatch-src --no-start >"$STATE/install2.log" 2>&1
check "install.sh (second run) exits 0" test $? = 0
sum2=$(in_ct sh -c 'cat /etc/liftwatch/liftwatch.yaml /etc/passwd /etc/group | md5sum')
check "install.sh twice: config, users and groups unchanged" test "$sum1" = "$sum2"
check "user liftwatch: once, in dialout, nologin" in_ct sh -c \
  '[ "$(grep -c ^liftwatch: /etc/passwd)" = 1 ] && id -nG liftwatch | grep -qw dialout && getent passwd liftwatch | grep -q nologin'
perm() { in_ct stat -c '%U:%G %a' "$1"; }
check "/etc/liftwatch root:liftwatch 750 ($(perm /etc/liftwatch))" test "$(perm /etc/liftwatch)" = "root:liftwatch 750"
check "/etc/liftwatch/liftwatch.yaml root:liftwatch 640 ($(perm /etc/liftwatch/liftwatch.yaml))" \
  test "$(perm /etc/liftwatch/liftwatch.yaml)" = "root:liftwatch 640"
check "/opt/liftwatch: root-owned, node_modules a real directory" in_ct sh -c \
  '[ "$(stat -c %U /opt/liftwatch/dist/src/cli/main.js)" = root ] && [ -d /opt/liftwatch/node_modules/mqtt ] && [ ! -L /opt/liftwatch/node_modules ]'
check "systemd-analyze verify liftwatch.service: no warnings" in_ct sh -c \
  'out=$(systemd-analyze verify /etc/systemd/system/liftwatch.service 2>&1); [ -z "$out" ] || { echo "$out"; false; }'

# --- start: Type=notify ---------------------------------------------------------------------------
in_ct systemctl daemon-reload
in_ct systemctl reset-failed liftwatch.service 2>/dev/null
in_ct rm -f /var/lib/liftwatch/liftwatch.db /var/lib/liftwatch/liftwatch.db-wal /var/lib/liftwatch/liftwatch.db-shm
in_ct systemctl start liftwatch-sim.service
check "mosquitto and the simulator are running" in_ct systemctl is-active -q mosquitto.service liftwatch-sim.service
in_ct journalctl --rotate >/dev/null 2>&1
T0=$(date +%s)
in_ct timeout 90 systemctl start liftwatch.service
rc=$?
T1=$(date +%s)
check "systemctl start liftwatch returns 0 after READY=1 ($((T1 - T0)) s)" test $rc = 0
check "ActiveState=active SubState=running ($(prop liftwatch ActiveState)/$(prop liftwatch SubState))" \
  test "$(prop liftwatch ActiveState)/$(prop liftwatch SubState)" = active/running
ST=$(prop liftwatch StatusText)
check "STATUS= from the agent reached systemd: \"$ST\"" test -n "$ST"
PID1=$(prop liftwatch MainPID)
OWNER=$(in_ct sh -c "echo \$(stat -c %U:%G /proc/$PID1) \$(cat /proc/$PID1/comm)")
check "main process $PID1 is node as liftwatch:liftwatch ($OWNER)" test "$OWNER" = "liftwatch:liftwatch node"

# --- hardening against the real agent -------------------------------------------------------------
sleep 3
check "StateDirectory: /var/lib/liftwatch/liftwatch.db written by liftwatch ($(perm /var/lib/liftwatch/liftwatch.db 2>/dev/null))" \
  in_ct sh -c '[ "$(stat -c %U /var/lib/liftwatch/liftwatch.db)" = liftwatch ]'
check "RuntimeDirectory: /run/liftwatch/liftwatch.sock is a socket (dir $(perm /run/liftwatch))" \
  in_ct test -S /run/liftwatch/liftwatch.sock
check "liftwatch status (as root, full socket) answers" in_ct sh -c \
  'cd /tmp && node /opt/liftwatch/dist/src/cli/main.js status --config /etc/liftwatch/liftwatch.yaml >/tmp/lw-status.out 2>&1'
# docs/technician.md: liftwatch-ro.sock is mode 0666 so that "anyone on the box can connect"; the
# CLI falls back to it when the full socket refuses. (The config is not readable by strangers.)
if in_ct sh -c 'cd /tmp && setpriv --reuid=nobody --regid=nogroup --clear-groups node /opt/liftwatch/dist/src/cli/main.js status --socket /run/liftwatch/liftwatch.sock' \
  >"$STATE/status-nobody.out" 2>&1; then
  pass "liftwatch status (as nobody, read-only socket) answers"
else
  fail "liftwatch status (as nobody, read-only socket) answers: $(head -n 1 "$STATE/status-nobody.out")"
fi
check "uplink: retained status 'online' on the container's mosquitto" test "$(in_ct node /root/lw-status.cjs)" = online
INV=$(prop liftwatch InvocationID)
check "no hardening denial in this run's journal (EPERM/EACCES/EROFS/seccomp)" in_ct sh -c \
  "! journalctl -o cat --no-pager _SYSTEMD_INVOCATION_ID=$INV | grep -E 'EPERM|EACCES|EROFS|Operation not permitted|Read-only file system|SIGSYS'"

# --- watchdog: fed, then enforced -------------------------------------------------------------------
WD=$(prop liftwatch WatchdogUSec)
WD_TS1=$(prop liftwatch WatchdogTimestampMonotonic)
NR1=$(prop liftwatch NRestarts)
sleep $((2 * WATCHDOG_SEC + 3))
WD_TS2=$(prop liftwatch WatchdogTimestampMonotonic)
check "watchdog fed: WatchdogUSec=$WD, WatchdogTimestamp advanced over $((2 * WATCHDOG_SEC + 3)) s" \
  test "$WD_TS2" -gt "$WD_TS1"
check "still running, same MainPID, NRestarts unchanged ($NR1) after > 2 x WatchdogSec" \
  test "$(prop liftwatch ActiveState)/$(prop liftwatch MainPID)/$(prop liftwatch NRestarts)" = "active/$PID1/$NR1"
info "WatchdogTimestamp: $(prop liftwatch WatchdogTimestamp)"

# A bus that stops answering is CONTROLLER_COMM_LOST's job, not the watchdog's: failed polls still
# count for the buses-polled check (docs/operations.md), so the service must not be restarted.
TSB=$(date +%s)
in_ct systemctl stop liftwatch-sim.service
WD_TSB=$(prop liftwatch WatchdogTimestampMonotonic)
sleep $((2 * WATCHDOG_SEC + 12))
check "silent bus: CONTROLLER_COMM_LOST raised, watchdog still fed, no restart (NRestarts $(prop liftwatch NRestarts))" \
  in_ct sh -c "journalctl -u liftwatch -o cat --no-pager --since @$TSB | grep -q 'RAISED.*CONTROLLER_COMM_LOST' &&
    [ \$(systemctl show -P WatchdogTimestampMonotonic liftwatch) -gt $WD_TSB ] &&
    [ \"\$(systemctl show -P ActiveState liftwatch)/\$(systemctl show -P MainPID liftwatch)/\$(systemctl show -P NRestarts liftwatch)\" = 'active/$PID1/$NR1' ]"
in_ct systemctl start liftwatch-sim.service

# --- journal: structured JSON ---------------------------------------------------------------------
in_ct sh -c 'journalctl -u liftwatch -o json --no-pager _PID='"$PID1" >"$TREE/root/journal.json"
n_all=$(wc -l <"$TREE/root/journal.json")
n_json=$(node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
  let ok = 0;
  for (const l of lines) {
    try { const m = JSON.parse(JSON.parse(l).MESSAGE); if (typeof m.msg === "string" && typeof m.ns === "string" && m.level !== undefined && m.time !== undefined) ok++; } catch {}
  }
  console.log(ok);' "$TREE/root/journal.json")
check "journal: $n_json of $n_all records from the agent are JSON objects with level/time/ns/msg" \
  test "$n_all" -gt 0 -a "$n_json" = "$n_all"
info "a journal line: $(in_ct journalctl -u liftwatch -o cat --no-pager -n 1 _PID="$PID1" | cut -c1-200)"

# --- stop: clean, within TimeoutStopSec, offline status ---------------------------------------------
T0=$(date +%s)
in_ct timeout 60 systemctl stop liftwatch.service
T1=$(date +%s)
check "systemctl stop returns within TimeoutStopSec=$(prop liftwatch TimeoutStopUSec) ($((T1 - T0)) s)" \
  test $((T1 - T0)) -lt 20
check "stopped clean: Result=$(prop liftwatch Result), ExecMainStatus=$(prop liftwatch ExecMainStatus), inactive" \
  test "$(prop liftwatch Result)/$(prop liftwatch ExecMainStatus)/$(prop liftwatch ActiveState)" = success/0/inactive
check "uplink: retained status 'offline' after the stop" test "$(in_ct node /root/lw-status.cjs)" = offline
check "journal: 'stopping' logged on SIGTERM" in_ct sh -c \
  "journalctl -u liftwatch -o cat --no-pager _PID=$PID1 | grep -q '\"msg\":\"stopping\"'"

# --- SIGKILL leads to a restart ----------------------------------------------------------------------
in_ct systemctl start liftwatch.service
PID2=$(prop liftwatch MainPID)
NR2=$(prop liftwatch NRestarts)
in_ct systemctl kill -s KILL liftwatch.service
i=0
while [ $i -lt 40 ]; do
  sleep 1; i=$((i + 1))
  [ "$(prop liftwatch ActiveState)" = active ] && [ "$(prop liftwatch MainPID)" != "$PID2" ] && break
done
check "systemctl kill -s KILL: restarted after $i s (NRestarts $NR2 -> $(prop liftwatch NRestarts), MainPID $PID2 -> $(prop liftwatch MainPID))" \
  test "$(prop liftwatch ActiveState)" = active -a "$(prop liftwatch NRestarts)" -gt "$NR2"

# --- a frozen agent is restarted by the watchdog ---------------------------------------------------
PID3=$(prop liftwatch MainPID)
TS3=$(date +%s)
NR3=$(prop liftwatch NRestarts)
in_ct systemctl kill -s STOP --kill-who=main liftwatch.service
i=0
while [ $i -lt 60 ]; do
  sleep 1; i=$((i + 1))
  [ "$(prop liftwatch ActiveState)" = active ] && [ "$(prop liftwatch MainPID)" != "$PID3" ] && break
done
check "SIGSTOPped agent: watchdog timeout and restart after $i s (NRestarts $NR3 -> $(prop liftwatch NRestarts))" \
  in_ct sh -c "[ \"\$(systemctl show -P NRestarts liftwatch)\" -gt $NR3 ] && journalctl -u liftwatch --no-pager -o cat --since @$TS3 | grep -qi 'watchdog timeout'"

# --- install.sh over a running service (an upgrade): enable + restart ----------------------------------
in_ct sh /root/liftwatch-src/systemd/install.sh --source /root/liftwatch-src >"$STATE/install3.log" 2>&1
rc=$?
check "install.sh without --no-start: exit $rc, enabled, active" in_ct sh -c \
  "[ $rc = 0 ] && systemctl is-enabled -q liftwatch && systemctl is-active -q liftwatch"

# --- exposure score -------------------------------------------------------------------------------
in_ct systemd-analyze security --no-pager liftwatch.service >"$STATE/security.txt" 2>&1
EXPOSURE=$(sed -n 's/.*Overall exposure level for liftwatch.service: \([0-9.]*\).*/\1/p' "$STATE/security.txt")
check "systemd-analyze security liftwatch: exposure ${EXPOSURE:-?} (OK is 2.0 or lower)" \
  awk -v e="${EXPOSURE:-99}" 'BEGIN { exit !(e <= 2.0) }'
info "logs: $STATE (install*.log, security.txt, console.log)"

finish "$FAILED"
