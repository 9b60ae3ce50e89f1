#!/bin/bash
# FlightDeck master (login) node: the owner's home, Slurm controller
# (configless, power saving over the compute Auto Scaling group), customizers,
# the compute node manager, then the CloudFormation signal. bootstrap.sh runs it
# once, as root, at first boot; the template carries this file in the
# master's Metadata (template/build-template.ts).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=common.sh
. /opt/flightdeck/common.sh
# shellcheck source=day-one.sh
. /opt/flightdeck/day-one.sh

FD_INSTANCE_ID=""

# CREATE_COMPLETE must mean "you can log in and submit a job", so any failure
# (fd_on_exit) fails the stack at once, with a reason, instead of waiting for
# the timeout.
fd_report_failure() {
  fd_aws signal "$FD_STACK" "$FD_SIGNAL_RESOURCE" "${FD_INSTANCE_ID:-unknown}" FAILURE "$1" ||
    fd_log "could not send the FAILURE signal; the stack fails at its timeout"
}
trap fd_on_exit EXIT

# Slurm's view of a compute node from its instance labels (type-<vCPUs>C-<GiB>GB,
# comma-separated: the types its group may launch): "<cores> <MiB>", the
# smallest of each, so that a job fits whichever type the node gets. Cores,
# because the default customizer turns hyper-threading off (the HPC families
# already run one thread per core); 95% of the memory, leaving the kernel room.
fd_node_shape() {
  local label type vcpus gib threads cores=0 memory=0 c m
  local -a labels
  IFS=, read -r -a labels <<<"$1"
  for label in "${labels[@]}"; do
    type=${label%%-*}
    vcpus=${label#*-}
    vcpus=${vcpus%%C-*}
    gib=${label##*C-}
    gib=${gib%GB}
    threads=2
    case $type in hpc*) threads=1 ;; esac
    read -r c m < <(awk -v v="$vcpus" -v t="$threads" -v g="$gib" \
      'BEGIN { c = int(v / t); printf "%d %d\n", (c < 1 ? 1 : c), int(g * 1024 * 0.95) }')
    if [ "$cores" -eq 0 ] || [ "$c" -lt "$cores" ]; then cores=$c; fi
    if [ "$memory" -eq 0 ] || [ "$m" -lt "$memory" ]; then memory=$m; fi
  done
  echo "$cores $memory"
}

fd_step "installing packages"
fd_apt_install munge slurmctld slurm-client nfs-common "${FD_DAY_ONE_PACKAGES_MASTER[@]}"
FD_INSTANCE_ID=$(fd_metadata instance-id)
FD_MASTER_IP=$(fd_metadata local-ipv4)

fd_step "installing the munge key"
fd_install_munge_key

fd_step "mounting your home at /home/$FD_USER"
fd_mount_home

fd_step "configuring slurmctld"
install -d -o slurm -g slurm -m 0755 /var/spool/slurmctld /var/log/slurm
# Slurm runs flightdeck-nodes.py (as SlurmUser) through these links to wake
# the compute node manager, which runs as root and makes the AWS calls. It
# imports flightdeck_nodes_plan.py and flightdeck_nodes_slurm.py from its own
# folder (links resolved), which need only be readable, as bootstrap.sh
# writes them.
install -d -o slurm -g slurm -m 0755 /var/spool/flightdeck /var/log/flightdeck
install -d -m 0755 /opt/flightdeck/power
chmod 0755 /opt/flightdeck/flightdeck-nodes.py
for event in resume suspend resume-fail; do
  ln -sf ../flightdeck-nodes.py "/opt/flightdeck/power/$event"
done
read -r node_cpus node_memory < <(fd_node_shape "$FD_COMPUTE_INSTANCES")
node_count=$FD_MAX_NODES
[ "$FD_AUTOSCALING" = enabled ] || node_count=$FD_INITIAL_NODES
# Power saving: Slurm decides which nodes run and calls flightdeck-nodes.py,
# which gives each an instance of the compute group (whose MaxSize is the cap).
# idle_on_node_suspend returns a node Slurm powers down to service whatever its
# state, so a broken node comes back after SuspendTime.
params="enable_configless,idle_on_node_suspend"
params+=",power_save_interval=$(fd_seconds 1/6),power_save_min_interval=0"
version=$(slurmctld -V | awk '{ split($2, v, "."); printf "%d", v[1] * 100 + v[2] }')
# Before 23.11 a cloud node's address is learnt at registration only with
# cloud_reg_addrs (23.11 always does it and calls the option defunct); before
# 23.02 powered-down cloud nodes are hidden without PrivateData=cloud.
[ "$version" -ge 2311 ] || params+=",cloud_reg_addrs"
{
  echo "ClusterName=${FD_CLUSTER,,}"
  echo "SlurmctldHost=$(hostname -s)($FD_MASTER_IP)"
  echo "SlurmctldParameters=$params"
  echo "SlurmUser=slurm"
  echo "AuthType=auth/munge"
  # Also how long a requeued job waits before it may start again.
  echo "AuthInfo=cred_expire=$(fd_seconds 2)"
  echo "CredType=cred/munge"
  echo "StateSaveLocation=/var/spool/slurmctld"
  echo "SlurmdSpoolDir=/var/spool/slurmd"
  echo "SlurmctldPidFile=/run/slurmctld.pid"
  echo "SlurmdPidFile=/run/slurmd.pid"
  echo "SlurmctldLogFile=/var/log/slurm/slurmctld.log"
  echo "SlurmdLogFile=/var/log/slurm/slurmd.log"
  fd_day_one_slurm_conf "$node_cpus" "$node_memory"
  echo "SelectType=select/cons_tres"
  echo "ReturnToService=2"
  # A job no cluster this size could ever run is refused at sbatch, not left
  # pending (and powering nodes up) for ever.
  echo "EnforcePartLimits=ALL"
  echo "SlurmdTimeout=$(fd_seconds 5)"
  # Cloud nodes have no DNS names: slurmctld talks to each one directly.
  echo "TreeWidth=65533"
  [ "$version" -ge 2302 ] || echo "PrivateData=cloud"
  # Only the rehearsal sets this (config_overrides: see docs/rehearsal.md, its seams).
  [ -z "${FD_SLURMD_PARAMETERS:-}" ] || echo "SlurmdParameters=$FD_SLURMD_PARAMETERS"
  echo "ResumeProgram=/opt/flightdeck/power/resume"
  echo "SuspendProgram=/opt/flightdeck/power/suspend"
  echo "ResumeFailProgram=/opt/flightdeck/power/resume-fail"
  echo "ResumeTimeout=$(fd_seconds 30)"
  echo "SuspendTime=$(fd_seconds 10)"
  echo "SuspendTimeout=$(fd_seconds 2)"
  echo "ResumeRate=0"
  echo "SuspendRate=0"
  if [ "$node_count" -gt 0 ]; then
    echo "NodeName=compute-[1-$node_count] CPUs=$node_cpus RealMemory=$node_memory State=CLOUD Feature=compute"
    echo "PartitionName=compute Nodes=compute-[1-$node_count] Default=YES MaxTime=INFINITE State=UP"
    # A fixed cluster: its nodes start with it and never power down.
    [ "$FD_AUTOSCALING" = enabled ] || echo "SuspendExcNodes=compute-[1-$node_count]"
  else
    # A fixed cluster of no compute nodes: slurmctld needs a node and a partition,
    # so one that never exists (FUTURE), and sbatch refuses jobs (INACTIVE).
    echo "NodeName=compute-1 CPUs=$node_cpus RealMemory=$node_memory State=FUTURE Feature=compute"
    echo "PartitionName=compute Nodes=compute-1 Default=YES MaxTime=INFINITE State=INACTIVE"
  fi
} >/etc/slurm/slurm.conf
fd_day_one_cgroup_conf

fd_step "starting job accounting"
fd_day_one_accounting

fd_step "starting slurmctld"
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
# owner's user.sh must have created it, with the UID their home belongs to.
fd_step "checking the login account"
fd_check_account

# A new home is an empty file system owned by root: the first cluster hands
# it to its owner, with the usual dotfiles. Later clusters find it as the
# owner left it, and change nothing.
fd_step "handing a new home to its owner"
home=/home/$FD_USER
if [ "$(stat -c %u "$home")" = 0 ]; then
  for file in /etc/skel/.[!.]*; do
    if [ -e "$file" ] && [ ! -e "$home/${file##*/}" ]; then cp -a "$file" "$home/"; fi
  done
  chown -R "$FD_UID:$FD_UID" "$home"
  chmod 0700 "$home"
fi

fd_step "setting up SSH between nodes, results out and the login message"
fd_day_one_ssh_master
# The login message's lifetime lines: the idle policy this cluster has, and
# the maximum lifetime the control plane enforces.
if [ "$FD_IDLE_MINUTES" -gt 0 ]; then
  idle="deleted after $FD_IDLE_MINUTES minutes with no job and nobody logged in"
else
  idle="never deleted for being idle"
fi
printf '%s\n  %s\n' "Lifetime: $idle," \
  "and at its maximum lifetime (flightdeck status shows when; flightdeck extend asks for more)." \
  >/etc/flightdeck/lifetime.txt
fd_day_one_login

# Writes and starts one of FlightDeck's daemons on the master, after
# slurmctld, with boot.env and its own environment file:
# fd_service <name> <description> <Restart=> <command> <environment file>
fd_service() {
  cat >"/etc/systemd/system/$1.service" <<UNIT
[Unit]
Description=$2
After=slurmctld.service

[Service]
Type=simple
EnvironmentFile=/etc/flightdeck/boot.env
EnvironmentFile=$5
ExecStart=$4
Restart=$3
RestartSec=5

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable --now "$1"
}

fd_step "starting the compute node manager"
# An instance nobody claims (one the group launched on its own, to replace
# one that went) is terminated after 3 minutes; a pool without capacity is
# tried again after 2 (a requeued job waits that long anyway: cred_expire).
{
  echo "FD_CLAIM_SECONDS=$(fd_seconds 3)"
  echo "FD_LAUNCH_GRACE_SECONDS=$(fd_seconds 5)"
  echo "FD_BACKOFF_SECONDS=$(fd_seconds 10)"
  echo "FD_CAPACITY_RETRY_SECONDS=$(fd_seconds 2)"
  echo "FD_SPOT_FALLBACK_SECONDS=$(fd_seconds "$FD_SPOT_FALLBACK_MINUTES")"
  echo "FD_POLL_SECONDS=$(fd_seconds 1/6)"
} >/etc/flightdeck/nodes.env
fd_service flightdeck-nodes \
  "FlightDeck compute nodes: Slurm power saving on the compute Auto Scaling group" always \
  "/usr/bin/python3 /opt/flightdeck/flightdeck-nodes.py run" /etc/flightdeck/nodes.env
fd_step "starting the idle watcher"
{
  echo "FD_IDLE_SECONDS=$(fd_seconds "$FD_IDLE_MINUTES")"
  echo "FD_IDLE_POLL_SECONDS=$(fd_seconds 1/2)"
} >/etc/flightdeck/idle.env
fd_service flightdeck-idle \
  "FlightDeck idle watcher: deletes the cluster after IdleDeleteMinutes without jobs or logins" \
  on-failure "/usr/bin/python3 /opt/flightdeck/flightdeck-idle.py" /etc/flightdeck/idle.env
if [ "$FD_INITIAL_NODES" -gt 0 ]; then
  scontrol update nodename="compute-[1-$FD_INITIAL_NODES]" state=power_up
fi

fd_step "signalling success"
fd_aws signal "$FD_STACK" "$FD_SIGNAL_RESOURCE" "$FD_INSTANCE_ID" SUCCESS
fd_log "ready"
