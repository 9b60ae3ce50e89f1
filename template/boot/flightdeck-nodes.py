#!/usr/bin/python3
"""FlightDeck compute nodes: Slurm power saving on the compute Auto Scaling groups.

slurm.conf declares compute-[1-N] as CLOUD nodes. Slurm decides which nodes
run (it powers nodes up for waiting jobs and down after the idle time); this
daemon, running on the master as root, gives each powered-up node an
instance and takes instances from nodes that no longer need them.

The compute group launches any of the cluster's compute types, in any zone
of the deployment: spot at the user's cap (Auto Scaling picks the pools with
the most capacity at the lowest price), or on-demand when the cap is 0.
Where the user's limits allow on-demand, a second group launches on-demand
for nodes spot could not serve for SpotFallbackMinutes. Each group's MaxSize
(ComputeMaxNodes) stays a cap AWS enforces.

Slurm runs this same file as its ResumeProgram, SuspendProgram and
ResumeFailProgram (through the links power/resume, power/suspend and
power/resume-fail, as SlurmUser): those only log and wake the daemon, which
also looks every few seconds. Each pass reads the nodes, the groups and
their scaling activities, and carries out what plan() decides
(flightdeck_nodes_plan.py, with flightdeck_nodes_slurm.py: pure functions a
test runs without AWS or Slurm). Python puts this file's own folder, links
resolved, first on sys.path, so both import from /opt/flightdeck/; boto3 is
imported only by the daemon.
"""
import json
import os
import subprocess
import sys
import time

from flightdeck_nodes_plan import plan
from flightdeck_nodes_slurm import parse_nodes

STATE_FILE = "/var/lib/flightdeck/nodes.json"
WAKE_FILE = "/var/spool/flightdeck/wake"
POWER_LOG = "/var/log/flightdeck/power.log"
EVENTS = ("resume", "suspend", "resume-fail")


def log(message):
    print("%s %s" % (time.strftime("%Y-%m-%dT%H:%M:%S"), message), flush=True)


def power_event(event, nodes):
    """Slurm's resume, suspend and resume-fail programs: log, then wake the daemon."""
    with open(POWER_LOG, "a") as handle:
        handle.write("%s %s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), event, " ".join(nodes)))
    with open(WAKE_FILE, "a"):
        os.utime(WAKE_FILE, None)


def load_state():
    try:
        with open(STATE_FILE) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {"claims": {}, "seen": {}, "raised": None, "raised_group": "main", "pending_down": {},
                "spot_trouble": None}


def save_state(state):
    os.makedirs(os.path.dirname(STATE_FILE), exist_ok=True)
    with open(STATE_FILE + ".new", "w") as handle:
        json.dump(state, handle)
    os.replace(STATE_FILE + ".new", STATE_FILE)


def scontrol(*args):
    return subprocess.run(("scontrol",) + args, check=True, capture_output=True, text=True).stdout


def describe(autoscaling, name):
    """A group and its scaling activities, newest first; (None, []) while it does not exist."""
    if not name:
        return None, []
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    if not groups:
        return None, []
    found = groups[0]
    group = {
        "desired": found["DesiredCapacity"],
        "max": found["MaxSize"],
        "instances": [{"id": i["InstanceId"], "state": i["LifecycleState"]} for i in found.get("Instances", [])],
    }
    reply = autoscaling.describe_scaling_activities(AutoScalingGroupName=name, MaxRecords=20)
    activities = [{
        "status": a.get("StatusCode", ""),
        "start": a["StartTime"].timestamp(),
        "message": a.get("StatusMessage") or a.get("Description", ""),
    } for a in reply.get("Activities", [])]
    return group, activities


def group_names(env):
    return {"main": env["FD_ASG"], "fallback": env.get("FD_ASG_FALLBACK", "")}


def apply(action, clients, env, state):
    """Carries out one action; on failure, undoes what plan() recorded for it."""
    autoscaling, ec2 = clients
    kind = action[0]
    try:
        if kind == "claim":
            ec2.create_tags(Resources=[action[2]], Tags=[{"Key": env["FD_NODE_TAG"], "Value": action[1]}])
        elif kind == "set-desired":
            autoscaling.set_desired_capacity(
                AutoScalingGroupName=group_names(env)[action[2]], DesiredCapacity=action[1],
                HonorCooldown=False)
        elif kind == "terminate":
            autoscaling.terminate_instance_in_auto_scaling_group(
                InstanceId=action[1], ShouldDecrementDesiredCapacity=True)
        elif kind == "down":
            scontrol("update", "nodename=" + ",".join(action[1]), "state=down", "reason=" + action[2])
        elif kind == "power-down":
            scontrol("update", "nodename=" + ",".join(action[1]), "state=power_down_force")
        elif kind == "resume":
            scontrol("update", "nodename=" + ",".join(action[1]), "state=resume")
    except Exception as error:  # one failed action must not stop the others
        log("%s failed: %s" % (" ".join(map(str, action)), getattr(error, "stderr", None) or error))
        if kind == "claim":
            state["claims"].pop(action[1], None)
        if kind == "set-desired":
            state["raised"] = None
        return
    log(" ".join(str(part) for part in action if part is not None))


def seconds(env, name, minutes):
    return float(env.get(name, minutes * float(env.get("FD_SECONDS_PER_MINUTE", "60"))))


def plan_config(env, fallback):
    """plan()'s config from the daemon's environment (boot.env and nodes.env)."""
    return {
        "claim_seconds": seconds(env, "FD_CLAIM_SECONDS", 3),
        "grace_seconds": seconds(env, "FD_LAUNCH_GRACE_SECONDS", 5),
        "backoff_seconds": seconds(env, "FD_BACKOFF_SECONDS", 10),
        "capacity_retry_seconds": seconds(env, "FD_CAPACITY_RETRY_SECONDS", 2),
        "fallback_seconds": seconds(env, "FD_SPOT_FALLBACK_SECONDS", 10) if fallback else None,
        "fallback_minutes": env.get("FD_SPOT_FALLBACK_MINUTES", "10"),
        "on_demand_allowed": env.get("FD_ON_DEMAND_ALLOWED") == "true",
        "main_market": env.get("FD_COMPUTE_MARKET", "spot"),
    }


def observe(clients, names):
    """The nodes, and each group with its scaling activities, as plan() takes them."""
    nodes = parse_nodes(scontrol("-o", "show", "nodes"))
    groups, activities = {}, {}
    for key, name in names.items():
        groups[key], activities[key] = describe(clients[0], name)
    return nodes, groups, activities


def sleep_until_woken(started, poll):
    """Until poll seconds after started, or sooner when a power event wakes the daemon."""
    try:
        woken = os.stat(WAKE_FILE).st_mtime
    except OSError:
        woken = 0
    while time.time() - started < poll:
        time.sleep(0.5)
        try:
            if os.stat(WAKE_FILE).st_mtime != woken:
                break
        except OSError:
            pass


def run(env):
    import boto3
    from botocore.config import Config

    retries = Config(retries={"mode": "standard", "max_attempts": 5})
    clients = None
    names = group_names(env)
    config = plan_config(env, names["fallback"] != "")
    poll = max(1.0, seconds(env, "FD_POLL_SECONDS", 1 / 6))
    state = load_state()
    log("watching %s (poll %.0f s, %s)" % (" and ".join(n for n in names.values() if n), poll, config))
    while True:
        started = time.time()
        try:
            # boto3 looks for the instance role's credentials when it makes a client.
            clients = clients or (boto3.client("autoscaling", region_name=env["FD_REGION"], config=retries),
                                  boto3.client("ec2", region_name=env["FD_REGION"], config=retries))
            nodes, groups, activities = observe(clients, names)
            actions, state = plan(nodes, groups, activities, state, time.time(), config)
            for action in actions:
                apply(action, clients, env, state)
            save_state(state)
        except Exception as error:
            log("pass failed: %s" % (getattr(error, "stderr", None) or error))
            if type(error).__name__ == "NoCredentialsError":
                clients = None
        sleep_until_woken(started, poll)


if __name__ == "__main__":
    event = os.path.basename(sys.argv[0])
    if event in EVENTS:
        power_event(event, sys.argv[1:])
    elif sys.argv[1:] == ["run"]:
        run(os.environ)
    else:
        raise SystemExit("usage: flightdeck-nodes.py run (or run by Slurm as power/{%s})" % ",".join(EVENTS))
