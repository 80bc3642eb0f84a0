#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sample fund in a browser: installs and builds what is missing, runs
# the sample's cycle (cycle.sh) when out/gcm/ has no fund yet, makes a
# copy of the sample fund into out/gcm-team/ and makes the copy a team
# fund with one user per role and one donor user, then serves it on
# 127.0.0.1 until Ctrl-C.
#
#   bash samples/gcm/serve.sh [--port N] [--fresh] [--no-serve]
#
#   --port N    the port on 127.0.0.1 (default 8080; 0 picks a free one)
#   --fresh     make the team copy and its passwords again
#   --no-serve  make the team copy, and do not serve it
#
# The users' passwords are generated when the copy is made, and written
# once to out/gcm-team/passwords.txt (mode 0600, readable by the login
# that ran this only); they are never printed. The admin is mapped to
# the login that runs this script (it starts the server); the other
# users work in the browser only.
#
# For the tests: TFUND_BIN names a tfund already built (nothing is then
# installed or built), TFUND_OUT the sample fund's folder (as for
# cycle.sh; default out/gcm), TFUND_TEAM_OUT the team copy's (default
# out/gcm-team).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

port=8080
fresh=0
serve=1
while [ $# -gt 0 ]; do
  case $1 in
  --port)
    [ $# -ge 2 ] || { echo "serve.sh: --port needs a number" >&2; exit 2; }
    port=$2
    shift 2
    ;;
  --port=*)
    port=${1#--port=}
    shift
    ;;
  --fresh)
    fresh=1
    shift
    ;;
  --no-serve)
    serve=0
    shift
    ;;
  -h | --help)
    sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "serve.sh: unknown option '$1' (see --help)" >&2
    exit 2
    ;;
  esac
done
case $port in
'' | *[!0-9]*) echo "serve.sh: --port '$port' is not a port number" >&2; exit 2 ;;
esac
[ "$port" -le 65535 ] || { echo "serve.sh: --port $port is over 65535" >&2; exit 2; }

if [ -n "${TFUND_BIN:-}" ]; then
  tfund_bin=$(realpath "$TFUND_BIN")
else
  bash .ci/install-deps
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "$(nproc)" >/dev/null
  tfund_bin=$top/build/tfund
fi

sample_db=${TFUND_OUT:-$top/out/gcm}/gcm.db
if [ ! -f "$sample_db" ]; then
  echo "serve.sh: no sample fund yet: running samples/gcm/cycle.sh" >&2
  bash samples/gcm/cycle.sh >/dev/null
fi

team=${TFUND_TEAM_OUT:-$top/out/gcm-team}
db=$team/gcm-team.db
passwords=$team/passwords.txt
tf() { "$tfund_bin" --db "$db" "$@"; }

# id, roles, donor (the donor user's), name
users=(
  "admin|admin||Fund administrator"
  "recorder|recorder||Recording officer"
  "programme|programme||Programme officer"
  "certifying|certifying||Certifying officer"
  "approving|approving||Approving officer"
  "auditor|auditor||Auditor"
  "norway|donor|norway|Norway's contact (donor)"
)

password() {
  # 18 random bytes as 24 characters of [A-Za-z0-9_-].
  head -c 18 /dev/urandom | base64 | tr '+/' '-_'
}

if [ "$fresh" = 1 ] || [ ! -f "$db" ] || [ ! -f "$passwords" ]; then
  rm -rf "$team"
  mkdir -p "$team"
  chmod 0700 "$team"
  "$tfund_bin" --db "$sample_db" backup "$db" >/dev/null
  # Written once, readable by this login only, before any password is.
  (umask 077 && : >"$passwords")
  chmod 0600 "$passwords"
  {
    echo "# The users of the sample team fund $db"
    echo "# served by: bash samples/gcm/serve.sh (log in at /login)."
    printf '%-12s %-12s %s\n' "# user" "role" "password"
  } >>"$passwords"
  for u in "${users[@]}"; do
    IFS='|' read -r id roles donor name <<<"$u"
    args=(user add "$id" --name "$name" --role "$roles")
    [ -z "$donor" ] || args+=(--donor "$donor")
    tf "${args[@]}" >/dev/null
    pw=$(password)
    printf '%s\n' "$pw" | tf user password "$id" >/dev/null
    printf '%-12s %-12s %s\n' "$id" "$roles" "$pw" >>"$passwords"
  done
  unset pw
  tf verify >/dev/null
  echo "serve.sh: made the team fund $db" >&2
  echo "serve.sh: its users' passwords are in $passwords (mode 0600)" >&2
else
  echo "serve.sh: the team fund $db is already made (--fresh makes it again)" >&2
  echo "serve.sh: its users' passwords are in $passwords" >&2
fi
tf user list >&2

[ "$serve" = 1 ] || exit 0
echo "serve.sh: serving on 127.0.0.1:$port; stop with Ctrl-C" >&2
exec "$tfund_bin" --db "$db" serve --listen "127.0.0.1:$port"
