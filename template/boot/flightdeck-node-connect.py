#!/usr/bin/env python3
"""ssh ProxyCommand for the cluster's compute nodes (day-one.sh installs it as
/usr/local/bin/flightdeck-node-connect): `flightdeck-node-connect NODE PORT`.
Cloud nodes have no DNS names, so a node's address is slurmctld's record of
where its slurmd registered; then this relays ssh's stdin and stdout to it."""
import os
import re
import socket
import subprocess
import sys
import threading


def address_of(node):
    try:
        return socket.gethostbyname(node)
    except OSError:
        pass
    shown = subprocess.run(["scontrol", "-o", "show", "node", node], capture_output=True, text=True)
    found = re.search(r"\bNodeAddr=(\S+)", shown.stdout)
    if found is None or found.group(1) == node:
        raise SystemExit("flightdeck-node-connect: %s has no address: is it up? (sinfo -n %s)" % (node, node))
    return found.group(1)


def relay(node, port):
    connection = socket.create_connection((address_of(node), int(port)), timeout=30)
    connection.settimeout(None)

    def upstream():
        while True:
            data = os.read(0, 65536)
            if not data:
                break
            connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)

    threading.Thread(target=upstream, daemon=True).start()
    while True:
        data = connection.recv(65536)
        if not data:
            break
        os.write(1, data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: flightdeck-node-connect NODE PORT")
    relay(sys.argv[1], sys.argv[2])
