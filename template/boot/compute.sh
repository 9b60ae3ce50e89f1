#!/bin/bash
# FlightDeck compute node: munge key, the owner's home, its Slurm node
# name, customizers, then slurmd under that name, fetching its config from the
# master. The master's compute node manager (flightdeck-nodes.py) launched
# this instance for a node Slurm powered up, and names it by tagging the
# instance; the name is read from the instance metadata. bootstrap.sh runs
# this once, as root, at first boot; the template carries it in the compute
# launch template's Metadata (template/build-template.ts).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=common.sh
. /opt/flightdeck/common.sh
# shellcheck source=day-one.sh
. /opt/flightdeck/day-one.sh

FD_NODE=""

# A compute node has no CloudFormation signal to fail. A failure is logged
# to the console (fd_on_exit) and, once the node has a name, set as its Slurm
# reason (`sinfo -R`); the master then terminates the instance and requeues
# its job.
fd_report_failure() {
  [ -n "$FD_NODE" ] || return 0
  # slurmd is not running, so the command finds slurmctld through SLURM_CONF_SERVER.
  SLURM_CONF_SERVER=$FD_MASTER_IP scontrol update nodename="$FD_NODE" state=down \
    reason="boot failed: ${1:0:100}" || fd_log "could not set $FD_NODE down"
}
trap fd_on_exit EXIT

fd_step "installing packages"
fd_apt_install munge slurmd slurm-client nfs-common "${FD_DAY_ONE_PACKAGES_COMPUTE[@]}"

fd_step "installing the munge key"
fd_install_munge_key

fd_step "mounting your home at /home/$FD_USER"
fd_mount_home

fd_step "waiting for a Slurm node name (instance tag $FD_NODE_TAG)"
deadline=$(($(date +%s) + $(fd_seconds 10)))
until FD_NODE=$(fd_metadata "tags/instance/$FD_NODE_TAG" 2>/dev/null); do
  [ "$(date +%s)" -lt "$deadline" ] || {
    FD_FAILURE="no $FD_NODE_TAG tag: no Slurm node claimed this instance"
    exit 1
  }
  sleep 2
done
hostnamectl set-hostname "$FD_NODE"
printf '%s %s\n' "$(fd_metadata local-ipv4)" "$FD_NODE" >>/etc/hosts

fd_step "setting up SSH between nodes and /scratch"
fd_day_one_ssh_compute
fd_day_one_scratch

# Customizers run before slurmd starts, so that what they change (hyper-
# threading, packages) is what slurmd reports, and a node whose customizers
# fail never runs a job.
fd_step "running customizers"
fd_run_customizers

fd_step "checking the login account"
fd_check_account

fd_step "starting slurmd as $FD_NODE"
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
ExecStart=/usr/sbin/slurmd -D -N $FD_NODE --conf-server $FD_MASTER_IP
EOF
systemctl daemon-reload
systemctl enable slurmd
systemctl restart slurmd

# A spot node drains itself and requeues its jobs when AWS says it will
# reclaim the instance (flightdeck-interruptions.py); AWS advises polling the
# metadata every 5 seconds of its 2-minute notice.
fd_step "watching for spot interruptions"
{
  echo "FD_NODE=$FD_NODE"
  echo "FD_INTERRUPTION_POLL_SECONDS=$(fd_seconds 1/12)"
} >/etc/flightdeck/interruptions.env
cat >/etc/systemd/system/flightdeck-interruptions.service <<'UNIT'
[Unit]
Description=FlightDeck spot interruption watcher: drain and requeue on AWS's notice
After=slurmd.service

[Service]
Type=simple
EnvironmentFile=/etc/flightdeck/boot.env
EnvironmentFile=/etc/flightdeck/interruptions.env
ExecStart=/usr/bin/python3 /opt/flightdeck/flightdeck-interruptions.py
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now flightdeck-interruptions
fd_log "ready"
