#!/bin/bash
# FlightDeck customizer: a few tools every node of a research cluster wants.
# Arguments: <event> <role>; the same packages go on every role, because jobs
# run on compute nodes and are built on the login node.
# Idempotent: installs only what is missing, so a re-run downloads nothing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

packages=(build-essential gfortran environment-modules git htop tmux python3-venv)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "10-packages.sh: all packages present"
  exit 0
fi
echo "10-packages.sh: installing ${missing[*]}"
# The first boot may race unattended-upgrades for the dpkg lock: wait for it.
apt-get -q -o DPkg::Lock::Timeout=600 update
apt-get -q -y -o DPkg::Lock::Timeout=600 install "${missing[@]}"
