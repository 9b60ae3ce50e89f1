"""FlightDeck compute nodes: Slurm's side of the node manager's decisions.

The compute node records `scontrol -o show nodes` prints, what their states
mean to the manager, the reasons it gives a node it sets DOWN, and when a
node DOWN for one of those reasons returns to service. Pure functions, with
no AWS or Slurm calls; flightdeck_nodes_plan.py uses them, and the daemon
(flightdeck-nodes.py) imports both from its own folder.
"""
import re
import time
from datetime import datetime

# Reasons the manager (or Slurm, for a node that never registered) gives a DOWN
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


# ---- a node's state, from its record ----

def has(node, flag):
    return flag in node["flags"]


def off(node):
    """Powered down, or on its way there."""
    return has(node, "POWERED_DOWN") or has(node, "POWERING_DOWN")


def down(node):
    return node["base"] == "DOWN"


def interrupted(node):
    """Drained by its own interruption watcher on AWS's notice."""
    return has(node, "DRAIN") and node["reason"].startswith(INTERRUPTION)


def ours(node):
    """Its reason is one the manager gives, so the manager returns it to service."""
    return node["reason"].startswith(OURS + CAPACITY_REASONS + (INTERRUPTION,))


# ---- the reasons, and when a node returns ----

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
