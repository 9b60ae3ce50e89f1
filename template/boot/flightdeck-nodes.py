#!/usr/bin/python3
"""FlightDeck compute nodes: Slurm power saving on the compute Auto Scaling group.

slurm.conf declares compute-[1-N] as CLOUD nodes. Slurm decides which nodes
run (it powers nodes up for waiting jobs and down after the idle time); this
daemon, running on the master as root, gives each powered-up node an
instance and takes instances from nodes that no longer need them. The group's
MaxSize (ComputeMaxNodes) stays the cap AWS enforces.

Slurm runs this same file as its ResumeProgram, SuspendProgram and
ResumeFailProgram (through the links power/resume, power/suspend and
power/resume-fail, as SlurmUser): those only log and wake the daemon, which
also looks every few seconds. Each pass is level-triggered: it reads the
nodes (scontrol), the group and its scaling activities (Auto Scaling) and its
own claims (node -> instance), and acts on the difference:

- a powering-up node without an instance claims an unclaimed one, by
  tagging it with the node's name (the instance reads the tag from its
  metadata and starts slurmd under that name), after raising the group's
  desired capacity when there are not enough;
- a launch failure (a failed scaling activity since the last raise, or no
  instance within the launch grace) lowers the capacity back and marks the
  waiting nodes and every other powered-down node DOWN, with AWS's reason,
  so the jobs requeue, `sinfo -R` says why, and nothing launches again
  until the backoff (the idle time) returns the nodes to service;
- a node powered down, powering down, DOWN, or drained and idle gives its
  instance back (terminated, decrementing the capacity);
- an up node whose instance left the group (spot interruption, health
  replacement) is marked DOWN, so its job requeues;
- an instance nobody claims within the claim timeout is terminated.

The decisions are pure functions (parse_nodes, plan) that a test runs
without AWS or Slurm; boto3 is imported only by the daemon.
"""
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime

STATE_FILE = "/var/lib/flightdeck/nodes.json"
WAKE_FILE = "/var/spool/flightdeck/wake"
POWER_LOG = "/var/log/flightdeck/power.log"
EVENTS = ("resume", "suspend", "resume-fail")
# Reasons this daemon (or Slurm, for a node that never registered) gives a DOWN
# node it will return to service after the backoff. Slurm 23.11 appends its own
# reasons after " : ", so only the start counts.
OURS = ("launch failed", "boot failed", "instance lost", "ResumeTimeout reached")
FIELD = re.compile(r"(\w+)=(\S*)")
REASON = re.compile(r"\bReason=(.*?) \[[^\]@]*@([0-9T:-]+)\]")
GONE = ("Terminating", "Terminated", "Detaching", "Detached")
MAX_REASON = 120


def parse_time(text):
    try:
        return time.mktime(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").timetuple())
    except ValueError:
        return None


def parse_nodes(text):
    """`scontrol -o show nodes` lines into dicts: name, base state, flags, reason, reason_time."""
    nodes = []
    for line in text.splitlines():
        fields = dict(FIELD.findall(line))
        if "NodeName" not in fields:
            continue
        base, *flags = fields.get("State", "UNKNOWN").split("+")
        reason = REASON.search(line)
        nodes.append({
            "name": fields["NodeName"],
            "base": base.rstrip("*~#!%$@^-"),
            "flags": flags,
            "reason": reason.group(1) if reason else "",
            "reason_time": parse_time(reason.group(2)) if reason else None,
        })
    return nodes


def short(message):
    """AWS's message on one line, short enough for a Slurm reason."""
    text = " ".join(str(message).split()).replace("Launching EC2 instance failed.", "").strip()
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 3] + "..."


def plan(nodes, group, activities, state, now, config):
    """One pass's actions, and the state after them (if they all succeed).

    nodes: parse_nodes() output. group: None (not created yet) or
    {"desired", "max", "instances": [{"id", "state"}]}. activities: the
    group's scaling activities, newest first: {"status", "start", "message"}.
    state: {"claims": {node: instance}, "seen": {instance: time},
    "raised": time or None, "pending_down": {node: reason}}.
    config: {"claim_seconds", "grace_seconds", "backoff_seconds"}.
    Actions: ("claim", node, instance), ("set-desired", count),
    ("terminate", instance, why), ("down", [nodes], reason),
    ("power-down", [nodes]), ("resume", [nodes]).
    """
    claims = dict(state.get("claims", {}))
    seen = dict(state.get("seen", {}))
    raised = state.get("raised")
    pending = dict(state.get("pending_down", {}))
    actions = []
    by_name = {n["name"]: n for n in nodes}

    def has(node, flag):
        return flag in node["flags"]

    def off(node):
        return has(node, "POWERED_DOWN") or has(node, "POWERING_DOWN")

    def down(node):
        return node["base"] == "DOWN"

    # A node we forced down waits for Slurm to start powering it down, then is
    # marked DOWN again (idle_on_node_suspend made it IDLE), so it stays out of
    # service with its reason until the backoff.
    for name, reason in sorted(pending.items()):
        node = by_name.get(name)
        if node is None or (down(node) and has(node, "POWERED_DOWN")):
            del pending[name]
        elif off(node) and not down(node):
            actions.append(("down", [name], reason))
        elif has(node, "POWERING_UP"):
            actions.append(("power-down", [name], None))

    # Back in service after the backoff: DOWN and powered down for one of our reasons.
    ready = [n["name"] for n in nodes
             if down(n) and has(n, "POWERED_DOWN") and n["name"] not in pending
             and n["reason"].startswith(OURS)
             and n["reason_time"] is not None and now - n["reason_time"] >= config["backoff_seconds"]]
    if ready:
        actions.append(("resume", ready, None))

    # A node set DOWN while it boots (its customizers failed, or an admin) is
    # still powering up: end that now rather than at ResumeTimeout.
    for node in nodes:
        if down(node) and has(node, "POWERING_UP") and node["name"] not in pending:
            pending[node["name"]] = node["reason"] or "boot failed"
            actions.append(("power-down", [node["name"]], None))

    if group is None:
        return actions, {"claims": claims, "seen": seen, "raised": raised, "pending_down": pending}

    live = [i["id"] for i in group["instances"] if not i["state"].startswith(GONE)]
    seen = {i: seen.get(i, now) for i in live}

    for name, instance in sorted(claims.items()):
        node = by_name.get(name)
        if instance not in live:
            # Gone from the group (spot interruption, health replacement): an up node's job requeues.
            del claims[name]
            if node is not None and not off(node) and not down(node) and not has(node, "POWERING_UP"):
                actions.append(("down", [name], "instance lost: %s left the Auto Scaling group" % instance))
        elif node is None or off(node) or down(node) or (has(node, "DRAIN") and node["base"] == "IDLE"):
            why = "node %s is %s" % (name, "gone" if node is None else "+".join([node["base"]] + node["flags"]))
            actions.append(("terminate", instance, why))
            del claims[name]
            live.remove(instance)

    waiting = sorted(n["name"] for n in nodes
                     if has(n, "POWERING_UP") and not down(n) and n["name"] not in claims
                     and n["name"] not in pending)
    if waiting and raised is None:
        raised = now

    # A launch that failed since the last raise: give up until the backoff.
    failure = None
    if waiting:
        failed = [a for a in activities if a["status"] in ("Failed", "Cancelled") and a["start"] >= raised]
        if failed:
            failure = short(failed[0]["message"] or "the Auto Scaling group could not launch an instance")
        elif now - raised >= config["grace_seconds"] and group["desired"] > len(live):
            failure = "no instance within %d s of raising the capacity" % config["grace_seconds"]
    if failure is not None:
        reason = "launch failed: " + failure
        for name in waiting:
            pending[name] = reason
        actions.append(("power-down", waiting, None))
        others = sorted(n["name"] for n in nodes
                        if has(n, "POWERED_DOWN") and not down(n) and n["name"] not in waiting)
        if others:
            actions.append(("down", others, reason))
        if group["desired"] > len(live):
            actions.append(("set-desired", len(live), None))
        return actions, {"claims": claims, "seen": seen, "raised": None, "pending_down": pending}

    # Claim unclaimed instances for waiting nodes, oldest instance first.
    unclaimed = sorted((i for i in live if i not in claims.values()), key=lambda i: (seen[i], i))
    while waiting and unclaimed:
        name, instance = waiting.pop(0), unclaimed.pop(0)
        claims[name] = instance
        actions.append(("claim", name, instance))

    # More capacity for the rest; never below the instances alive (the group
    # would pick which to terminate), never above MaxSize.
    wanted = min(group["max"], len(claims) + len(unclaimed) + len(waiting))
    if waiting and wanted > group["desired"]:
        actions.append(("set-desired", wanted, None))
        raised = now
    if not waiting:
        raised = None

    for instance in unclaimed:
        if now - seen[instance] >= config["claim_seconds"]:
            actions.append(("terminate", instance, "no node claimed it within %d s" % config["claim_seconds"]))

    return actions, {"claims": claims, "seen": seen, "raised": raised, "pending_down": pending}


# ---- the daemon ----

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
        return {"claims": {}, "seen": {}, "raised": None, "pending_down": {}}


def save_state(state):
    os.makedirs(os.path.dirname(STATE_FILE), exist_ok=True)
    with open(STATE_FILE + ".new", "w") as handle:
        json.dump(state, handle)
    os.replace(STATE_FILE + ".new", STATE_FILE)


def scontrol(*args):
    return subprocess.run(("scontrol",) + args, check=True, capture_output=True, text=True).stdout


def describe(autoscaling, name):
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


def apply(action, clients, env, state):
    """Carries out one action; on failure, undoes what plan() recorded for it."""
    autoscaling, ec2 = clients
    kind = action[0]
    try:
        if kind == "claim":
            ec2.create_tags(Resources=[action[2]], Tags=[{"Key": env["FD_NODE_TAG"], "Value": action[1]}])
        elif kind == "set-desired":
            autoscaling.set_desired_capacity(
                AutoScalingGroupName=env["FD_ASG"], DesiredCapacity=action[1], HonorCooldown=False)
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


def run(env):
    import boto3
    from botocore.config import Config

    retries = Config(retries={"mode": "standard", "max_attempts": 5})
    clients = None
    config = {
        "claim_seconds": seconds(env, "FD_CLAIM_SECONDS", 10),
        "grace_seconds": seconds(env, "FD_LAUNCH_GRACE_SECONDS", 5),
        "backoff_seconds": seconds(env, "FD_BACKOFF_SECONDS", 10),
    }
    poll = max(1.0, seconds(env, "FD_POLL_SECONDS", 1 / 6))
    state = load_state()
    log("watching %s (poll %.0f s, %s)" % (env["FD_ASG"], poll, config))
    while True:
        started = time.time()
        try:
            # boto3 looks for the instance role's credentials when it makes a client.
            clients = clients or (boto3.client("autoscaling", region_name=env["FD_REGION"], config=retries),
                                  boto3.client("ec2", region_name=env["FD_REGION"], config=retries))
            nodes = parse_nodes(scontrol("-o", "show", "nodes"))
            group, activities = describe(clients[0], env["FD_ASG"])
            actions, state = plan(nodes, group, activities, state, time.time(), config)
            for action in actions:
                apply(action, clients, env, state)
            save_state(state)
        except Exception as error:
            log("pass failed: %s" % (getattr(error, "stderr", None) or error))
            if type(error).__name__ == "NoCredentialsError":
                clients = None
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


if __name__ == "__main__":
    event = os.path.basename(sys.argv[0])
    if event in EVENTS:
        power_event(event, sys.argv[1:])
    elif sys.argv[1:] == ["run"]:
        run(os.environ)
    else:
        raise SystemExit("usage: flightdeck-nodes.py run (or run by Slurm as power/{%s})" % ",".join(EVENTS))
