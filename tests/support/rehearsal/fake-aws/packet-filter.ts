import { spawn } from "node:child_process";
import { SYSTEM_PATH } from "../host.js";
import type { IngressRule, SecurityGroup } from "./vpc.js";

/*
 * The security groups, enforced with real packets: an nftables table in the
 * AWS namespace, where the VPC's bridge is. With bridge-nf-call-iptables
 * (network.ts sets it) bridged IPv4 passes the inet hooks with conntrack, so
 * one table sees every packet to a network interface (an instance's or a
 * mount target's address): node to node (forward), from the AWS namespace
 * (output: the access host) and to the addresses the fake serves in the VPC
 * (input: mount targets). A reply to an accepted connection passes; a new
 * connection to an interface passes only if an ingress rule of one of its
 * groups admits the source (a member of the rule's group, or inside its
 * block) and the protocol and port; anything else to an interface is
 * dropped, not refused, as AWS drops it. Traffic to the fake's own service
 * addresses (router, resolver, metadata, endpoints) is not filtered, and
 * egress is not modelled: every group FlightDeck makes allows all of it.
 * The internet gateway's translation of public addresses is here too.
 */

/** The table's name, in the inet family of the run's AWS namespace. */
const FILTER_TABLE = "fdr_vpc";

/** A network interface: its private address and security groups. */
export interface Interface {
  readonly ip: string;
  readonly groups: readonly string[];
  /** Its public address, if it has one (the internet gateway translates it). */
  readonly publicIp?: string;
}

/** The nft match of a rule's protocol and ports, or "" for all traffic. */
function portMatch(rule: IngressRule): string {
  if (rule.protocol === "-1") return "";
  const ports =
    rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return rule.fromPort === 0 && rule.toPort === 65535
    ? `meta l4proto ${rule.protocol} `
    : `${rule.protocol} dport ${ports} `;
}

/** One interface's chain: the rules of all its groups, then the drop. */
function interfaceChain(
  name: string,
  eni: Interface,
  groups: ReadonlyMap<string, SecurityGroup>,
  members: (groupId: string) => string[],
): string[] {
  const lines = new Set<string>();
  for (const group of eni.groups.map((id) => groups.get(id))) {
    for (const rule of group?.ingress ?? []) {
      const note = `comment "${group?.id} ${rule.id}"`;
      if (rule.sourceGroupId !== undefined) {
        const sources = members(rule.sourceGroupId);
        if (sources.length > 0)
          lines.add(`ip saddr { ${sources.join(", ")} } ${portMatch(rule)}accept ${note}`);
      } else if (rule.cidr === "0.0.0.0/0") {
        lines.add(`${portMatch(rule)}accept ${note}`);
      } else if (rule.cidr !== undefined) {
        lines.add(`ip saddr ${rule.cidr} ${portMatch(rule)}accept ${note}`);
      }
    }
  }
  return [`  chain ${name} {`, ...[...lines].map((line) => `    ${line}`), "    drop", "  }"];
}

/** The whole table for these interfaces and groups, replacing the previous one at once. */
function renderRuleset(
  interfaces: readonly Interface[],
  groups: ReadonlyMap<string, SecurityGroup>,
): string {
  const members = (groupId: string) =>
    interfaces.filter((eni) => eni.groups.includes(groupId)).map((eni) => eni.ip);
  const chains = interfaces.map((eni, i) => ({ name: `eni_${i}`, eni }));
  const dispatch =
    chains.length === 0
      ? []
      : [`    ip daddr vmap { ${chains.map((c) => `${c.eni.ip} : jump ${c.name}`).join(", ")} }`];
  const hook = (name: string) => [
    `  chain ${name} {`,
    `    type filter hook ${name} priority filter; policy accept;`,
    "    ct state established,related accept",
    ...dispatch,
    "  }",
  ];
  const translated = interfaces.filter((eni) => eni.publicIp !== undefined);
  return [
    `table inet ${FILTER_TABLE}`,
    `delete table inet ${FILTER_TABLE}`,
    `table inet ${FILTER_TABLE} {`,
    ...hook("forward"),
    ...hook("output"),
    ...hook("input"),
    ...chains.flatMap((c) => interfaceChain(c.name, c.eni, groups, members)),
    "  chain internet_gateway {",
    "    type nat hook output priority -100; policy accept;",
    ...translated.map((eni) => `    ip daddr ${eni.publicIp} dnat ip to ${eni.ip}`),
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Applies a ruleset with `nft -f -` in this process's network namespace (one transaction). */
function applyRuleset(ruleset: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const nft = spawn("nft", ["-f", "-"], {
      env: { PATH: SYSTEM_PATH },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let errors = "";
    nft.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    nft.once("error", reject);
    nft.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`nft -f failed (${code}): ${errors}`)),
    );
    nft.stdin.end(ruleset);
  });
}

/**
 * Keeps the table in step with the VPC: {@link sync} resolves once a ruleset
 * rendered after the call is in place. Calls that come while one is waiting
 * to start share it.
 */
export class PacketFilter {
  private last: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(
    private readonly state: () => {
      interfaces: readonly Interface[];
      groups: ReadonlyMap<string, SecurityGroup>;
    },
  ) {}

  sync(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const next = this.last
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        const { interfaces, groups } = this.state();
        return applyRuleset(renderRuleset(interfaces, groups));
      });
    this.queued = next;
    this.last = next;
    return next;
  }
}
