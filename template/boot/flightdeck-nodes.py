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
also looks every few seconds. Each pass is level-triggered: it reads the
nodes (scontrol), the groups and their scaling activities (Auto Scaling) and
its own claims (node -> instance), and acts on the difference:

- a powering-up node without an instance claims an unclaimed one of either
  group, by tagging it with the node's name (the instance reads the tag from
  its metadata and starts slurmd under that name), after raising a group's
  desired capacity when there are not enough;
- a launch that fails for want of capacity (no pool of any of the types in
  any zone, or spot above the cap) leaves the waiting nodes waiting, their
  jobs in place, while Auto Scaling tries again on its own (other types,
  other zones); the powered-down nodes go DOWN with AWS's reason and what
  happens next, so `sinfo -R` says why and nothing else launches meanwhile,
  and come back after the capacity retry. Once spot has failed for
  SpotFallbackMinutes, where the limits allow on-demand, the waiting nodes
  launch from the on-demand group instead, and spot is tried first again
  every SpotFallbackMinutes;
- any other launch failure (a failed scaling activity, or no instance within
  the launch grace) lowers the capacity back and marks the waiting nodes and
  every other powered-down node DOWN with AWS's reason, so the jobs requeue,
  `sinfo -R` says why, and nothing launches again until the backoff (the
  idle time) returns the nodes to service;
- a node powered down, powering down, DOWN, or drained and idle gives its
  instance back (terminated, decrementing the capacity); one that drained
  itself for a spot interruption (flightdeck-interruptions.py) is powered
  down as well, ready to resume on a new instance;
- an up node whose instance left its group (reclaimed without a notice, a
  health replacement) is marked DOWN, so its job requeues, then powered down
  and returned after the backoff;
- an instance nobody claims within the claim timeout (one a group launched
  on its own, replacing one that went) is terminated.

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
# ... after the capacity retry (a spot one when the on-demand fallback starts, if sooner).
CAPACITY_REASONS = ("spot capacity", "on-demand capacity")
# A node that drained itself on AWS's notice (flightdeck-interruptions.py).
INTERRUPTION = "spot interruption"
# AWS's words for a launch that failed for want of capacity, or of a high enough spot price.
CAPACITY = re.compile(
    r"InsufficientInstanceCapacity|InsufficientCapacity|SpotMaxPriceTooLow|"
    r"MaxSpotInstanceCountExceeded|UnfulfillableCapacity|capacity-not-available|"
    r"no Spot capacity|Spot request price", re.IGNORECASE)
FIELD = re.compile(r"(\w+)=(\S*)")
REASON = re.compile(r"\bReason=(.*?) \[[^\]@]*@([0-9T:-]+)\]")
GONE = ("Terminating", "Terminated", "Detaching", "Detached")
GROUPS = ("main", "fallback")
MAX_REASON = 160


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
    """AWS's message on one line, short enough for a Slurm reason, without its boilerplate."""
    text = " ".join(str(message).split())
    for boilerplate in ("Launching EC2 instance failed.", "Could not launch Spot Instances.",
                        "Could not launch On-Demand Instances."):
        text = text.replace(boilerplate, "")
    text = text.strip()
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 3] + "..."


def fallback_possible(groups, config):
    return config.get("fallback_seconds") is not None and groups.get("fallback") is not None


def on_demand_now(trouble, groups, now, config):
    """Whether new launches go to the on-demand group: spot has failed for
    SpotFallbackMinutes, and failed again within the last SpotFallbackMinutes
    (after that long without a try, spot is tried again first)."""
    if trouble is None or not fallback_possible(groups, config):
        return False
    span = config["fallback_seconds"]
    return now - trouble["since"] >= span and now - trouble["last"] < span


def capacity_reason(market, message, trouble, groups, now, config):
    """A launch that failed for want of capacity: AWS's words, and what happens next."""
    if message.endswith(".") and not message.endswith("..."):
        message = message[:-1]
    if market == "on-demand":
        return "on-demand capacity: %s. Still trying other types and zones" % message
    head = "spot capacity: %s. Still trying other types and zones" % message
    if fallback_possible(groups, config):
        start = trouble["since"] + config["fallback_seconds"]
        if now >= start:
            return "%s; on-demand now (no spot for %s min)" % (head, config["fallback_minutes"])
        return "%s; on-demand if spot still fails at %s" % (
            head, time.strftime("%H:%M:%S", time.localtime(start)))
    if config.get("on_demand_allowed") and str(config.get("fallback_minutes")) == "0":
        return "%s; SpotFallbackMinutes is 0: spot only" % head
    return ("%s; on-demand is not allowed for you (allowOnDemand): wait, raise ComputeSpotPrice, "
            "or ask your administrator" % head)


def due(node, trouble, groups, config):
    """When a node DOWN for one of our reasons returns to service, or None (never: an admin's)."""
    reason, at = node["reason"], node["reason_time"]
    if at is None:
        return None
    if reason.startswith(OURS):
        return at + config["backoff_seconds"]
    if reason.startswith(CAPACITY_REASONS):
        when = at + config["capacity_retry_seconds"]
        if reason.startswith("spot") and trouble is not None and fallback_possible(groups, config):
            # On-demand's turn: from the moment spot has failed for SpotFallbackMinutes.
            when = min(when, max(at, trouble["since"] + config["fallback_seconds"]))
        return when
    if reason.startswith(INTERRUPTION):
        return at
    return None


def plan(nodes, groups, activities, state, now, config):
    """One pass's actions, and the state after them (if they all succeed).

    nodes: parse_nodes() output. groups: {"main": group, "fallback": group},
    each None when CloudFormation has not created it (or the cluster has no
    fallback), else {"desired", "max", "instances": [{"id", "state"}]}.
    activities: each group's scaling activities, newest first: {"status",
    "start", "message"}. state: {"claims": {node: instance}, "seen":
    {instance: time}, "raised": time or None, "raised_group": "main" or
    "fallback", "pending_down": {node: reason}, "spot_trouble": None or
    {"since", "last"}, "failure_seen": the newest failed activity acted on}. config: {"claim_seconds", "grace_seconds",
    "backoff_seconds", "capacity_retry_seconds", "fallback_seconds" (None
    without a fallback), "fallback_minutes", "on_demand_allowed",
    "main_market" ("spot" or "on-demand")}.
    Actions: ("claim", node, instance), ("set-desired", count, group),
    ("terminate", instance, why), ("down", [nodes], reason),
    ("power-down", [nodes], None), ("resume", [nodes], None).
    """
    claims = dict(state.get("claims", {}))
    seen = dict(state.get("seen", {}))
    raised = state.get("raised")
    raised_group = state.get("raised_group") or "main"
    pending = dict(state.get("pending_down", {}))
    trouble = state.get("spot_trouble")
    failure_seen = state.get("failure_seen")
    actions = []
    by_name = {n["name"]: n for n in nodes}

    def after():
        return {"claims": claims, "seen": seen, "raised": raised, "raised_group": raised_group,
                "pending_down": pending, "spot_trouble": trouble, "failure_seen": failure_seen}

    def has(node, flag):
        return flag in node["flags"]

    def off(node):
        return has(node, "POWERED_DOWN") or has(node, "POWERING_DOWN")

    def down(node):
        return node["base"] == "DOWN"

    def interrupted(node):
        return has(node, "DRAIN") and node["reason"].startswith(INTERRUPTION)

    def ours(node):
        return node["reason"].startswith(OURS + CAPACITY_REASONS + (INTERRUPTION,))

    # A node we forced down waits for Slurm to start powering it down, then is
    # marked DOWN again (idle_on_node_suspend made it IDLE), so it stays out of
    # service with its reason until it is due.
    for name, reason in sorted(pending.items()):
        node = by_name.get(name)
        if node is None or (down(node) and has(node, "POWERED_DOWN")):
            del pending[name]
        elif off(node) and not down(node):
            actions.append(("down", [name], reason))
        elif has(node, "POWERING_UP"):
            actions.append(("power-down", [name], None))

    # Back in service once due: DOWN and powered down for one of our reasons.
    ready = []
    for n in nodes:
        if (down(n) or interrupted(n)) and has(n, "POWERED_DOWN") and n["name"] not in pending:
            when = due(n, trouble, groups, config)
            if when is not None and now >= when:
                ready.append(n["name"])
    if ready:
        actions.append(("resume", ready, None))

    # A node set DOWN while it boots (its customizers failed, or an admin) is
    # still powering up: end that now rather than at ResumeTimeout. One DOWN
    # for our reasons while up (its instance was lost) is powered down too, to
    # come back once due.
    for node in nodes:
        name = node["name"]
        if name in pending or not down(node):
            continue
        if has(node, "POWERING_UP") or (not off(node) and ours(node) and name not in claims):
            pending[name] = node["reason"] or "boot failed"
            actions.append(("power-down", [name], None))

    if groups.get("main") is None:
        return actions, after()

    live = {key: [i["id"] for i in (groups.get(key) or {"instances": []})["instances"]
                  if not i["state"].startswith(GONE)] for key in GROUPS}
    group_of = {i: key for key in GROUPS for i in live[key]}
    if trouble is not None and any(i not in seen for i in live["main"]):
        # A new spot instance: spot has capacity again.
        trouble = None
    seen = {i: seen.get(i, now) for i in group_of}

    for name, instance in sorted(claims.items()):
        node = by_name.get(name)
        if instance not in group_of:
            # Gone from its group (reclaimed, health replacement): an up node's job requeues.
            del claims[name]
            if node is None or off(node) or down(node) or has(node, "POWERING_UP"):
                continue
            if interrupted(node) and node["base"] == "IDLE":
                actions.append(("power-down", [name], None))
            else:
                actions.append(("down", [name], "instance lost: %s left the Auto Scaling group" % instance))
        elif node is None or off(node) or down(node) or (has(node, "DRAIN") and node["base"] == "IDLE"):
            why = "node %s is %s" % (name, "gone" if node is None else "+".join([node["base"]] + node["flags"]))
            actions.append(("terminate", instance, why))
            del claims[name]
            live[group_of[instance]].remove(instance)
            if node is not None and interrupted(node) and not off(node):
                actions.append(("power-down", [name], None))

    waiting = sorted(n["name"] for n in nodes
                     if has(n, "POWERING_UP") and not down(n) and n["name"] not in claims
                     and n["name"] not in pending)

    # Claim unclaimed instances of either group for waiting nodes, oldest instance first.
    claimed = set(claims.values())
    unclaimed = sorted((i for key in GROUPS for i in live[key] if i not in claimed),
                       key=lambda i: (seen[i], i))
    while waiting and unclaimed:
        name, instance = waiting.pop(0), unclaimed.pop(0)
        claims[name] = instance
        actions.append(("claim", name, instance))

    if waiting and raised is None:
        raised = now
        raised_group = "fallback" if on_demand_now(trouble, groups, now, config) else "main"
    if not waiting:
        raised = None
    if groups.get(raised_group) is None:
        raised_group = "main"
    group = groups[raised_group]
    spot = raised_group == "main" and config.get("main_market", "spot") == "spot"

    # Launches that failed since the last raise, and not acted on yet.
    failed = []
    short_of_capacity = False
    if waiting:
        failed = [a for a in activities.get(raised_group, [])
                  if a["status"] in ("Failed", "Cancelled") and a["start"] >= raised]
        short_of_capacity = any(CAPACITY.search(a["message"] or "") for a in failed)
        failed = [a for a in failed if a["start"] > (failure_seen or 0)]
    failure = None
    if failed:
        failure = short(failed[0]["message"] or "the Auto Scaling group could not launch an instance")
        failure_seen = max(a["start"] for a in failed)
    elif (waiting and not short_of_capacity and now - raised >= config["grace_seconds"]
          and group["desired"] > len(live[raised_group])):
        failure = "no instance within %d s of raising the capacity" % config["grace_seconds"]
    others = sorted(n["name"] for n in nodes
                    if has(n, "POWERED_DOWN") and not down(n) and n["name"] not in waiting)

    if failure is not None and CAPACITY.search(failure):
        # No capacity: the waiting nodes keep waiting (their jobs stay put) while
        # Auto Scaling tries the types and zones again; the powered-down nodes
        # carry the reason (sinfo -R) and launch nothing meanwhile.
        if spot:
            trouble = {"since": (trouble or {}).get("since", now), "last": now}
        reason = capacity_reason("spot" if spot else "on-demand", failure, trouble, groups, now, config)
        if others:
            actions.append(("down", others, reason))
    elif failure is not None:
        # Any other failure: give up until the backoff.
        reason = "launch failed: " + failure
        for name in waiting:
            pending[name] = reason
        actions.append(("power-down", waiting, None))
        if others:
            actions.append(("down", others, reason))
        if group["desired"] > len(live[raised_group]):
            actions.append(("set-desired", len(live[raised_group]), raised_group))
        raised = None
        waiting = []
    if waiting and spot and on_demand_now(trouble, groups, now, config):
        # Spot has failed for SpotFallbackMinutes: these nodes launch on-demand.
        if group["desired"] > len(live["main"]):
            actions.append(("set-desired", len(live["main"]), "main"))
        raised_group, raised, group = "fallback", now, groups["fallback"]
    if waiting:
        # More capacity for the rest; never below the instances alive (the group
        # would pick which to terminate), never above MaxSize.
        wanted = min(group["max"], len(live[raised_group]) + len(waiting))
        if wanted > group["desired"]:
            actions.append(("set-desired", wanted, raised_group))
            raised = now

    for instance in unclaimed:
        if now - seen[instance] >= config["claim_seconds"]:
            actions.append(("terminate", instance, "no node claimed it within %d s" % config["claim_seconds"]))

    return actions, after()


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


def run(env):
    import boto3
    from botocore.config import Config

    retries = Config(retries={"mode": "standard", "max_attempts": 5})
    clients = None
    names = group_names(env)
    fallback = names["fallback"] != ""
    config = {
        "claim_seconds": seconds(env, "FD_CLAIM_SECONDS", 3),
        "grace_seconds": seconds(env, "FD_LAUNCH_GRACE_SECONDS", 5),
        "backoff_seconds": seconds(env, "FD_BACKOFF_SECONDS", 10),
        "capacity_retry_seconds": seconds(env, "FD_CAPACITY_RETRY_SECONDS", 2),
        "fallback_seconds": seconds(env, "FD_SPOT_FALLBACK_SECONDS", 10) if fallback else None,
        "fallback_minutes": env.get("FD_SPOT_FALLBACK_MINUTES", "10"),
        "on_demand_allowed": env.get("FD_ON_DEMAND_ALLOWED") == "true",
        "main_market": env.get("FD_COMPUTE_MARKET", "spot"),
    }
    poll = max(1.0, seconds(env, "FD_POLL_SECONDS", 1 / 6))
    state = load_state()
    log("watching %s (poll %.0f s, %s)" % (" and ".join(n for n in names.values() if n), poll, config))
    while True:
        started = time.time()
        try:
            # boto3 looks for the instance role's credentials when it makes a client.
            clients = clients or (boto3.client("autoscaling", region_name=env["FD_REGION"], config=retries),
                                  boto3.client("ec2", region_name=env["FD_REGION"], config=retries))
            nodes = parse_nodes(scontrol("-o", "show", "nodes"))
            groups, activities = {}, {}
            for key, name in names.items():
                groups[key], activities[key] = describe(clients[0], name)
            actions, state = plan(nodes, groups, activities, state, time.time(), config)
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
