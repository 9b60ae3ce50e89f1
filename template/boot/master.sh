#!/bin/bash
# FlightDeck master (login) node: Slurm controller (configless, dynamic nodes),
# /home over NFS, customizers, the optional scaler, then the CloudFormation
# signal. bootstrap.sh runs it once, as root, at first boot; the template
# carries this file in the master's Metadata (template/build-template.ts).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=common.sh
. /opt/flightdeck/common.sh

FD_INSTANCE_ID=""

# CREATE_COMPLETE must mean "you can log in and submit a job", so any failure
# fails the stack at once, with a reason, instead of waiting for the timeout.
fd_on_exit() {
  local rc=$? reason
  [ "$rc" -eq 0 ] && return 0
  reason=$(fd_failure_reason "$rc")
  fd_log "BOOT FAILED: $reason; see /var/log/cloud-init-output.log"
  fd_aws signal "$FD_STACK" "$FD_SIGNAL_RESOURCE" "${FD_INSTANCE_ID:-unknown}" FAILURE "$reason" ||
    fd_log "could not send the FAILURE signal; the stack fails at its timeout"
}
trap fd_on_exit EXIT

fd_step "installing packages"
fd_apt_install munge slurmctld slurm-client nfs-kernel-server
FD_INSTANCE_ID=$(fd_metadata instance-id)
FD_MASTER_IP=$(fd_metadata local-ipv4)

fd_step "installing the munge key"
fd_install_munge_key

# no_root_squash lets the customizers (root on every node) manage users' SSH
# keys on the shared /home; only cluster nodes reach port 2049 (security group).
fd_step "exporting /home"
install -d -m 0755 /etc/exports.d
printf '/home %s(rw,sync,no_subtree_check,no_root_squash)\n' "$FD_VPC_CIDR" \
  >/etc/exports.d/flightdeck.exports
systemctl enable nfs-server
systemctl restart nfs-server
exportfs -ra

fd_step "configuring slurmctld"
install -d -o slurm -g slurm -m 0755 /var/spool/slurmctld /var/log/slurm
# Compute nodes register themselves (slurmd -Z) with Feature=compute and fetch
# this file from slurmctld (configless), so it names no nodes.
cat >/etc/slurm/slurm.conf <<EOF
ClusterName=${FD_CLUSTER,,}
SlurmctldHost=$(hostname -s)($FD_MASTER_IP)
SlurmctldParameters=enable_configless
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MaxNodeCount=$FD_MAX_NODES
ReturnToService=2
SlurmdTimeout=300
NodeSet=computeset Feature=compute
PartitionName=compute Nodes=computeset Default=YES MaxTime=INFINITE State=UP
EOF
systemctl enable slurmctld
systemctl restart slurmctld
for _ in $(seq 60); do
  [[ $(scontrol ping 2>&1) == *"is UP"* ]] && break
  sleep 2
done
[[ $(scontrol ping 2>&1) == *"is UP"* ]] || {
  FD_FAILURE="slurmctld did not start; see /var/log/slurm/slurmctld.log"
  exit 1
}

fd_step "running customizers"
fd_run_customizers

# The LoginUser output names the AccessUsername (the owner's login); the
# owner's user.sh must have created it.
fd_step "checking the login account"
getent passwd "$FD_USER" >/dev/null || {
  FD_FAILURE="no account $FD_USER after the customizers (is $FD_PROFILES/configure.d/user.sh there?)"
  exit 1
}

if [ "$FD_AUTOSCALING" = enabled ]; then
  fd_step "starting the scaler"
  cat >/etc/systemd/system/flightdeck-scaler.service <<'EOF'
[Unit]
Description=FlightDeck compute scaler (one pass)
After=slurmctld.service

[Service]
Type=oneshot
EnvironmentFile=/etc/flightdeck/boot.env
ExecStart=/usr/bin/python3 /opt/flightdeck/flightdeck-scaler.py
EOF
  cat >/etc/systemd/system/flightdeck-scaler.timer <<'EOF'
[Unit]
Description=Run the FlightDeck compute scaler every minute

[Timer]
OnActiveSec=1min
OnUnitActiveSec=1min

[Install]
WantedBy=timers.target
EOF
  systemctl daemon-reload
  systemctl enable --now flightdeck-scaler.timer
fi

fd_step "signalling success"
fd_aws signal "$FD_STACK" "$FD_SIGNAL_RESOURCE" "$FD_INSTANCE_ID" SUCCESS
fd_log "ready"
