#!/bin/bash
# FlightDeck customizer: the cluster owner's login account and SSH key.
#
# THIS FILE IS A TEMPLATE. FlightDeck renders it for each user with
# renderUserScript() (stacks/customizer/user-script.ts), which replaces the
# three __FLIGHTDECK_…__ placeholders below with shell-quoted values, and
# uploads the result as <prefix>/<user>/configure.d/user.sh. Run unrendered,
# it refuses to do anything.
#
# Arguments: <event> <role> (e.g. `configure master`); it does the same work
# for every event and role. Idempotent: a second run changes nothing. It only
# ever adds the key, so keys the user added themselves stay.
#
# FLIGHTDECK_ROOT (empty on a node) prefixes every file path, so a test can run
# this script against a sandbox with stub useradd/groupadd/getent/chown.
set -euo pipefail
export LC_ALL=C

FD_LOGIN=__FLIGHTDECK_LOGIN__
FD_UID=__FLIGHTDECK_UID__
# The key is data: its single quotes keep a comment like `$(…)` literal.
# shellcheck disable=SC2016
FD_SSH_PUBLIC_KEY=__FLIGHTDECK_SSH_PUBLIC_KEY__

root=${FLIGHTDECK_ROOT:-}

die() {
  echo "user.sh: $*" >&2
  exit 1
}

# The renderer already checked these; checking again means a hand-edited copy
# cannot install a malformed key or an odd account either.
[[ $FD_UID =~ ^[1-9][0-9]{3,9}$ ]] ||
  die "this is the unrendered template (or a bad UID); FlightDeck renders it per user"
[[ $FD_LOGIN =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] ||
  die "refusing login name '$FD_LOGIN': not a portable Linux user name"
key_pattern='^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}( [ -~]*)?$'
[[ ${#FD_SSH_PUBLIC_KEY} -le 8192 && $FD_SSH_PUBLIC_KEY =~ $key_pattern ]] ||
  die "refusing a malformed SSH public key for $FD_LOGIN"

# One UID and GID on every node of every cluster (Slurm needs them equal, and
# they own every file of the user's home, which outlives clusters): the one the
# deployment recorded for this user. Check both before creating either.
new_user=no new_group=no
if ! getent passwd "$FD_LOGIN" >/dev/null; then
  owner=$(getent passwd "$FD_UID" | cut -d: -f1) || true
  [ -z "$owner" ] || die "UID $FD_UID already belongs to $owner"
  new_user=yes
fi
if ! getent group "$FD_LOGIN" >/dev/null; then
  owner=$(getent group "$FD_UID" | cut -d: -f1) || true
  [ -z "$owner" ] || die "GID $FD_UID already belongs to group $owner"
  new_group=yes
fi
[ "$new_group" = no ] || groupadd --gid "$FD_UID" "$FD_LOGIN"
if [ "$new_user" = yes ]; then
  # The home is the user's own file system, mounted before the customizers run.
  create_home=--create-home
  [ -d "$root/home/$FD_LOGIN" ] && create_home=--no-create-home
  useradd --uid "$FD_UID" --gid "$FD_LOGIN" --home-dir "/home/$FD_LOGIN" \
    --shell /bin/bash "$create_home" "$FD_LOGIN"
fi
actual_uid=$(getent passwd "$FD_LOGIN" | cut -d: -f3)
[ "$actual_uid" = "$FD_UID" ] ||
  die "account $FD_LOGIN has UID $actual_uid, not $FD_UID; UIDs must match on every node"
home=$root$(getent passwd "$FD_LOGIN" | cut -d: -f6)
[ -d "$home" ] || die "home directory $home of $FD_LOGIN is missing"

ssh_dir=$home/.ssh
keys=$ssh_dir/authorized_keys
if [ ! -d "$ssh_dir" ]; then
  install -d -m 0700 "$ssh_dir"
  chown "$FD_LOGIN:$FD_LOGIN" "$ssh_dir"
fi
if ! grep -qxF -- "$FD_SSH_PUBLIC_KEY" "$keys" 2>/dev/null; then
  printf '%s\n' "$FD_SSH_PUBLIC_KEY" >>"$keys"
  chown "$FD_LOGIN:$FD_LOGIN" "$keys"
fi
[ "$(stat -c %a "$keys")" = 600 ] || chmod 0600 "$keys"

# The owner administers their own cluster (packages, services): the instance
# roles let root do no more than the cluster itself needs.
sudoers=$root/etc/sudoers.d/90-flightdeck-$FD_LOGIN
rule="$FD_LOGIN ALL=(ALL) NOPASSWD:ALL"
if [ ! -f "$sudoers" ] || [ "$(cat "$sudoers")" != "$rule" ]; then
  [ -d "$root/etc/sudoers.d" ] || install -d -m 0750 "$root/etc/sudoers.d"
  printf '%s\n' "$rule" >"$sudoers.new"
  chmod 0440 "$sudoers.new"
  mv "$sudoers.new" "$sudoers"
fi
echo "user.sh: $FD_LOGIN (UID $FD_UID) can log in with its SSH key"
