#!/usr/bin/python3
"""FlightDeck spot interruption watcher: on every compute node, as root.

It polls the instance metadata (IMDSv2) every few seconds, as AWS advises,
for two notices about this instance:

- spot/instance-action: AWS reclaims the instance, two minutes from now. The
  node drains itself with the reason "spot interruption: ..." (no new job
  starts here) and requeues the jobs running on it, which start again
  elsewhere; Slurm requeues batch jobs unless they asked not to be
  (--no-requeue), and those end with the instance. Once the node is idle,
  the master's node manager terminates the instance and powers the node
  down, ready to resume on a new instance.
- events/recommendations/rebalance: the instance is at higher risk of being
  reclaimed. The node drains with the reason "spot interruption: rebalance
  recommendation ...": running jobs finish here, new ones start elsewhere,
  then the master gives the instance back the same way.

An on-demand instance never gets either notice, so the watcher runs on every
compute node. respond() decides; run() polls and acts.

Environment: FD_NODE (this node's Slurm name), FD_MASTER_IP (where slurmctld
is, for scontrol), FD_INTERRUPTION_POLL_SECONDS.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

IMDS = "http://169.254.169.254/latest"
REASON = "spot interruption"


def respond(action, rebalance, handled):
    """What to do about the notices seen in one poll.

    action: the parsed spot/instance-action document, or None.
    rebalance: the parsed rebalance recommendation, or None.
    handled: the notices already acted on, a list of "action"/"rebalance".
    Returns (steps, handled), steps being ("drain", reason) and ("requeue",).
    """
    steps = []
    handled = list(handled)
    if action is not None and "action" not in handled:
        when = action.get("time", "in two minutes")
        steps.append(("drain", "%s: AWS %ss this instance at %s; its jobs were requeued"
                      % (REASON, action.get("action", "terminate"), when)))
        steps.append(("requeue",))
        handled.append("action")
    elif rebalance is not None and not handled:
        steps.append(("drain", "%s: rebalance recommendation at %s; running jobs finish, new ones start elsewhere"
                      % (REASON, rebalance.get("noticeTime", "now"))))
        handled.append("rebalance")
    return steps, handled


# ---- the daemon ----

def log(message):
    print("flightdeck-interruptions: %s" % message, file=sys.stderr, flush=True)


class Metadata:
    """IMDSv2: a session token, renewed before it expires, then GETs with it."""

    def __init__(self):
        self.token = None
        self.expires = 0

    def _token(self):
        if self.token is None or time.time() > self.expires:
            request = urllib.request.Request(
                IMDS + "/api/token", method="PUT",
                headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
            with urllib.request.urlopen(request, timeout=2) as reply:
                self.token = reply.read().decode()
            self.expires = time.time() + 21000
        return self.token

    def document(self, path):
        """The JSON document at meta-data/<path>, or None while there is none (404)."""
        request = urllib.request.Request(
            IMDS + "/meta-data/" + path, headers={"X-aws-ec2-metadata-token": self._token()})
        try:
            with urllib.request.urlopen(request, timeout=2) as reply:
                text = reply.read().decode()
        except urllib.error.HTTPError as error:
            if error.code == 401:
                self.token = None
            if error.code in (401, 404):
                return None
            raise
        try:
            return json.loads(text)
        except ValueError:
            return {}


def slurm(env, *command):
    """A Slurm command; SLURM_CONF_SERVER finds slurmctld without a slurm.conf."""
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=30,
                          env=dict(env, SLURM_CONF_SERVER=env["FD_MASTER_IP"])).stdout


def act(step, env):
    node = env["FD_NODE"]
    if step[0] == "drain":
        slurm(env, "scontrol", "update", "nodename=" + node, "state=drain", "reason=" + step[1])
        log("drained %s: %s" % (node, step[1]))
    elif step[0] == "requeue":
        jobs = slurm(env, "squeue", "-h", "-w", node, "-t", "RUNNING,CONFIGURING", "-o", "%A").split()
        for job in jobs:
            try:
                slurm(env, "scontrol", "requeue", job)
                log("requeued job %s" % job)
            except subprocess.CalledProcessError as error:
                # --no-requeue: the job ends with the instance.
                log("job %s not requeued: %s" % (job, error.stderr.strip()))


def run(env):
    poll = max(1.0, float(env.get("FD_INTERRUPTION_POLL_SECONDS", "5")))
    metadata = Metadata()
    handled = []
    log("watching %s for spot interruptions (poll %.0f s)" % (env["FD_NODE"], poll))
    while "action" not in handled:
        try:
            action = metadata.document("spot/instance-action")
            rebalance = None if action else metadata.document("events/recommendations/rebalance")
            steps, after = respond(action, rebalance, handled)
            for step in steps:
                act(step, env)
            handled = after
        except Exception as error:  # a failed poll must not end the watch
            log("poll failed: %s" % (getattr(error, "stderr", None) or error))
        time.sleep(poll)
    log("done: the instance is going")


if __name__ == "__main__":
    run(os.environ)
