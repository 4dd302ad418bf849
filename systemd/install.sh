#!/bin/sh
# Installs liftwatch as a systemd service: the package under /opt/liftwatch, a system user
# `liftwatch` in the `dialout` group (serial adapters), /etc/liftwatch with the site's
# configuration, and systemd/liftwatch.service. Safe to run twice: it never overwrites an
# existing configuration, never adds the user twice, and replaces the package as a whole.
#
#   sudo systemd/install.sh                 # install on this machine, enable and start
#   systemd/install.sh --dry-run            # print what would be done, change nothing
#   systemd/install.sh --root /tmp/img      # install into an image / test root (no systemctl)
#
# Options: --root DIR  --source DIR (default: the package this script belongs to)
#          --dry-run   --no-start   --no-package (only user, directories and unit)
set -eu

ROOT=/
SOURCE=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
DRY=0
START=1
PACKAGE=1
USER_NAME=liftwatch
PREFIX_DIR=/opt/liftwatch

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=$2; shift 2 ;;
    --source) SOURCE=$2; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    --no-start) START=0; shift ;;
    --no-package) PACKAGE=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT=${ROOT%/}
R() { printf '%s%s' "$ROOT" "$1"; }

# Every change goes through run(): printed under --dry-run, executed otherwise.
run() {
  if [ "$DRY" = 1 ]; then
    echo "would run: $*"
  else
    "$@"
  fi
}
say() { echo "liftwatch install: $*"; }

[ -f "$SOURCE/systemd/liftwatch.service" ] || { echo "install.sh: $SOURCE is not a liftwatch package (no systemd/liftwatch.service)" >&2; exit 2; }
if [ "$DRY" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: must run as root (or use --dry-run)" >&2
  exit 1
fi

# --- user and group ------------------------------------------------------------------------
# useradd --prefix edits $ROOT/etc/passwd without touching this machine's own user database.
userdb() { [ -z "$ROOT" ] && echo "" || echo "--prefix $ROOT"; }
has_user() { grep -q "^$USER_NAME:" "$(R /etc/passwd)" 2>/dev/null; }
in_dialout() { grep -Eq "^dialout:[^:]*:[^:]*:(.*,)?$USER_NAME(,.*)?\$" "$(R /etc/group)" 2>/dev/null; }

if ! grep -q '^dialout:' "$(R /etc/group)" 2>/dev/null; then
  say "group dialout missing, creating it"
  # shellcheck disable=SC2046
  run groupadd $(userdb) --system dialout
fi
if has_user; then
  say "user $USER_NAME exists"
else
  say "creating system user $USER_NAME"
  # shellcheck disable=SC2046
  run useradd $(userdb) --system --user-group --home-dir /var/lib/liftwatch --no-create-home \
    --shell /usr/sbin/nologin --comment "liftwatch lift-monitoring agent" --groups dialout "$USER_NAME"
fi
if [ "$DRY" = 1 ] || in_dialout; then :; else
  say "adding $USER_NAME to dialout"
  # shellcheck disable=SC2046
  run usermod $(userdb) --append --groups dialout "$USER_NAME"
fi

# Numeric ids from the target's own database (getent would read this machine's).
uid_of() { awk -F: -v u="$USER_NAME" '$1==u {print $3}' "$(R /etc/passwd)" 2>/dev/null || true; }
gid_of() { awk -F: -v u="$USER_NAME" '$1==u {print $3}' "$(R /etc/group)" 2>/dev/null || true; }
U=$(uid_of); [ -n "$U" ] || U=$USER_NAME
G=$(gid_of); [ -n "$G" ] || G=$USER_NAME

# --- directories -----------------------------------------------------------------------------
# /etc/liftwatch: root owns it, the service reads it (group), nobody else sees the secrets.
# /var/lib/liftwatch: the service's SQLite file (systemd's StateDirectory= also creates it).
run install -d -m 0755 "$(R /etc/systemd/system)"
run install -d -m 0750 -o 0 -g "$G" "$(R /etc/liftwatch)"
run install -d -m 0750 -o "$U" -g "$G" "$(R /var/lib/liftwatch)"

if [ -e "$(R /etc/liftwatch/liftwatch.yaml)" ]; then
  say "keeping the existing /etc/liftwatch/liftwatch.yaml"
else
  say "installing /etc/liftwatch/liftwatch.yaml from config/example.yaml: edit it before starting"
  run install -m 0640 -o 0 -g "$G" "$SOURCE/config/example.yaml" "$(R /etc/liftwatch/liftwatch.yaml)"
fi
# Secret files next to it (MQTT password, broker credentials) must not be world-readable.
for f in "$(R /etc/liftwatch)"/*; do
  [ -f "$f" ] || continue
  run chown "0:$G" "$f"
  run chmod 0640 "$f"
done

# --- package ----------------------------------------------------------------------------------
if [ "$PACKAGE" = 1 ]; then
  say "installing the package into $PREFIX_DIR"
  STAGE="$(R "$PREFIX_DIR").new"
  run rm -rf "$STAGE"
  run install -d -m 0755 "$STAGE"
  for item in package.json dist devices config docs systemd node_modules; do
    [ -e "$SOURCE/$item" ] && run cp -a "$SOURCE/$item" "$STAGE/"
  done
  run chown -R 0:0 "$STAGE"
  run chmod -R go-w "$STAGE"
  # Swap in one rename so a half-copied tree is never the installed one.
  run rm -rf "$(R "$PREFIX_DIR").old"
  if [ -e "$(R "$PREFIX_DIR")" ]; then run mv "$(R "$PREFIX_DIR")" "$(R "$PREFIX_DIR").old"; fi
  run mv "$STAGE" "$(R "$PREFIX_DIR")"
  run rm -rf "$(R "$PREFIX_DIR").old"
fi

# --- unit ---------------------------------------------------------------------------------------
NODE=$(command -v node || echo /usr/bin/node)
UNIT="$(R /etc/systemd/system/liftwatch.service)"
say "installing $UNIT (node at $NODE)"
if [ "$DRY" = 1 ]; then
  echo "would write: $UNIT"
else
  sed "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" "$SOURCE/systemd/liftwatch.service" > "$UNIT.tmp"
  chmod 0644 "$UNIT.tmp"
  mv "$UNIT.tmp" "$UNIT"
fi

if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
  run systemctl daemon-reload
  if [ "$START" = 1 ]; then
    run systemctl enable liftwatch.service
    run systemctl restart liftwatch.service
  fi
else
  say "not on a running systemd (or --root given): skipping systemctl"
fi
say "done"
