import { createSocket } from "node:dgram";
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { answer, zoneFrom, type ZoneSnapshot } from "./dns.js";

/*
 * The VPC resolver's thread (vpc-resolver.ts starts it): serves DNS over UDP
 * from the latest snapshot of names the fake sent.
 */

const { address, port, snapshot } = workerData as {
  address: string;
  port: number;
  snapshot: ZoneSnapshot;
};
let zone = zoneFrom(snapshot);

// Ahead of the nodes' processes for the CPU, as AWS's resolver does not share
// the instances' cores (Linux sets a nice value per thread; root only).
try {
  setPriority(Number(readlinkSync("/proc/thread-self").split("/").at(-1)), -10);
} catch {
  // not root: a test of the resolver alone
}

const socket = createSocket("udp4");
socket.on("message", (message, peer) => {
  const reply = answer(message, zone, peer.address);
  if (reply !== undefined) socket.send(reply, peer.port, peer.address);
});
parentPort?.on("message", (message: { version: number; snapshot: ZoneSnapshot }) => {
  zone = zoneFrom(message.snapshot);
  parentPort?.postMessage({ applied: message.version });
});
socket.bind(port, address, () => parentPort?.postMessage({ port: socket.address().port }));
