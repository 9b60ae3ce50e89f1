import * as t from "io-ts";
import { closedObject, patternCodec } from "../../functions/shared/readable-errors.js";
import { Ipv4Cidr, wholeNumberIn } from "./setting-values.js";

/*
 * The deployment's network: one VPC that every cluster of the deployment
 * shares. Either FlightDeck builds it (a CIDR block split into one public
 * subnet per Availability Zone), or the admin names an existing VPC and its
 * subnets, as AWS ParallelCluster users do. Clusters then build only their
 * own security groups, never a VPC, gateway, route table or subnet.
 */

/** Availability Zones a created network spans unless the settings say otherwise. */
const DEFAULT_ZONE_COUNT = 2;
/** A created VPC's block unless the settings say otherwise: 65,536 addresses. */
const DEFAULT_VPC_CIDR = "10.0.0.0/16";

const ZoneCount = wholeNumberIn("ZoneCount", 2, 6, "must be a whole number from 2 to 6");

const ZoneName = patternCodec(
  "ZoneName",
  /^[a-z]{2}(-[a-z]+)+-\d{1,2}[a-z]$/,
  'an Availability Zone name such as "eu-west-2a"',
);

/** A VPC block FlightDeck can split: /16 (65,536 addresses) to /22 (1,024). */
const VpcCidr = new t.Type<string, string, unknown>(
  "VpcCidr",
  (u): u is string => Ipv4Cidr.is(u),
  (u, c) => {
    const decoded = Ipv4Cidr.validate(u, c);
    if (decoded._tag === "Left") return decoded;
    const prefix = Number(decoded.right.split("/")[1]);
    return prefix < 16 || prefix > 22
      ? t.failure(u, c, "must be a VPC block from /16 (65,536 addresses) to /22 (1,024)")
      : decoded;
  },
  (a) => a,
);

const CreatedNetworkCodec = closedObject(
  t.partial({
    cidr: VpcCidr,
    zones: t.union([ZoneCount, t.array(ZoneName)]),
  }),
  ["cidr", "zones"],
);

const ExistingNetworkCodec = closedObject(
  t.type({
    vpcId: patternCodec(
      "VpcId",
      /^vpc-[0-9a-f]{8,17}$/,
      'a VPC id such as "vpc-0123456789abcdef0"',
    ),
    subnets: t.array(
      closedObject(
        t.type({
          id: patternCodec(
            "SubnetId",
            /^subnet-[0-9a-f]{8,17}$/,
            'a subnet id such as "subnet-0123456789abcdef0"',
          ),
          zone: ZoneName,
        }),
        ["id", "zone"],
      ),
    ),
  }),
  ["vpcId", "subnets"],
);

/** The `network` setting as written: a block to build, or an existing VPC to use. */
export const NetworkFileCodec = new t.Type<
  t.TypeOf<typeof CreatedNetworkCodec> | t.TypeOf<typeof ExistingNetworkCodec>,
  unknown,
  unknown
>(
  "Network",
  (u): u is t.TypeOf<typeof CreatedNetworkCodec> =>
    CreatedNetworkCodec.is(u) || ExistingNetworkCodec.is(u),
  (u, c) =>
    typeof u === "object" && u !== null && "vpcId" in u
      ? ExistingNetworkCodec.validate(u, c)
      : CreatedNetworkCodec.validate(u, c),
  (a) => a,
);
export type NetworkFile = t.TypeOf<typeof NetworkFileCodec>;

/** One subnet of the deployment's network: one per Availability Zone. */
export interface NetworkSubnet {
  readonly zone: string;
  /** Its block, when FlightDeck builds it. */
  readonly cidr?: string;
  /** Its id, when the admin named an existing one. */
  readonly id?: string;
}

/** The deployment's network, with every default filled in. */
export type DeploymentNetwork =
  | {
      readonly kind: "created";
      readonly cidr: string;
      readonly subnets: readonly (NetworkSubnet & { readonly cidr: string })[];
    }
  | {
      readonly kind: "existing";
      readonly vpcId: string;
      readonly subnets: readonly (NetworkSubnet & { readonly id: string })[];
    };

/** An IPv4 address as a 32-bit number. */
function addressValue(address: string): number {
  return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

function addressText(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/**
 * Splits `cidr` into `count` equal subnets, the smallest power of two that
 * holds them all (Terraform's `cidrsubnet(cidr, newbits, i)` for each `i`).
 *
 * @example
 * splitCidr("10.0.0.0/16", 2) // => ["10.0.0.0/17", "10.0.128.0/17"]
 */
export function splitCidr(cidr: string, count: number): string[] {
  const [address = "", prefixText = ""] = cidr.split("/");
  const prefix = Number(prefixText);
  const newBits = Math.ceil(Math.log2(count));
  const size = 2 ** (32 - prefix - newBits);
  // The network's own address: host bits of the given one cleared.
  const base = addressValue(address) - (addressValue(address) % 2 ** (32 - prefix));
  return Array.from(
    { length: count },
    (_, i) => `${addressText(base + i * size)}/${prefix + newBits}`,
  );
}

/** The zone names a created network uses: the listed ones, or the region's first `count`. */
function zoneNames(region: string, zones: number | readonly string[] | undefined): string[] {
  if (Array.isArray(zones)) return [...(zones as readonly string[])];
  const count = typeof zones === "number" ? zones : DEFAULT_ZONE_COUNT;
  return Array.from({ length: count }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
}

/** The network the settings mean, every default filled in. */
export function networkFrom(region: string, file: NetworkFile | undefined): DeploymentNetwork {
  if (file !== undefined && "vpcId" in file) {
    return { kind: "existing", vpcId: file.vpcId, subnets: file.subnets.map((s) => ({ ...s })) };
  }
  const cidr = file?.cidr ?? DEFAULT_VPC_CIDR;
  const zones = zoneNames(region, file?.zones);
  const blocks = splitCidr(cidr, Math.max(zones.length, 1));
  return {
    kind: "created",
    cidr,
    subnets: zones.map((zone, i) => ({ zone, cidr: blocks[i] ?? "" })),
  };
}

/** What is wrong with a network across its fields (zones of another region, repeated zones or ids). */
export function networkProblems(region: string, network: DeploymentNetwork): string[] {
  const problems: string[] = [];
  const zones = network.subnets.map((s) => s.zone);
  if (network.kind === "created" && zones.length < 2) {
    problems.push("network: zones must name at least two Availability Zones.");
  }
  if (network.kind === "existing" && zones.length === 0) {
    problems.push("network: subnets must name at least one subnet.");
  }
  for (const zone of new Set(zones)) {
    if (!zone.startsWith(region) || zone.length !== region.length + 1) {
      problems.push(`network: ${zone} is not an Availability Zone of ${region}.`);
    }
    if (zones.filter((z) => z === zone).length > 1) {
      problems.push(
        `network: ${zone} is named more than once; name one subnet per Availability Zone (each home has one mount target in each).`,
      );
    }
  }
  if (network.kind === "existing") {
    const ids = network.subnets.map((s) => s.id);
    for (const id of new Set(ids)) {
      if (ids.filter((i) => i === id).length > 1) {
        problems.push(`network: subnet ${id} is listed more than once.`);
      }
    }
  }
  return problems;
}

/** Whether two IPv4 blocks share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const range = (cidr: string) => {
    const [address = "", prefix = "32"] = cidr.split("/");
    const size = 2 ** (32 - Number(prefix));
    const start = addressValue(address) - (addressValue(address) % size);
    return [start, start + size - 1] as const;
  };
  const [aStart, aEnd] = range(a);
  const [bStart, bEnd] = range(b);
  return aStart <= bEnd && bStart <= aEnd;
}
