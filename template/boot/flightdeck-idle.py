#!/usr/bin/env python3
"""FlightDeck idle watcher: deletes an idle cluster through the file protocol.

The cluster is idle while no job is pending or running and nobody is logged
in (a utmp session, as `who` shows, or an sshd session process: `sshd: <login>`,
which covers ssh sessions without a terminal too). After IdleDeleteMinutes of
that, it puts home/<owner>/<cluster>.cf-delete in the users' bucket, the file
a user would drop, saying why: {"reason": "idle", "minutes": N}. The master's
role may put that one key and nothing else. With IdleDeleteMinutes 0 it does
nothing. A check that fails counts as busy: the watcher never deletes a
cluster it cannot see. The user can stop this service (they have sudo); the
control plane's maximum lifetime still holds.

Environment (boot.env and idle.env): FD_IDLE_MINUTES, FD_IDLE_SECONDS (the
idle time in this machine's seconds), FD_IDLE_POLL_SECONDS, FD_USER_BUCKET,
FD_USER_PREFIX (home/<user id>), FD_CLUSTER.
"""
import json
import os
import re
import subprocess
import sys
import time

STATE = "/var/lib/flightdeck/idle-delete-requested"
# `sshd: alice [priv]`, `sshd: alice@pts/0`, `sshd: alice@notty` (and OpenSSH 9.8's
# sshd-session); not the listener, `sshd: /usr/sbin/sshd -D [listener] ...`.
SSH_SESSION = re.compile(r"^sshd(-session)?: (?!/)(\S+?)(@|\s|$)")


def log(message):
    print("flightdeck-idle: %s" % message, file=sys.stderr, flush=True)


def output(command):
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout


def busy_reason():
    """Why the cluster is not idle now, or None when it is."""
    try:
        jobs = output(["squeue", "-h", "-t", "PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED", "-o", "%i"])
    except (OSError, subprocess.SubprocessError) as error:
        return "squeue failed (%s)" % error
    if jobs.strip():
        return "%d job(s) pending or running" % len(jobs.split())
    try:
        sessions = output(["who"]).strip()
    except (OSError, subprocess.SubprocessError) as error:
        return "who failed (%s)" % error
    if sessions:
        return "logged in: %s" % sessions.splitlines()[0]
    try:
        processes = output(["ps", "-eo", "args="]).splitlines()
    except (OSError, subprocess.SubprocessError) as error:
        return "ps failed (%s)" % error
    for args in processes:
        match = SSH_SESSION.match(args.strip())
        if match and "[listener]" not in args:
            return "ssh session of %s" % match.group(2)
    return None


def request_delete(minutes):
    key = "%s/%s.cf-delete" % (os.environ["FD_USER_PREFIX"], os.environ["FD_CLUSTER"])
    body = json.dumps({"reason": "idle", "minutes": minutes})
    subprocess.run(
        ["/usr/bin/python3", "/opt/flightdeck/flightdeck-aws.py", "request-delete", os.environ["FD_USER_BUCKET"], key, body],
        timeout=120,
        check=True,
    )
    log("idle for %d minutes: requested s3://%s/%s" % (minutes, os.environ["FD_USER_BUCKET"], key))


def main():
    minutes = int(os.environ.get("FD_IDLE_MINUTES", "0"))
    if minutes <= 0:
        log("IdleDeleteMinutes is 0: this cluster is never deleted for being idle")
        return
    idle_seconds = float(os.environ.get("FD_IDLE_SECONDS", minutes * 60))
    poll = float(os.environ.get("FD_IDLE_POLL_SECONDS", 60))
    if os.path.exists(STATE):
        log("deletion already requested; nothing more to do")
        return
    last_busy = time.monotonic()
    last_reason = "the watcher started"
    while True:
        reason = busy_reason()
        now = time.monotonic()
        if reason is not None:
            if reason != last_reason:
                log("busy: %s" % reason)
            last_busy, last_reason = now, reason
        elif now - last_busy >= idle_seconds:
            try:
                request_delete(minutes)
            except (OSError, subprocess.SubprocessError) as error:
                log("could not request deletion (%s); trying again" % error)
            else:
                os.makedirs(os.path.dirname(STATE), exist_ok=True)
                with open(STATE, "w") as handle:
                    handle.write("%d\n" % minutes)
                return
        elif last_reason is not None:
            log("idle since %s" % last_reason)
            last_reason = None
        time.sleep(poll)


if __name__ == "__main__":
    main()
