import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { privateName } from "./dns.js";
import { isoTime, send } from "./protocol.js";
import type { Instance, World } from "./world.js";

/*
 * The instance metadata service, IMDSv2 only (as the template's
 * MetadataOptions require): PUT /latest/api/token, then GETs carrying the
 * token; 401 without one. The instance is the one whose address the request
 * comes from. Instance tags are served only when the launch template
 * enables InstanceMetadataTags, as EC2 does. A spot instance EC2 is about to
 * reclaim has spot/instance-action, and one it recommends rebalancing has
 * events/recommendations/rebalance; both are 404 until then, as on EC2.
 */

const TOKEN_HEADER = "x-aws-ec2-metadata-token";

export class Imds {
  private readonly tokens = new Map<string, { ip: string; expires: number }>();

  constructor(private readonly world: World) {}

  serve(request: IncomingMessage, response: ServerResponse): void {
    const ip = (request.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const instance = this.world.instanceAt(ip);
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const text = (status: number, body: string) => send(response, status, body, "text/plain");
    if (instance === undefined) return text(404, "Not Found");
    if (path === "/latest/api/token") {
      const ttl = Number(request.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (request.method !== "PUT" || !(ttl >= 1 && ttl <= 21600)) return text(400, "Bad Request");
      const token = randomBytes(24).toString("base64");
      this.tokens.set(token, { ip, expires: Date.now() + ttl * 1000 });
      return text(200, token);
    }
    const token = this.tokens.get(String(request.headers[TOKEN_HEADER] ?? ""));
    if (token === undefined || token.ip !== ip || token.expires < Date.now())
      return text(401, "Unauthorized");
    const prefix = "/latest/meta-data/";
    if (!path.startsWith(prefix)) return text(404, "Not Found");
    const value = this.item(instance, path.slice(prefix.length));
    return value === undefined ? text(404, "Not Found") : text(200, value);
  }

  /** An item under `/latest/meta-data/`; `undefined` where EC2 answers 404. */
  private item(instance: Instance, item: string): string | undefined {
    const fixed = this.fixedItems(instance);
    if (Object.hasOwn(fixed, item)) return fixed[item];
    if (item === "tags/instance" || item.startsWith("tags/instance/")) {
      if (!instance.metadataTags) return undefined;
      const key = item.slice("tags/instance/".length);
      if (item === "tags/instance" || key === "") return [...instance.tags.keys()].join("\n");
      return instance.tags.get(decodeURIComponent(key));
    }
    return undefined;
  }

  /** The items at fixed paths, by path; `undefined` for one the instance has not got yet. */
  private fixedItems(instance: Instance): Record<string, string | undefined> {
    const { region, accountId } = this.world.config;
    const hostname = privateName(instance.ip, region);
    return {
      "instance-id": instance.id,
      "instance-type": instance.instanceType,
      "local-ipv4": instance.ip,
      "public-ipv4": instance.publicIp,
      hostname,
      "local-hostname": hostname,
      "placement/region": region,
      "placement/availability-zone": instance.zone,
      "instance-life-cycle": instance.market === "spot" ? "spot" : "on-demand",
      "spot/instance-action":
        instance.interruptionAt === undefined
          ? undefined
          : JSON.stringify({ action: "terminate", time: isoTime(instance.interruptionAt) }),
      "events/recommendations/rebalance":
        instance.rebalanceAt === undefined
          ? undefined
          : JSON.stringify({ noticeTime: isoTime(instance.rebalanceAt) }),
      "iam/security-credentials/": instance.role.name,
      "iam/info": JSON.stringify({
        Code: "Success",
        InstanceProfileArn: `arn:aws:iam::${accountId}:instance-profile/${instance.role.name}`,
      }),
      [`iam/security-credentials/${instance.role.name}`]: JSON.stringify({
        Code: "Success",
        LastUpdated: isoTime(instance.launchedAt),
        Type: "AWS-HMAC",
        AccessKeyId: instance.accessKeyId,
        SecretAccessKey: instance.secretAccessKey,
        Token: instance.token,
        Expiration: isoTime(Date.now() + 6 * 3600_000),
      }),
    };
  }
}
