#!/bin/bash
# FlightDeck compute node: munge key, /home from the master, customizers, then
# slurmd as a dynamic node (slurmd -Z) that fetches its config from the master.
# bootstrap.sh runs it once, as root, at first boot; the template carries this
# file in the compute launch template's Metadata (template/build-template.ts).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=common.sh
. /opt/flightdeck/common.sh

# A compute node has no CloudFormation signal to fail. A failure before slurmd
# starts is logged to the console; the scaler terminates nodes that never join.
fd_on_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return 0
  fd_log "BOOT FAILED: $(fd_failure_reason "$rc"); see /var/log/cloud-init-output.log"
}
trap fd_on_exit EXIT

fd_step "installing packages"
fd_apt_install munge slurmd slurm-client nfs-common

fd_step "installing the munge key"
fd_install_munge_key

fd_step "mounting /home from $FD_MASTER_IP"
grep -q '[[:space:]]/home[[:space:]]' /etc/fstab ||
  printf '%s:/home /home nfs4 defaults,_netdev,hard 0 0\n' "$FD_MASTER_IP" >>/etc/fstab
for attempt in 1 2 3 4 5 6; do
  mountpoint -q /home && break
  mount /home || sleep $((attempt * 5))
done
mountpoint -q /home

# Customizers run before slurmd starts, so that what they change (hyper-
# threading, packages) is what slurmd reports when it registers.
fd_step "running customizers"
customizer_failure=""
fd_run_customizers || customizer_failure=${FD_FAILURE:-"customizers failed"}

fd_step "starting slurmd"
install -d -m 0755 /var/spool/slurmd /var/log/slurm /etc/systemd/system/slurmd.service.d
# Replaces the packaged command line: configless nodes have no slurm.conf for
# a ConditionPathExists to find, and the flags must not depend on how the
# package reads /etc/default/slurmd.
cat >/etc/systemd/system/slurmd.service.d/flightdeck.conf <<EOF
[Unit]
ConditionPathExists=

[Service]
Type=simple
ExecStart=
ExecStart=/usr/sbin/slurmd -D -Z --conf-server $FD_MASTER_IP --conf Feature=compute
EOF
systemctl daemon-reload
systemctl enable slurmd
systemctl restart slurmd

# A node whose customizers failed still registers, then drains, so that the
# reason shows in `sinfo -R` on the login node instead of jobs failing on it.
if [ -n "$customizer_failure" ]; then
  node=$(hostname -s)
  for _ in $(seq 60); do
    scontrol show node "$node" >/dev/null 2>&1 && break
    sleep 5
  done
  scontrol update nodename="$node" state=drain reason="$customizer_failure"
  FD_FAILURE=$customizer_failure
  exit 1
fi
fd_log "ready"
