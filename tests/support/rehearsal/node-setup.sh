#!/bin/bash
# Rehearsal node: turns this machine's root file system into one instance's.
# Runs as pid 1 of fresh mount, pid and uts namespaces, inside the instance's
# network namespace (node-container.ts starts it), then becomes the node's
# init. The node sees:
#   /            an overlay of this machine's / with a private, in-memory upper
#                layer seeded from <instance>/image (the seams and the user data)
#   /home        empty, as on a fresh image: the owner's home (EFS) is mounted
#                there at boot, through the fake's mount targets
#   /var/log     <instance>/log, kept after the node is gone
#   /proc, /run, /tmp, /dev   its own
#   /sys         this machine's, read-only, but for its own cgroups (below)
# Killing pid 1 ("terminating the instance") ends every process and mount.
set -euo pipefail

instance=$1
root=$instance/root
layer=$instance/layer

hostname "$(cat "$instance/image/etc/hostname")"
# Copies of other runs' and nodes' namespace mounts would keep those namespaces alive.
if mountpoint -q /run/netns; then umount -l /run/netns; fi

mkdir -p "$root" "$layer"
mount -t tmpfs -o mode=0755 fdr-layer "$layer"
mkdir -p "$layer/upper" "$layer/work"
cp -a "$instance/image/." "$layer/upper/"
mount -t overlay fdr-root -o "lowerdir=/,upperdir=$layer/upper,workdir=$layer/work" "$root"

mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=0755,nosuid,nodev fdr-run "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev fdr-tmp "$root/tmp"
mount --rbind /sys "$root/sys"
mount -o remount,bind,ro "$root/sys"

mount -t tmpfs -o mode=0755,nosuid fdr-dev "$root/dev"
for device in null zero full random urandom tty; do
  touch "$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done
mkdir -m 0755 "$root/dev/pts"
mkdir -m 1777 "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"

mkdir -p "$instance/log"
mount --bind "$instance/log" "$root/var/log"
install -d -o munge -g munge -m 0700 "$root/var/log/munge"
mount -t tmpfs -o mode=0755 fdr-home "$root/home"

# Its own cgroups, as a VM has: a cgroup of each v1 hierarchy (named after the
# run and instance, so run.ts removes them), made the root of a new cgroup
# namespace and mounted at the node's /sys/fs/cgroup. slurmd's /slurm/uid_*/
# job_* trees of two nodes never meet, and cleaning one up leaves the others.
node_cgroup="fdr-$(basename "$(dirname "$(dirname "$instance")")")-$(basename "$instance")"
hierarchies=()
# Read at once: the file changes as this process moves between cgroups.
own_cgroups=$(cat /proc/self/cgroup)
while IFS=: read -r _ controllers path; do
  [ -n "$controllers" ] || continue # the v2 hierarchy: Slurm on this host uses v1
  folder=/sys/fs/cgroup/${controllers#name=}
  [ -d "$folder$path" ] || continue
  mkdir -p "$folder$path/$node_cgroup"
  if [ "$controllers" = cpuset ]; then
    cat "$folder$path/cpuset.cpus" >"$folder$path/$node_cgroup/cpuset.cpus"
    cat "$folder$path/cpuset.mems" >"$folder$path/$node_cgroup/cpuset.mems"
  fi
  echo $$ >"$folder$path/$node_cgroup/cgroup.procs"
  hierarchies+=("$controllers")
done <<<"$own_cgroups"

# shellcheck disable=SC2016
exec unshare --cgroup /bin/bash -c '
  set -euo pipefail
  root=$1
  shift
  mount -t tmpfs -o mode=0755,nosuid,nodev,noexec fdr-cgroup "$root/sys/fs/cgroup"
  for controllers in "$@"; do
    mkdir -p "$root/sys/fs/cgroup/${controllers#name=}"
    options=$controllers
    [[ $controllers == name=* ]] && options=none,$controllers
    mount -t cgroup -o "$options" cgroup "$root/sys/fs/cgroup/${controllers#name=}"
  done
  exec chroot "$root" /sbin/fdr-init
' node-cgroups "$root" "${hierarchies[@]}"
