#!/usr/bin/env python3
"""FlightDeck scaler: one pass that sizes the compute Auto Scaling group to the
Slurm queue. A systemd timer on the master runs it every minute when the stack's
AutoscalingPolicy is "enabled".

Grow: when jobs wait for nodes, raise the desired capacity to the busy nodes
plus the nodes those jobs ask for (at most the group's MaxSize). Booting nodes
are already in the desired capacity, so later passes do not add them again.
Shrink: drain a node idle for FD_IDLE_MINUTES; once it is drained, delete it
from Slurm and terminate its instance with ShouldDecrementDesiredCapacity, so
the group never picks a busy node itself. Never below the group's MinSize.
Tidy: forget Slurm nodes whose instance is gone (spot reclaims) and terminate
instances that never joined Slurm (failed boots), so they do not cost forever.

The decisions are pure functions (parse_nodes, parse_pending, plan) that a test
runs without AWS or Slurm; boto3 is imported only for a real pass.
"""
import os
import re
import subprocess
import sys
import time
from datetime import datetime

PARTITION = "compute"
DRAIN_REASON = "flightdeck-idle"
BUSY_STATES = {"ALLOCATED", "MIXED"}
# Flags that make an idle node not ours to drain.
NOT_QUIET = {"DRAIN", "COMPLETING", "NOT_RESPONDING", "RESERVED", "MAINTENANCE", "REBOOT_REQUESTED"}
# Pending reasons more nodes cannot cure; every other pending job waits for nodes.
NOT_WAITING_FOR_NODES = {
    "BeginTime", "Dependency", "DependencyNeverSatisfied", "JobHeldAdmin", "JobHeldUser",
    "Reservation", "InvalidAccount", "InvalidQOS", "JobArrayTaskLimit", "BadConstraints",
}
FIELD = re.compile(r"(\w+)=(\S*)")


def parse_nodes(text, now):
    """`scontrol -o show nodes` lines into dicts; idle_for is seconds since LastBusyTime."""
    nodes = []
    for line in text.splitlines():
        fields = dict(FIELD.findall(line))
        if "NodeName" not in fields:
            continue
        base, *flags = fields.get("State", "UNKNOWN").split("+")
        base = base.rstrip("*~#!%$@^-")
        idle_for = 0
        # A node that never ran a job has no LastBusyTime; its idle time counts from slurmd's start.
        for key in ("LastBusyTime", "SlurmdStartTime"):
            try:
                busy = datetime.strptime(fields.get(key, ""), "%Y-%m-%dT%H:%M:%S")
            except ValueError:
                continue
            idle_for = max(0, now - busy.timestamp())
            break
        nodes.append({
            "name": fields["NodeName"],
            "addr": fields.get("NodeAddr", ""),
            "base": base,
            "flags": flags,
            "reason": fields.get("Reason", ""),
            "idle_for": idle_for,
        })
    return nodes


def parse_pending(text):
    """`squeue -h -r -t PD -o "%D|%r"`: the nodes wanted by jobs that wait for nodes."""
    wanted = 0
    for line in text.splitlines():
        count, _, reason = line.strip().partition("|")
        if not count.isdigit():
            continue
        if reason in NOT_WAITING_FOR_NODES or reason.startswith(("Assoc", "QOS")):
            continue
        wanted += int(count)
    return wanted


def plan(nodes, wanted, group, instances, now, idle_seconds, join_seconds):
    """The actions of one pass, as tuples: ("delete", node), ("resume", node),
    ("set-desired", count), ("drain", node), ("terminate", node, instance_id),
    ("terminate-unjoined", instance_id)."""
    by_ip = {instance["ip"]: instance for instance in instances}
    actions = []
    live = []
    for node in nodes:
        if node["addr"] in by_ip:
            live.append(node)
        elif node["base"] == "DOWN" or "NOT_RESPONDING" in node["flags"]:
            actions.append(("delete", node["name"]))
    joined = {node["addr"] for node in nodes}
    for instance in instances:
        if instance["ip"] not in joined and now - instance["launched"] >= join_seconds:
            actions.append(("terminate-unjoined", instance["id"]))
    ours = [n for n in live if "DRAIN" in n["flags"] and n["reason"] == DRAIN_REASON]

    if wanted > 0:
        actions.extend(("resume", node["name"]) for node in ours)
        busy = sum(1 for n in live if n["base"] in BUSY_STATES or "COMPLETING" in n["flags"])
        target = min(group["max"], busy + wanted)
        if target > group["desired"]:
            actions.append(("set-desired", target))
        return actions

    remaining = group["desired"]
    for node in ours:
        if node["base"] == "IDLE" and "COMPLETING" not in node["flags"] and remaining > group["min"]:
            actions.append(("terminate", node["name"], by_ip[node["addr"]]["id"]))
            remaining -= 1
    for node in live:
        quiet = node["base"] == "IDLE" and not NOT_QUIET.intersection(node["flags"])
        if quiet and node["idle_for"] >= idle_seconds and remaining > group["min"]:
            actions.append(("drain", node["name"]))
            remaining -= 1
    return actions


def run(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def describe(autoscaling, ec2, group_name):
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])
    if not groups["AutoScalingGroups"]:
        return None, []
    found = groups["AutoScalingGroups"][0]
    group = {"min": found["MinSize"], "max": found["MaxSize"], "desired": found["DesiredCapacity"]}
    ids = [i["InstanceId"] for i in found["Instances"] if not i["LifecycleState"].startswith("Terminat")]
    instances = []
    for start in range(0, len(ids), 100):
        reply = ec2.describe_instances(InstanceIds=ids[start:start + 100])
        for reservation in reply["Reservations"]:
            for instance in reservation["Instances"]:
                if "PrivateIpAddress" in instance:
                    instances.append({
                        "id": instance["InstanceId"],
                        "ip": instance["PrivateIpAddress"],
                        "launched": instance["LaunchTime"].timestamp(),
                    })
    return group, instances


def main():
    import boto3

    group_name = os.environ["FD_ASG"]
    region = os.environ["FD_REGION"]
    autoscaling = boto3.client("autoscaling", region_name=region)
    ec2 = boto3.client("ec2", region_name=region)
    group, instances = describe(autoscaling, ec2, group_name)
    if group is None:
        print("no Auto Scaling group %s yet" % group_name)
        return
    now = time.time()
    nodes = parse_nodes(run("scontrol", "-o", "show", "nodes"), now)
    wanted = parse_pending(run("squeue", "-h", "-r", "-t", "PD", "-p", PARTITION, "-o", "%D|%r"))
    idle_seconds = int(os.environ.get("FD_IDLE_MINUTES", "10")) * 60
    for action in plan(nodes, wanted, group, instances, now, idle_seconds, 20 * 60):
        print("scaler:", *action)
        try:
            kind = action[0]
            if kind == "set-desired":
                autoscaling.set_desired_capacity(
                    AutoScalingGroupName=group_name, DesiredCapacity=action[1], HonorCooldown=False
                )
            elif kind in ("drain", "resume"):
                state = ["state=drain", "reason=" + DRAIN_REASON] if kind == "drain" else ["state=resume"]
                run("scontrol", "update", "nodename=" + action[1], *state)
            elif kind == "delete":
                run("scontrol", "delete", "nodename=" + action[1])
            else:
                if kind == "terminate":
                    run("scontrol", "delete", "nodename=" + action[1])
                autoscaling.terminate_instance_in_auto_scaling_group(
                    InstanceId=action[-1], ShouldDecrementDesiredCapacity=True
                )
        except Exception as error:  # one failed action must not stop the others
            print("scaler: %s failed: %s" % (action[0], error), file=sys.stderr)


if __name__ == "__main__":
    main()
