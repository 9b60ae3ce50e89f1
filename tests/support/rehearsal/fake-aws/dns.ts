import { createSocket, type Socket } from "node:dgram";

/*
 * The VPC's resolver (AmazonProvidedDNS, at the subnet's base + 2): it
 * answers an instance's private name (ip-10-0-0-12.<region>.compute.internal)
 * both ways and the regional AWS endpoints (the fake), and NXDOMAIN for
 * everything else at once, as AWS's does. Slurm's cloud nodes have no DNS
 * names, so slurmctld and slurmd look names up and must be told "no such
 * name" quickly (a resolver that does not answer makes Slurm retry for a
 * minute).
 */

const A = 1;
const PTR = 12;

/** How names resolve: forward (name to address) and reverse (address to name). */
export interface Zone {
  readonly address: (name: string) => string | undefined;
  readonly name: (address: string) => string | undefined;
}

/** The name a query asks for, its type, and where its question ends. */
function question(packet: Buffer): { name: string; end: number; type: number } | undefined {
  const labels: string[] = [];
  let offset = 12;
  while (offset < packet.length) {
    const length = packet[offset] ?? 0;
    if (length === 0) {
      offset += 1;
      break;
    }
    if (length > 63) return undefined;
    labels.push(packet.subarray(offset + 1, offset + 1 + length).toString("latin1"));
    offset += 1 + length;
  }
  if (offset + 4 > packet.length) return undefined;
  return {
    name: labels.join(".").toLowerCase(),
    end: offset + 4,
    type: packet.readUInt16BE(offset),
  };
}

/** A domain name in DNS's wire format. */
function encodeName(name: string): Buffer {
  const labels = name.split(".").filter(Boolean);
  return Buffer.concat([
    ...labels.map((label) =>
      Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "latin1")]),
    ),
    Buffer.from([0]),
  ]);
}

/** One answer record for the question (name pointer 0xc00c), class IN, TTL 60 s. */
function record(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(60, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

/** The answer to one query packet, or undefined for a packet that is not a query. */
export function answer(query: Buffer, zone: Zone): Buffer | undefined {
  if (query.length < 12) return undefined;
  const asked = question(query);
  if (asked === undefined) return undefined;
  const name = asked.name.replace(/\.$/, "");
  const arpa = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
  const found =
    arpa === null ? zone.address(name) : zone.name(arpa.slice(1, 5).reverse().join("."));
  const records: Buffer[] = [];
  if (found !== undefined && arpa === null && asked.type === A) {
    records.push(record(A, Buffer.from(found.split(".").map(Number))));
  } else if (found !== undefined && arpa !== null && asked.type === PTR) {
    records.push(record(PTR, encodeName(found)));
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  const recursion = query.readUInt16BE(2) & 0x0100;
  // QR, AA, RD as asked, RA; RCODE 3 (NXDOMAIN) for an unknown name.
  header.writeUInt16BE(0x8480 | recursion | (found === undefined ? 3 : 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, query.subarray(12, asked.end), ...records]);
}

/** Serves DNS on `address`:53 (UDP) until closed. */
export function serveDns(address: string, zone: Zone): Promise<Socket> {
  const socket = createSocket("udp4");
  socket.on("message", (message, peer) => {
    const reply = answer(message, zone);
    if (reply !== undefined) socket.send(reply, peer.port, peer.address);
  });
  return new Promise((resolve) => socket.bind(53, address, () => resolve(socket)));
}
