#!/bin/bash
# FlightDeck boot library, sourced by master.sh and compute.sh from
# /opt/flightdeck/. The user data writes /etc/flightdeck/boot.env, which holds
# the stack's values (FD_* variables).
# shellcheck shell=bash

# shellcheck source=/dev/null
. /etc/flightdeck/boot.env

# LC_ALL=C makes globs sort bytewise, so customizers run in plain lexical order.
export LC_ALL=C DEBIAN_FRONTEND=noninteractive AWS_DEFAULT_REGION="$FD_REGION"
FD_STEP="starting"
# A one-line reason for a failure; the master's FAILURE signal carries it.
FD_FAILURE=""

fd_log() {
  printf 'flightdeck[%s]: %s\n' "$FD_ROLE" "$*" >&2
}

fd_step() {
  FD_STEP=$1
  fd_log "$1"
}

# What failed, for the log and the master's FAILURE signal.
fd_failure_reason() {
  printf '%s' "${FD_FAILURE:-"$FD_STEP failed (exit $1)"}"
}

# The EXIT trap of master.sh and compute.sh (`trap fd_on_exit EXIT`): a failed
# boot is logged to the console with its reason, which the fd_report_failure
# each script defines then reports its role's way.
fd_on_exit() {
  local rc=$? reason
  [ "$rc" -eq 0 ] && return 0
  reason=$(fd_failure_reason "$rc")
  fd_log "BOOT FAILED: $reason; see /var/log/cloud-init-output.log"
  fd_report_failure "$reason"
}

fd_aws() {
  python3 /opt/flightdeck/flightdeck-aws.py "$@"
}

# The seconds in $1 minutes (whole, or a fraction such as 1/6), rounded up, at
# least 1. Every timeout the boot scripts derive goes through here, so
# FD_SECONDS_PER_MINUTE (60 unless the rehearsal compresses time) scales them all.
fd_seconds() {
  awk -v m="$1" -v s="${FD_SECONDS_PER_MINUTE:-60}" 'BEGIN {
    n = split(m, f, "/"); v = f[1] * s / (n > 1 ? f[2] : 1); v = int(v + 0.999)
    print (v < 1 ? 1 : v)
  }'
}

# The first boot races unattended-upgrades for the dpkg lock, and mirrors blip:
# wait for the lock and retry rather than fail the cluster.
fd_apt_install() {
  local attempt
  for attempt in 1 2 3 4 5; do
    if apt-get -q -o DPkg::Lock::Timeout=600 update &&
      apt-get -q -y -o DPkg::Lock::Timeout=600 install "$@"; then
      return 0
    fi
    fd_log "apt-get failed (attempt $attempt of 5)"
    sleep $((attempt * 15))
  done
  return 1
}

# IMDSv2 only: the instances require a session token.
fd_metadata() {
  local token
  token=$(curl -sSf --retry 5 --retry-connrefused -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300" http://169.254.169.254/latest/api/token)
  curl -sSf --retry 5 --retry-connrefused -H "X-aws-ec2-metadata-token: $token" \
    "http://169.254.169.254/latest/meta-data/$1"
}

# The owner's home: their own EFS file system at /home/<login>, the same on
# every node of every cluster they run, and kept when this cluster goes. It
# is reached over NFS (AWS's recommended options); only instances carrying
# the home's client security group reach its mount targets. The name resolves
# to the mount target in this node's own Availability Zone.
fd_mount_home() {
  local home=/home/$FD_USER attempt
  install -d -m 0755 "$home"
  grep -q "[[:space:]]${home}[[:space:]]" /etc/fstab ||
    printf '%s:/ %s nfs4 %s 0 0\n' "$FD_HOME_HOST" "$home" \
      nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev \
      >>/etc/fstab
  for attempt in 1 2 3 4 5 6; do
    mountpoint -q "$home" && return 0
    mount "$home" || sleep "$(fd_seconds "$attempt/12")"
  done
  mountpoint -q "$home" || {
    FD_FAILURE="cannot mount your home $FD_HOME_HOST at $home"
    return 1
  }
}

# The owner's account must have the UID the deployment recorded: that number
# owns every file of their home, on every cluster, for good.
fd_check_account() {
  local uid
  uid=$(id -u "$FD_USER" 2>/dev/null) || {
    FD_FAILURE="no account $FD_USER after the customizers (is $FD_PROFILES/configure.d/user.sh there?)"
    return 1
  }
  [ "$uid" = "$FD_UID" ] || {
    FD_FAILURE="account $FD_USER has UID $uid, not $FD_UID, which owns its home"
    return 1
  }
}

# Every node fetches the same key from Secrets Manager, so no node waits for
# another and the key never appears in user data.
fd_install_munge_key() {
  install -d -o munge -g munge -m 0700 /etc/munge
  fd_aws munge-key "$FD_MUNGE_SECRET" /etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  systemctl enable munge
  systemctl restart munge
}

# Runs <prefix>/default/configure.d/* and then <prefix>/<user id>/configure.d/*
# in lexical order, each as `<script> configure <role>`. The user's folder is
# FD_PROFILES (their IAM name or session-tag value); FD_USER is their login. Stops at the first
# failure and leaves its description in FD_FAILURE. Every step checks its own
# status because callers use this function in an `if`, where `set -e` is off.
fd_run_customizers() {
  local dir=/opt/flightdeck/customizer scope folder script name rc
  rm -rf "$dir" || return 1
  if ! fd_aws fetch-customizers "$FD_BUCKET" "$FD_PREFIX" "$FD_PROFILES" "$dir"; then
    FD_FAILURE="cannot download customizers from s3://$FD_BUCKET/$FD_PREFIX/"
    return 1
  fi
  if [ -z "$(ls -A "$dir/user")" ]; then
    FD_FAILURE="no customizers in s3://$FD_BUCKET/$FD_PREFIX/$FD_PROFILES/configure.d/"
    return 1
  fi
  for scope in default user; do
    folder=default
    [ "$scope" = user ] && folder=$FD_PROFILES
    for script in "$dir/$scope"/*; do
      [ -f "$script" ] || continue
      name="$folder/configure.d/${script##*/}"
      chmod 0755 "$script" || return 1
      fd_log "customizer $name configure $FD_ROLE"
      rc=0
      FLIGHTDECK_ROLE=$FD_ROLE FLIGHTDECK_CLUSTER=$FD_CLUSTER FLIGHTDECK_USER=$FD_USER \
        FLIGHTDECK_PROFILES=$FD_PROFILES FLIGHTDECK_MASTER_IP=$FD_MASTER_IP \
        "$script" configure "$FD_ROLE" || rc=$?
      if [ "$rc" -ne 0 ]; then
        FD_FAILURE="customizer $name exit $rc"
        fd_log "$FD_FAILURE"
        return 1
      fi
    done
  done
}
