#!/usr/bin/env python3
"""FlightDeck node helper: the few AWS calls the boot scripts make.

Ubuntu 24.04 has no AWS CLI package, so the boot scripts use apt's
python3-boto3 through this file. Commands:
  munge-key SECRET_ID PATH                      write the cluster's munge key
  host-key SECRET_ID PATH                       write the cluster's SSH host key (PATH, PATH.pub)
  fetch-customizers BUCKET PREFIX USER DEST     download configure.d scripts
  signal STACK RESOURCE INSTANCE_ID STATUS [REASON]
  put-object BUCKET KEY FILE                    one file to S3 (below 5 GiB)
  sync FOLDER                                   a folder to the cluster's results:
      s3://$FD_USER_BUCKET/$FD_USER_PREFIX/results/$FD_CLUSTER/<folder name>/...
  request-delete BUCKET KEY BODY                put the cluster's own .cf-delete (idle watcher)
"""
import base64
import hashlib
import os
import re
import struct
import subprocess
import sys
import time

# Names a customizer may have on disk; anything else is refused, not skipped.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def client(service):
    import boto3
    from botocore.config import Config

    retries = {"mode": "standard", "max_attempts": 10}
    return boto3.client(service, region_name=os.environ["FD_REGION"], config=Config(retries=retries))


def with_credentials(call):
    """Retries while the instance profile's credentials are not yet there (early
    boot). `call` must make its client: boto3 looks for credentials when it makes one."""
    from botocore.exceptions import NoCredentialsError

    for _ in range(24):
        try:
            return call()
        except NoCredentialsError:
            time.sleep(5)
    return call()


def secret_value(secret_id):
    reply = with_credentials(lambda: client("secretsmanager").get_secret_value(SecretId=secret_id))
    value = reply["SecretString"].encode()
    if len(value) < 32:
        raise SystemExit("the secret %s is shorter than 32 bytes" % secret_id)
    return value


def write_private(path, data, mode=0o400):
    """Writes a file only its owner reads, whole or not at all."""
    temporary = path + ".new"
    if os.path.exists(temporary):
        os.unlink(temporary)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def munge_key(secret_id, path):
    write_private(path, secret_value(secret_id))


def ssh_string(data):
    return struct.pack(">I", len(data)) + data


def host_key(secret_id, path):
    """The cluster's SSH host key, the same on every node, so one known_hosts
    line names them all: an ed25519 key whose private half is the SHA-256 of
    the stack's generated secret. OpenSSL gives its public half (ssh-keygen
    cannot read a raw key), and the file is OpenSSH's own unencrypted format."""
    seed = hashlib.sha256(secret_value(secret_id)).digest()
    pkcs8 = bytes.fromhex("302e020100300506032b657004220420") + seed
    spki = subprocess.run(
        ["openssl", "pkey", "-inform", "DER", "-pubout", "-outform", "DER"],
        input=pkcs8, capture_output=True, check=True,
    ).stdout
    public = spki[-32:]
    kind = b"ssh-ed25519"
    blob = ssh_string(kind) + ssh_string(public)
    comment = ("flightdeck-%s-nodes" % os.environ.get("FD_CLUSTER", "cluster")).encode()
    check = seed[:4]
    private = check + check + ssh_string(kind) + ssh_string(public)
    private += ssh_string(seed + public) + ssh_string(comment)
    private += bytes(range(1, 1 + (-len(private)) % 8))
    body = b"openssh-key-v1\0" + ssh_string(b"none") + ssh_string(b"none") + ssh_string(b"")
    body += struct.pack(">I", 1) + ssh_string(blob) + ssh_string(private)
    text = base64.b64encode(body).decode()
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    pem = "-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n" % "\n".join(lines)
    write_private(path, pem.encode(), 0o600)
    with open(path + ".pub", "w") as handle:
        handle.write("ssh-ed25519 %s %s\n" % (base64.b64encode(blob).decode(), comment.decode()))


def fetch_customizers(bucket, prefix, user, dest):
    def listing(key_prefix):
        paginator = client("s3").get_paginator("list_objects_v2")
        return list(paginator.paginate(Bucket=bucket, Prefix=key_prefix, Delimiter="/"))

    s3 = None
    for scope, folder in (("default", "default"), ("user", user)):
        key_prefix = "%s/%s/configure.d/" % (prefix, folder)
        target = os.path.join(dest, scope)
        os.makedirs(target, exist_ok=True)
        pages = with_credentials(lambda: listing(key_prefix))
        s3 = s3 or client("s3")
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(key_prefix):]
                if name == "":
                    continue  # the console's "folder" marker
                if not SAFE_NAME.match(name):
                    raise SystemExit("refusing customizer s3://%s/%s: unsafe name" % (bucket, item["Key"]))
                s3.download_file(bucket, item["Key"], os.path.join(target, name))
                print("fetched s3://%s/%s" % (bucket, item["Key"]), file=sys.stderr)


def signal(stack, resource, instance_id, status, reason=""):
    """SignalResource has no reason field, so a failure's reason rides in the
    UniqueId (at most 64 characters), which the stack event and the user's
    .cf-failed show. The reason alone: with the instance id first, a
    customizer's name did not fit (the rehearsal showed it cut)."""
    from botocore.exceptions import ClientError

    unique_id = instance_id
    if reason:
        unique_id = re.sub(r"[^A-Za-z0-9 ._:/-]", "_", reason)[:64]
    try:
        with_credentials(
            lambda: client("cloudformation").signal_resource(
                StackName=stack, LogicalResourceId=resource, UniqueId=unique_id, Status=status
            )
        )
    except ClientError as error:
        if unique_id == instance_id:
            raise
        print("signal with a reason refused (%s); sending it without" % error, file=sys.stderr)
        client("cloudformation").signal_resource(
            StackName=stack, LogicalResourceId=resource, UniqueId=instance_id, Status=status
        )


# PutObject's limit; above it S3 needs a multipart upload, which this does not do.
MAX_PUT_BYTES = 5 * 1024**3


def put_object(bucket, key, path):
    from botocore.exceptions import ClientError

    if os.path.getsize(path) > MAX_PUT_BYTES:
        raise SystemExit("%s is over 5 GiB, more than one upload can carry: split it first" % path)
    try:
        with open(path, "rb") as body:
            with_credentials(lambda: client("s3").put_object(Bucket=bucket, Key=key, Body=body))
    except ClientError as error:
        raise SystemExit("s3://%s/%s: %s" % (bucket, key, error.response["Error"]["Code"]))


def sync(folder):
    """Copies every file under FOLDER, checking sizes before copying any."""
    env = os.environ
    root = os.path.abspath(folder)
    if not os.path.isdir(root):
        raise SystemExit("flightdeck-sync: %s is not a folder" % folder)
    files = sorted(
        os.path.join(where, name) for where, _, names in os.walk(root) for name in names
        if os.path.isfile(os.path.join(where, name))
    )
    too_big = [path for path in files if os.path.getsize(path) > MAX_PUT_BYTES]
    if too_big:
        raise SystemExit("flightdeck-sync: over 5 GiB, split them first: %s" % " ".join(too_big))
    base = "%s/results/%s/%s" % (env["FD_USER_PREFIX"], env["FD_CLUSTER"], os.path.basename(root))
    for path in files:
        key = "%s/%s" % (base, os.path.relpath(path, root))
        put_object(env["FD_USER_BUCKET"], key, path)
        print("s3://%s/%s" % (env["FD_USER_BUCKET"], key))
    print("flightdeck-sync: %d files copied" % len(files), file=sys.stderr)
def request_delete(bucket, key, body):
    """The master's role may put this one key: its own cluster's .cf-delete."""
    with_credentials(
        lambda: client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="application/json")
    )


COMMANDS = {
    "munge-key": munge_key,
    "host-key": host_key,
    "fetch-customizers": fetch_customizers,
    "signal": signal,
    "put-object": put_object,
    "sync": sync,
    "request-delete": request_delete,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        raise SystemExit("usage: flightdeck-aws.py {%s} ..." % ",".join(COMMANDS))
    COMMANDS[sys.argv[1]](*sys.argv[2:])
