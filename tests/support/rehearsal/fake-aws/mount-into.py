#!/usr/bin/python3
"""Bind-mounts a folder of this host into a node's mount namespace:
`mount-into.py SOURCE PID ROOT PATH`: PID is the node's init, ROOT the folder
it chroots into (as its namespace sees it), PATH the mount point in the node.
The fake's EFS (efs.ts) runs it, as root, once per mount a node asks for:
the tree is cloned here (open_tree), then moved into the node's namespace
(setns, move_mount), so nothing is mounted in the host's own. A process of
its own, as setns would move the whole fake otherwise."""
import ctypes
import os
import sys

SYS_OPEN_TREE = 428
SYS_MOVE_MOUNT = 429
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
OPEN_TREE_CLONE = 1
OPEN_TREE_CLOEXEC = os.O_CLOEXEC
MOVE_MOUNT_F_EMPTY_PATH = 0x4
CLONE_NEWNS = 0x00020000

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def check(result, what):
    if result < 0:
        error = ctypes.get_errno()
        raise SystemExit("%s: %s" % (what, os.strerror(error)))
    return result


def main(source, pid, root, path):
    tree = check(libc.syscall(SYS_OPEN_TREE, AT_FDCWD, source.encode(),
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE), "open_tree " + source)
    namespace = os.open("/proc/%d/ns/mnt" % pid, os.O_RDONLY | os.O_CLOEXEC)
    check(libc.setns(namespace, CLONE_NEWNS), "setns")
    # Root on the node may have made a link of any part of the path: mount
    # only onto a folder that really is below the node's root.
    root = os.path.realpath(root)
    resolved = os.path.realpath(root + path)
    if not resolved.startswith(root + "/") or not os.path.isdir(resolved):
        raise SystemExit("mount point %s does not exist" % path)
    check(libc.syscall(SYS_MOVE_MOUNT, tree, b"", AT_FDCWD, resolved.encode(), MOVE_MOUNT_F_EMPTY_PATH),
          "move_mount")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
