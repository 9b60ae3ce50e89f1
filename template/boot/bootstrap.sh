#!/bin/bash
# FlightDeck bootstrap: the static part of every node's user data, after the
# header that writes /etc/flightdeck/boot.env. It installs boto3, fetches the
# boot files from its CloudFormation resource's Metadata (the way cfn-init
# does; EC2 caps user data at 16 KiB, the files are bigger) and runs the
# role's script. Edit here; template/build-template.ts embeds it.
set -euo pipefail

set -a
# shellcheck source=/dev/null
. /etc/flightdeck/boot.env
set +a
export DEBIAN_FRONTEND=noninteractive

for attempt in 1 2 3 4 5; do
  if apt-get -q -o DPkg::Lock::Timeout=600 update &&
    apt-get -q -y -o DPkg::Lock::Timeout=600 install python3-boto3; then
    break
  fi
  [ "$attempt" -lt 5 ] || exit 1
  sleep $((attempt * 15))
done

# The master reports a failure here itself: its boot script is not there yet.
python3 - <<'FLIGHTDECK_EOF'
import json, os, sys, time
import boto3
from botocore.config import Config

env = os.environ
config = Config(retries={"mode": "standard", "max_attempts": 10})
for attempt in range(12):
    try:
        # A new client each time: boto3 looks for credentials when it makes one.
        cfn = boto3.client("cloudformation", region_name=env["FD_REGION"], config=config)
        detail = cfn.describe_stack_resource(
            StackName=env["FD_STACK"], LogicalResourceId=env["FD_BOOT_RESOURCE"]
        )["StackResourceDetail"]
        files = json.loads(detail["Metadata"])["FlightDeck::Boot"]
        break
    except Exception as error:  # credentials may lag the first boot seconds
        print("flightdeck: boot files not fetched: %s" % error, file=sys.stderr)
        time.sleep(10)
else:
    if env.get("FD_SIGNAL_RESOURCE"):
        cfn = boto3.client("cloudformation", region_name=env["FD_REGION"], config=config)
        cfn.signal_resource(
            StackName=env["FD_STACK"], LogicalResourceId=env["FD_SIGNAL_RESOURCE"],
            UniqueId="bootstrap: boot files not fetched", Status="FAILURE",
        )
    sys.exit(1)
for name, text in files.items():
    with open(os.path.join("/opt/flightdeck", os.path.basename(name)), "w") as handle:
        handle.write(text)
FLIGHTDECK_EOF

exec /bin/bash "/opt/flightdeck/$FD_BOOT_ENTRY"
