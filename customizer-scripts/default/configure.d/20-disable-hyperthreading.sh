#!/bin/bash
# FlightDeck customizer: one hardware thread per core on compute nodes.
# HPC codes usually run faster without sibling threads competing for a core,
# and Slurm then counts cores, not threads. The login node keeps its threads.
#
# Arguments: <event> <role>; acts only when the role is `slave` (compute).
# Idempotent: a thread already offline is left alone, so a re-run changes
# nothing. It runs before slurmd starts, so slurmd registers the real count.
# FLIGHTDECK_SYSFS (default /sys) lets a test run it against a fake tree.
set -euo pipefail
export LC_ALL=C

role=${2:-}
if [ "$role" != slave ]; then
  echo "20-disable-hyperthreading.sh: role '$role' keeps its threads"
  exit 0
fi

cpus=${FLIGHTDECK_SYSFS:-/sys}/devices/system/cpu
offlined=0
for cpu in "$cpus"/cpu[0-9]*; do
  number=${cpu##*/cpu}
  online=$cpu/online
  siblings=$cpu/topology/thread_siblings_list
  # cpu0 usually has no `online` file: it cannot go offline. An offline CPU
  # may have lost its topology directory, which is fine: it is already off.
  if [ ! -f "$online" ] || [ ! -f "$siblings" ]; then continue; fi
  [ "$(cat "$online")" = 1 ] || continue
  # The list reads like "0,4" or "0-1"; the first thread of a core stays.
  first=$(cut -d, -f1 "$siblings" | cut -d- -f1)
  if [ "$number" != "$first" ]; then
    echo 0 >"$online"
    offlined=$((offlined + 1))
  fi
done
echo "20-disable-hyperthreading.sh: took $offlined sibling threads offline"
