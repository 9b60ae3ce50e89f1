/*
 * The VPC's resolver (AmazonProvidedDNS, at the VPC's base + 2), on the
 * wire: it answers an instance's private name (ip-10-0-0-12.<region>.
 * compute.internal) both ways, the regional AWS endpoints (the fake), and an
 * EFS file system's name (<fs-id>.efs.<region>.amazonaws.com) with the mount
 * target in the asking instance's own zone, as EFS's zonal DNS does; NXDOMAIN
 * for everything else at once, as AWS's does. Slurm's cloud nodes have no DNS
 * names, so slurmctld and slurmd look names up and must be told "no such
 * name" quickly (a resolver that does not answer makes Slurm retry for a
 * minute). vpc-resolver.ts serves it.
 */

const A = 1;
const PTR = 12;

/** How names resolve: forward (name to address, for the asking client) and reverse (address to name). */
export interface Zone {
  readonly address: (name: string, client: string) => string | undefined;
  readonly name: (address: string) => string | undefined;
}

/** What the resolver knows, as the fake sends it to the resolver's thread after every change. */
export interface ZoneSnapshot {
  readonly region: string;
  /** The regional endpoint names, all at `endpointAddress` (the fake). */
  readonly endpoints: readonly string[];
  readonly endpointAddress: string;
  /** Live instances: their private addresses and zones. */
  readonly instances: readonly { readonly ip: string; readonly zone: string }[];
  readonly fileSystems: readonly {
    readonly id: string;
    readonly mountTargets: readonly { readonly zone: string; readonly ip: string }[];
  }[];
}

/** The private name EC2 gives an address in `region`. */
export const privateName = (ip: string, region: string) =>
  `ip-${ip.replaceAll(".", "-")}.${region}.compute.internal`;

/** The names a snapshot answers, as a {@link Zone}. */
export function zoneFrom(snapshot: ZoneSnapshot): Zone {
  const zoneOf = new Map(snapshot.instances.map((i) => [i.ip, i.zone]));
  const endpoints = new Set(snapshot.endpoints);
  const fileSystems = new Map(snapshot.fileSystems.map((f) => [f.id, f.mountTargets]));
  const privateNames = new RegExp(
    `^ip-(\\d+)-(\\d+)-(\\d+)-(\\d+)\\.${snapshot.region.replaceAll(".", "\\.")}\\.compute\\.internal$`,
  );
  const efsNames = new RegExp(
    `^(?:([a-z0-9-]+)\\.)?(fs-[0-9a-f]+)\\.efs\\.${snapshot.region}\\.amazonaws\\.com$`,
  );
  return {
    address(name, client) {
      const ip = privateNames.exec(name)?.slice(1, 5).join(".");
      if (ip !== undefined) return zoneOf.has(ip) ? ip : undefined;
      if (endpoints.has(name)) return snapshot.endpointAddress;
      const efs = efsNames.exec(name);
      if (efs === null) return undefined;
      // <zone>.<fs-id>.efs… names that zone's mount target; <fs-id>.efs… the asker's own zone's.
      const zone = efs[1] ?? zoneOf.get(client);
      return fileSystems.get(efs[2] ?? "")?.find((target) => target.zone === zone)?.ip;
    },
    name: (ip) => (zoneOf.has(ip) ? privateName(ip, snapshot.region) : undefined),
  };
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

/**
 * The answer to one query packet from `client`, or undefined for a packet
 * that is not a query. A name it knows gets its record for A or PTR and an
 * empty answer (NODATA) for any other type, AAAA included; one it does not
 * know gets NXDOMAIN, whatever the type.
 */
export function answer(query: Buffer, zone: Zone, client: string): Buffer | undefined {
  if (query.length < 12) return undefined;
  const asked = question(query);
  if (asked === undefined) return undefined;
  const name = asked.name.replace(/\.$/, "");
  const arpa = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
  const found =
    arpa === null ? zone.address(name, client) : zone.name(arpa.slice(1, 5).reverse().join("."));
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
