#!/bin/bash
# FlightDeck day-one library: what an HPC user expects of a new cluster, kept
# apart from master.sh and compute.sh, which source it and call these
# functions. MPI (Open MPI and PMIx through srun), SSH between the cluster's
# nodes for the user, jobs held to what they asked for (cgroups), job history
# (slurmdbd and MariaDB on the master), scratch, results out to S3
# (flightdeck-sync) and the login message.
# shellcheck shell=bash
# The arrays are read by master.sh and compute.sh, FD_FAILURE by common.sh.
# shellcheck disable=SC2034

# What each role installs for these, besides Slurm itself.
FD_DAY_ONE_PACKAGES_MASTER=(openmpi-bin libopenmpi-dev openssh-server mariadb-server slurmdbd)
FD_DAY_ONE_PACKAGES_COMPUTE=(openmpi-bin libopenmpi-dev openssh-server)

# slurm.conf lines for limits and accounting, given a compute node's cores
# and MiB (master.sh adds them). Memory is scheduled like cores, and a job
# that names none gets its cores' share of the node, not all of it. cgroups
# hold each job to what it was given; slurmdbd keeps the history `sacct`
# shows. Ubuntu 24.04 runs cgroup v2, autodetected.
fd_day_one_slurm_conf() {
  local cpus=$1 memory=$2
  echo "SelectTypeParameters=CR_Core_Memory"
  echo "DefMemPerCPU=$((memory / cpus))"
  echo "ProctrackType=proctrack/cgroup"
  echo "TaskPlugin=task/cgroup,task/affinity"
  echo "JobAcctGatherType=jobacct_gather/cgroup"
  echo "AccountingStorageType=accounting_storage/slurmdbd"
  echo "AccountingStorageHost=localhost"
  echo "JobCompType=jobcomp/none"
}

# Configless slurmd fetch cgroup.conf from slurmctld with slurm.conf.
fd_day_one_cgroup_conf() {
  cat >/etc/slurm/cgroup.conf <<'EOF'
CgroupPlugin=autodetect
ConstrainCores=yes
ConstrainRAMSpace=yes
EOF
}

# Job history: MariaDB on the master, reached over its socket by the slurm
# account (unix_socket authentication: no password exists to leak), and
# slurmdbd in front of it. Before slurmctld starts, so it registers at once.
fd_day_one_accounting() {
  local db=slurm_acct_db
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  systemctl enable mariadb
  systemctl restart mariadb
  for _ in $(seq 60); do
    mysqladmin ping >/dev/null 2>&1 && break
    sleep 1
  done
  mysql -e "CREATE DATABASE IF NOT EXISTS $db;
    CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED VIA unix_socket;
    GRANT ALL ON $db.* TO 'slurm'@'localhost';" || {
    FD_FAILURE="MariaDB did not start; see /var/log/mysql/error.log"
    return 1
  }
  install -d -o slurm -g slurm -m 0755 /var/log/slurm
  install -o slurm -g slurm -m 0600 /dev/null /etc/slurm/slurmdbd.conf
  cat >/etc/slurm/slurmdbd.conf <<EOF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StorageLoc=$db
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
EOF
  systemctl enable slurmdbd
  systemctl restart slurmdbd
  for _ in $(seq 60); do
    sacctmgr -i add cluster "${FD_CLUSTER,,}" >/dev/null 2>&1 && return 0
    sacctmgr -n list cluster format=cluster 2>/dev/null | grep -qw "${FD_CLUSTER,,}" && return 0
    sleep 1
  done
  FD_FAILURE="slurmdbd did not start; see /var/log/slurm/slurmdbd.log"
  return 1
}

# SSH between the cluster's nodes, by their Slurm names. Every node has the
# same host key, derived from a secret of the stack (flightdeck-aws.py
# host-key), so one known_hosts line names every node, including compute
# nodes not launched yet (a re-launched compute-3 is a new instance with the
# same key). The key never leaves the cluster's nodes.
fd_day_one_ssh() {
  local master_name=$1 master_ip=$2 public
  fd_aws host-key "$FD_HOST_KEY_SECRET" /etc/ssh/ssh_host_ed25519_key
  chmod 0644 /etc/ssh/ssh_host_ed25519_key.pub
  public=$(cut -d' ' -f1-2 /etc/ssh/ssh_host_ed25519_key.pub)
  printf 'compute-*,%s,%s %s\n' "$master_name" "$master_ip" "$public" >/etc/ssh/ssh_known_hosts
  chmod 0644 /etc/ssh/ssh_known_hosts
  install -m 0755 /opt/flightdeck/flightdeck-node-connect.py /usr/local/bin/flightdeck-node-connect
  install -d -m 0755 /etc/ssh/ssh_config.d
  cat >/etc/ssh/ssh_config.d/50-flightdeck.conf <<'EOF'
# FlightDeck: the cluster's compute nodes by their Slurm names.
Host compute-*
    ProxyCommand /usr/local/bin/flightdeck-node-connect %h %p
    StrictHostKeyChecking yes
EOF
  systemctl enable ssh
  systemctl restart ssh
}

# The master also gives the user a key of their own, in their home, which
# every node of all their clusters accepts: made by their first cluster,
# kept with the home.
fd_day_one_ssh_master() {
  local login=$FD_USER home key
  fd_day_one_ssh "$(hostname -s)" "$FD_MASTER_IP"
  home=$(getent passwd "$login" | cut -d: -f6)
  key=$home/.ssh/id_ed25519
  if [ ! -f "$key" ]; then
    install -d -o "$login" -g "$login" -m 0700 "$home/.ssh"
    setpriv --reuid="$login" --regid="$login" --init-groups \
      ssh-keygen -q -t ed25519 -N '' -C "$login (FlightDeck clusters)" -f "$key"
  fi
  grep -qxF -- "$(cat "$key.pub")" "$home/.ssh/authorized_keys" 2>/dev/null ||
    cat "$key.pub" >>"$home/.ssh/authorized_keys"
  chown "$login:$login" "$home/.ssh/authorized_keys"
  chmod 0600 "$home/.ssh/authorized_keys"
}

fd_day_one_ssh_compute() {
  fd_day_one_ssh "${FD_MASTER_NAME%%.*}" "$FD_MASTER_IP"
}

# Node-local scratch at /scratch: the instance store, when the type has one
# (its NVMe devices, formatted at each boot: it is empty on every launch),
# else a folder on the root volume. Deleted with the node.
fd_day_one_scratch() {
  local device
  install -d -m 1777 /scratch
  device=$(lsblk -dnpo NAME,MODEL 2>/dev/null | awk '/Instance Storage/ { print $1; exit }')
  [ -n "$device" ] && ! mountpoint -q /scratch || return 0
  if mkfs.ext4 -q -F "$device" && mount -o noatime "$device" /scratch; then
    chmod 1777 /scratch
  else
    fd_log "instance store $device not usable; /scratch is on the root volume"
  fi
}

# flightdeck-sync, and the login message saying what this cluster is.
fd_day_one_login() {
  local results="s3://$FD_USER_BUCKET/$FD_USER_PREFIX/results/$FD_CLUSTER/"
  cat >/usr/local/bin/flightdeck-sync <<'SYNC'
#!/bin/bash
# flightdeck-sync <folder>: copies a folder to this cluster's results in the
# FlightDeck bucket, with the master's role (which may write only there).
set -euo pipefail
set -a
. /etc/flightdeck/boot.env
set +a
exec python3 /opt/flightdeck/flightdeck-aws.py sync "$@"
SYNC
  chmod 0755 /usr/local/bin/flightdeck-sync
  # Lifetime policy (idle and expiry deletion): written by master.sh from the
  # cluster's IdleDeleteMinutes; absent, none applies.
  local lifetime="This cluster is deleted only when you delete it."
  [ -s /etc/flightdeck/lifetime.txt ] && lifetime=$(cat /etc/flightdeck/lifetime.txt)
  # The first label is the type the user chose; the others are alternatives of its shape.
  local first=${FD_COMPUTE_INSTANCES%%,*} market="$FD_COMPUTE_MARKET"
  [ "$first" = "$FD_COMPUTE_INSTANCES" ] ||
    market+=", on whichever has capacity: ${FD_COMPUTE_INSTANCES//,/, }"
  [ -z "${FD_ASG_FALLBACK:-}" ] ||
    market+="; on-demand after $FD_SPOT_FALLBACK_MINUTES minutes without spot"
  cat >/etc/motd <<EOF

FlightDeck cluster "$FD_CLUSTER" (login node $(hostname -s))
  Compute nodes: up to $FD_MAX_NODES x $first, started by Slurm when
  jobs need them (sinfo, sbatch, srun --mpi=pmix, sacct).
  Instances: $market.
  $lifetime

  Your home, /home/$FD_USER, is kept when this cluster is deleted: it is the
  same on every node of all your clusters. Everything else on this cluster
  (/scratch, /tmp, software installed outside your home) is deleted with it.
  To share results outside:   flightdeck-sync <folder>   (to $results)

EOF
}
