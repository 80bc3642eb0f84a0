#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the .deb with CPack and installs it on a clean Debian 12 made
# with debootstrap: the package's dependencies must come from Debian, and
# 'tfund --help', 'man tfund' and a first fund must work there.
# Usage: tests/package/deb-clean-install.sh [BUILD_DIR]   (as root)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
[ "$(id -u)" -eq 0 ] || { echo "deb-clean-install: needs root (debootstrap, chroot)"; exit 1; }
command -v debootstrap >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/tfund_*_amd64.deb | tail -n 1)
echo "package: $(basename "$deb")"
dpkg-deb -I "$deb" | grep -E '^ (Package|Version|Depends):'

root=$(mktemp -d /tmp/tfund-clean.XXXXXX)
chmod 755 "$root"   # the chroot's own users (_apt, man) must reach /
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
trap 'echo "deb-clean-install: FAILED at line $LINENO" >&2' ERR
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
mount --bind /proc "$root/proc"
chroot "$root" sh -ec "
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb") man-db >/dev/null 2>&1
  tfund --help > /tmp/help.txt
  grep -q 'usage: tfund' /tmp/help.txt
  man -P cat tfund > /tmp/man.txt 2>/dev/null
  grep -q 'TFUND(1)' /tmp/man.txt
  cd /tmp && tfund --db /tmp/f.db init >/dev/null
  tfund --db /tmp/f.db import rates /dev/stdin <<'CSV' >/dev/null
currency,date,per_usd
EUR,2017-01-01,0.95
CSV
  tfund --db /tmp/f.db verify >/dev/null
  test -f /usr/share/doc/tfund/README.md
  test -f /usr/share/doc/tfund/LICENSE
  ! test -e /usr/share/tfund
"
echo "deb-clean-install: installed on a clean Debian 12; tfund --help, man tfund and a first fund work"
