"""FlightDeck compute nodes: one pass's decisions (plan).

Each pass is level-triggered: from the nodes (scontrol), the groups and their
scaling activities (Auto Scaling) and its own claims (node -> instance),
plan() returns the actions that close the difference:

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

Pure functions, with no AWS or Slurm calls: a test runs them directly.
"""
from flightdeck_nodes_slurm import (
    CAPACITY, capacity_reason, down, due, has, interrupted, off, on_demand_now, ours, short)

GONE = ("Terminating", "Terminated", "Detaching", "Detached")
GROUPS = ("main", "fallback")


class Pass:
    """One pass's inputs, the state it changes, and its actions so far."""

    def __init__(self, nodes, groups, activities, state, now, config):
        self.nodes, self.groups, self.activities = nodes, groups, activities
        self.now, self.config = now, config
        self.by_name = {n["name"]: n for n in nodes}
        self.claims = dict(state.get("claims", {}))
        self.seen = dict(state.get("seen", {}))
        self.raised = state.get("raised")
        self.raised_group = state.get("raised_group") or "main"
        self.pending = dict(state.get("pending_down", {}))
        self.trouble = state.get("spot_trouble")
        self.failure_seen = state.get("failure_seen")
        self.actions = []
        # Each group's live instances and the group of each (track_instances),
        # then the nodes still without one and the instances nobody claims.
        self.live, self.group_of, self.waiting, self.unclaimed = {}, {}, [], []

    def act(self, *action):
        self.actions.append(action)

    def spot(self):
        """Whether the group launching for the waiting nodes launches spot."""
        return self.raised_group == "main" and self.config.get("main_market", "spot") == "spot"

    def after(self):
        return {"claims": self.claims, "seen": self.seen, "raised": self.raised,
                "raised_group": self.raised_group, "pending_down": self.pending,
                "spot_trouble": self.trouble, "failure_seen": self.failure_seen}


def plan(nodes, groups, activities, state, now, config):
    """One pass's actions, and the state after them (if they all succeed).

    nodes: parse_nodes() output. groups: {"main": group, "fallback": group},
    each None when CloudFormation has not created it (or the cluster has no
    fallback), else {"desired", "max", "instances": [{"id", "state"}]}.
    activities: each group's scaling activities, newest first: {"status",
    "start", "message"}. state: {"claims": {node: instance}, "seen":
    {instance: time}, "raised": time or None, "raised_group": "main" or
    "fallback", "pending_down": {node: reason}, "spot_trouble": None or
    {"since", "last"}, "failure_seen": the newest failed activity acted on}.
    config: {"claim_seconds", "grace_seconds", "backoff_seconds",
    "capacity_retry_seconds", "fallback_seconds" (None without a fallback),
    "fallback_minutes", "on_demand_allowed", "main_market" ("spot" or
    "on-demand")}.
    Actions: ("claim", node, instance), ("set-desired", count, group),
    ("terminate", instance, why), ("down", [nodes], reason),
    ("power-down", [nodes], None), ("resume", [nodes], None).
    """
    p = Pass(nodes, groups, activities, state, now, config)
    settle_pending(p)
    return_due(p)
    power_down_failed(p)
    if groups.get("main") is None:
        return p.actions, p.after()
    track_instances(p)
    release_claims(p)
    claim_instances(p)
    choose_group(p)
    failure = launch_failure(p)
    if failure is not None:
        give_up(p, failure)
    raise_capacity(p)
    reap_unclaimed(p)
    return p.actions, p.after()


def settle_pending(p):
    """A node we forced down waits for Slurm to start powering it down, then is
    marked DOWN again (idle_on_node_suspend made it IDLE), so it stays out of
    service with its reason until it is due."""
    for name, reason in sorted(p.pending.items()):
        node = p.by_name.get(name)
        if node is None or (down(node) and has(node, "POWERED_DOWN")):
            del p.pending[name]
        elif off(node) and not down(node):
            p.act("down", [name], reason)
        elif has(node, "POWERING_UP"):
            p.act("power-down", [name], None)


def return_due(p):
    """Back in service once due: DOWN and powered down for one of our reasons."""
    ready = []
    for n in p.nodes:
        if (down(n) or interrupted(n)) and has(n, "POWERED_DOWN") and n["name"] not in p.pending:
            when = due(n, p.trouble, p.groups, p.config)
            if when is not None and p.now >= when:
                ready.append(n["name"])
    if ready:
        p.act("resume", ready, None)


def power_down_failed(p):
    """A node set DOWN while it boots (its customizers failed, or an admin) is
    still powering up: end that now rather than at ResumeTimeout. One DOWN for
    our reasons while up (its instance was lost) is powered down too, to come
    back once due."""
    for node in p.nodes:
        name = node["name"]
        if name in p.pending or not down(node):
            continue
        if has(node, "POWERING_UP") or (not off(node) and ours(node) and name not in p.claims):
            p.pending[name] = node["reason"] or "boot failed"
            p.act("power-down", [name], None)


def track_instances(p):
    """Each group's live instances, and when each was first seen."""
    p.live = {key: [i["id"] for i in (p.groups.get(key) or {"instances": []})["instances"]
                    if not i["state"].startswith(GONE)] for key in GROUPS}
    p.group_of = {i: key for key in GROUPS for i in p.live[key]}
    if p.trouble is not None and any(i not in p.seen for i in p.live["main"]):
        # A new spot instance: spot has capacity again.
        p.trouble = None
    p.seen = {i: p.seen.get(i, p.now) for i in p.group_of}


def release_claims(p):
    """Claims whose instance went, or whose node no longer needs it."""
    for name, instance in sorted(p.claims.items()):
        node = p.by_name.get(name)
        if instance not in p.group_of:
            # Gone from its group (reclaimed, health replacement): an up node's job requeues.
            del p.claims[name]
            if node is None or off(node) or down(node) or has(node, "POWERING_UP"):
                continue
            if interrupted(node) and node["base"] == "IDLE":
                p.act("power-down", [name], None)
            else:
                p.act("down", [name], "instance lost: %s left the Auto Scaling group" % instance)
        elif node is None or off(node) or down(node) or (has(node, "DRAIN") and node["base"] == "IDLE"):
            state = "gone" if node is None else "+".join([node["base"]] + node["flags"])
            p.act("terminate", instance, "node %s is %s" % (name, state))
            del p.claims[name]
            p.live[p.group_of[instance]].remove(instance)
            if node is not None and interrupted(node) and not off(node):
                p.act("power-down", [name], None)


def claim_instances(p):
    """Unclaimed instances of either group go to the waiting nodes, oldest instance first."""
    p.waiting = sorted(n["name"] for n in p.nodes
                       if has(n, "POWERING_UP") and not down(n) and n["name"] not in p.claims
                       and n["name"] not in p.pending)
    claimed = set(p.claims.values())
    p.unclaimed = sorted((i for key in GROUPS for i in p.live[key] if i not in claimed),
                         key=lambda i: (p.seen[i], i))
    while p.waiting and p.unclaimed:
        name, instance = p.waiting.pop(0), p.unclaimed.pop(0)
        p.claims[name] = instance
        p.act("claim", name, instance)


def choose_group(p):
    """The group launching for the waiting nodes: the one raised for them
    already, else on-demand while spot is in trouble, else the main group."""
    if p.waiting and p.raised is None:
        p.raised = p.now
        p.raised_group = "fallback" if on_demand_now(p.trouble, p.groups, p.now, p.config) else "main"
    if not p.waiting:
        p.raised = None
    if p.groups.get(p.raised_group) is None:
        p.raised_group = "main"


def launch_failure(p):
    """Why the launches for the waiting nodes failed, not acted on yet, or None:
    a scaling activity that failed since the raise, or no instance within the
    launch grace (unless AWS is still looking for capacity)."""
    group = p.groups[p.raised_group]
    failed = []
    short_of_capacity = False
    if p.waiting:
        failed = [a for a in p.activities.get(p.raised_group, [])
                  if a["status"] in ("Failed", "Cancelled") and a["start"] >= p.raised]
        short_of_capacity = any(CAPACITY.search(a["message"] or "") for a in failed)
        failed = [a for a in failed if a["start"] > (p.failure_seen or 0)]
    if failed:
        p.failure_seen = max(a["start"] for a in failed)
        return short(failed[0]["message"] or "the Auto Scaling group could not launch an instance")
    if (p.waiting and not short_of_capacity and p.now - p.raised >= p.config["grace_seconds"]
            and group["desired"] > len(p.live[p.raised_group])):
        return "no instance within %d s of raising the capacity" % p.config["grace_seconds"]
    return None


def give_up(p, failure):
    """Acts on a failed launch. No capacity: the waiting nodes keep waiting
    (their jobs stay put) while Auto Scaling tries the types and zones again;
    the powered-down nodes carry the reason (sinfo -R) and launch nothing
    meanwhile. Any other failure: the waiting nodes power down too, and
    nothing launches until the backoff."""
    others = sorted(n["name"] for n in p.nodes
                    if has(n, "POWERED_DOWN") and not down(n) and n["name"] not in p.waiting)
    if CAPACITY.search(failure):
        spot = p.spot()
        if spot:
            p.trouble = {"since": (p.trouble or {}).get("since", p.now), "last": p.now}
        reason = capacity_reason("spot" if spot else "on-demand", failure, p.trouble, p.groups,
                                 p.now, p.config)
        if others:
            p.act("down", others, reason)
        return
    reason = "launch failed: " + failure
    for name in p.waiting:
        p.pending[name] = reason
    p.act("power-down", p.waiting, None)
    if others:
        p.act("down", others, reason)
    alive = len(p.live[p.raised_group])
    if p.groups[p.raised_group]["desired"] > alive:
        p.act("set-desired", alive, p.raised_group)
    p.raised = None
    p.waiting = []


def raise_capacity(p):
    """More capacity for the nodes still waiting: from the on-demand group once
    spot has failed for SpotFallbackMinutes; never below the instances alive
    (the group would pick which to terminate), never above MaxSize."""
    if p.waiting and p.spot() and on_demand_now(p.trouble, p.groups, p.now, p.config):
        if p.groups["main"]["desired"] > len(p.live["main"]):
            p.act("set-desired", len(p.live["main"]), "main")
        p.raised_group, p.raised = "fallback", p.now
    if p.waiting:
        group = p.groups[p.raised_group]
        wanted = min(group["max"], len(p.live[p.raised_group]) + len(p.waiting))
        if wanted > group["desired"]:
            p.act("set-desired", wanted, p.raised_group)
            p.raised = p.now


def reap_unclaimed(p):
    """Instances nobody claimed within the claim timeout."""
    for instance in p.unclaimed:
        if p.now - p.seen[instance] >= p.config["claim_seconds"]:
            p.act("terminate", instance,
                  "no node claimed it within %d s" % p.config["claim_seconds"])
