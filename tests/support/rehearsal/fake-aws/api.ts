import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AutoScaling } from "./auto-scaling.js";
import type { CloudFormation } from "./cloudformation.js";
import { authorize, type AuthorizationRequest, type Decision } from "./iam.js";
import {
  AwsError,
  bodyOf,
  isoTime,
  queryError,
  queryResponse,
  send,
  signatureOf,
  tag,
  xmlEscape,
} from "./protocol.js";
import type { Instance, World } from "./world.js";

/*
 * The regional endpoints the nodes call, behind one HTTPS listener: each
 * request is routed by its SigV4 credential scope's service, its caller
 * found by the access key the metadata service handed out (and checked
 * against the request's source address), and authorized under the caller's
 * instance role before it is answered, the way AWS would.
 */

/** The customizer a "customizer-fails" fault slips into one instance's view of the bucket. */
export const FAULT_CUSTOMIZER = "99-rehearsal-fault.sh";

interface Call {
  readonly instance: Instance;
  readonly service: string;
  readonly action: string;
  readonly request: AuthorizationRequest;
}

export class Api {
  private readonly decisions = new Map<string, Decision>();

  constructor(
    private readonly world: World,
    private readonly cloudFormation: CloudFormation,
    private readonly autoScaling: AutoScaling,
  ) {}

  async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await bodyOf(request);
    const signed = signatureOf(request);
    const service = signed?.service ?? "unknown";
    try {
      const instance =
        signed === undefined ? undefined : this.world.instanceWithKey(signed.accessKeyId);
      if (
        instance === undefined ||
        instance.state === "terminated" ||
        instance.ip !== request.socket.remoteAddress?.replace(/^::ffff:/, "")
      ) {
        throw new AwsError(
          "InvalidClientTokenId",
          "The security token included in the request is invalid.",
          403,
        );
      }
      if (service === "s3") return await this.s3(instance, request, body, response);
      if (service === "secretsmanager")
        return await this.secretsManager(instance, request, body, response);
      const params = new URLSearchParams(body.toString("utf8"));
      for (const [key, value] of new URL(request.url ?? "/", "https://x").searchParams)
        params.set(key, value);
      const action = params.get("Action") ?? "";
      const result = await this.query(instance, service, action, params);
      send(response, 200, queryResponse(service, action, result));
    } catch (error) {
      const failure =
        error instanceof AwsError ? error : new AwsError("InternalFailure", String(error), 500);
      if (service === "secretsmanager") {
        send(
          response,
          failure.status,
          JSON.stringify({ __type: failure.code, Message: failure.message }),
          "application/x-amz-json-1.1",
        );
      } else if (service === "s3") {
        send(
          response,
          failure.status,
          `<?xml version="1.0" encoding="UTF-8"?><Error>${tag("Code", failure.code)}${tag("Message", failure.message)}</Error>`,
          "application/xml",
        );
      } else {
        send(response, failure.status, queryError(service, failure));
      }
    }
  }

  /** Authorizes and records a call; throws AWS's denial when IAM says no. */
  private async check(call: Call): Promise<void> {
    const { instance, service, request } = call;
    // IAM's answer depends only on the role's policies and the request: remember it.
    const key = JSON.stringify([instance.role.arn, request]);
    const decision =
      this.decisions.get(key) ??
      (await authorize(instance.role, instance.id, this.world.config.accountId, request));
    this.decisions.set(key, decision);
    const record = {
      time: Date.now(),
      instanceId: instance.id,
      service,
      action: request.action,
      resource: request.resource,
      decision,
    };
    if (decision === "Allowed") {
      this.world.calls.push(record);
      return;
    }
    const message = `User: arn:aws:sts::${this.world.config.accountId}:assumed-role/${instance.role.name}/${instance.id} is not authorized to perform: ${request.action} on resource: ${request.resource} because no identity-based policy allows the ${request.action} action`;
    this.world.calls.push({ ...record, error: message });
    if (service === "ec2")
      throw new AwsError(
        "UnauthorizedOperation",
        `You are not authorized to perform this operation. ${message}`,
        403,
      );
    if (service === "secretsmanager") throw new AwsError("AccessDeniedException", message, 400);
    if (service === "s3") throw new AwsError("AccessDenied", "Access Denied", 403);
    throw new AwsError("AccessDenied", message, 403);
  }

  private async query(
    instance: Instance,
    service: string,
    action: string,
    params: URLSearchParams,
  ): Promise<string> {
    const { region, accountId } = this.world.config;
    if (service === "cloudformation") {
      const stack = this.cloudFormation.find(params.get("StackName"));
      await this.check({
        instance,
        service,
        action,
        request: { action: `cloudformation:${action}`, resource: stack.id },
      });
      return this.cloudFormation.handle(action, params, instance);
    }
    if (service === "autoscaling") {
      const { arn } = this.autoScaling.resourceOf(action, params);
      await this.check({
        instance,
        service,
        action,
        request: { action: `autoscaling:${action}`, resource: arn },
      });
      return this.autoScaling.handle(action, params);
    }
    if (service === "ec2" && action === "CreateTags") {
      const tags: Array<[string, string]> = [];
      for (let i = 1; params.has(`Tag.${i}.Key`); i += 1)
        tags.push([params.get(`Tag.${i}.Key`) ?? "", params.get(`Tag.${i}.Value`) ?? ""]);
      const targets: Instance[] = [];
      for (let i = 1; params.has(`ResourceId.${i}`); i += 1) {
        const id = params.get(`ResourceId.${i}`) ?? "";
        const target = this.world.instances.get(id);
        const context: Record<string, string | string[]> = {
          "aws:TagKeys": tags.map(([key]) => key),
        };
        for (const [key, value] of target?.tags ?? []) context[`aws:ResourceTag/${key}`] = value;
        for (const [key, value] of tags) context[`aws:RequestTag/${key}`] = value;
        await this.check({
          instance,
          service,
          action,
          request: {
            action: "ec2:CreateTags",
            resource: `arn:aws:ec2:${region}:${accountId}:instance/${id}`,
            context,
          },
        });
        if (target === undefined || target.state === "terminated") {
          throw new AwsError(
            "InvalidInstanceID.NotFound",
            `The instance ID '${id}' does not exist`,
          );
        }
        targets.push(target);
      }
      for (const target of targets) for (const [key, value] of tags) target.tags.set(key, value);
      return "<return>true</return>";
    }
    await this.check({
      instance,
      service,
      action,
      request: { action: `${service}:${action}`, resource: "*" },
    });
    throw new AwsError("InvalidAction", `The fake AWS does not implement ${service}:${action}.`);
  }

  private async secretsManager(
    instance: Instance,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    const target = String(request.headers["x-amz-target"] ?? "");
    const input = JSON.parse(body.toString("utf8") || "{}") as { SecretId?: string };
    const id = input.SecretId ?? "";
    const arn = [...this.world.secrets.keys()].find(
      (key) => key === id || this.world.secrets.get(key)?.name === id,
    );
    const action = target.replace(/^secretsmanager\./, "");
    await this.check({
      instance,
      service: "secretsmanager",
      action,
      request: { action: `secretsmanager:${action}`, resource: arn ?? id },
    });
    const secret = arn === undefined ? undefined : this.world.secrets.get(arn);
    if (action !== "GetSecretValue")
      throw new AwsError("UnknownOperationException", `${action} is not implemented`);
    if (arn === undefined || secret === undefined)
      throw new AwsError(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
      );
    // A "munge-mismatch" fault: this instance gets a key no other node has.
    const value = instance.faults.mungeMismatch
      ? createHash("sha512").update(instance.id).digest("hex")
      : secret.value;
    send(
      response,
      200,
      JSON.stringify({
        ARN: arn,
        Name: secret.name,
        SecretString: value,
        VersionId: "v1",
        VersionStages: ["AWSCURRENT"],
        CreatedDate: 1.7e9,
      }),
      "application/x-amz-json-1.1",
    );
  }

  /** The objects `instance` sees: the bucket's, plus a failing customizer for a "customizer-fails" fault. */
  private objectsFor(instance: Instance, bucket: string): Map<string, Buffer> {
    const objects = new Map(this.world.objects.get(bucket) ?? []);
    if (instance.faults.customizerExit !== undefined) {
      for (const key of [...objects.keys()]) {
        const folder = /^(.*\/default\/configure\.d\/)[^/]+$/.exec(key)?.[1];
        if (folder !== undefined) {
          objects.set(
            `${folder}${FAULT_CUSTOMIZER}`,
            Buffer.from(
              `#!/bin/bash\necho "${FAULT_CUSTOMIZER}: failing on purpose (a rehearsal fault)" >&2\nexit ${instance.faults.customizerExit}\n`,
            ),
          );
        }
      }
    }
    return objects;
  }

  private async s3(
    instance: Instance,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? "/", "https://x");
    const host = String(request.headers["host"] ?? "").split(":")[0] ?? "";
    const virtual = /^(.+)\.s3[.-]/.exec(host)?.[1];
    const path = decodeURIComponent(url.pathname).replace(/^\//, "");
    const bucket = virtual ?? path.split("/")[0] ?? "";
    const key = virtual !== undefined ? path : path.split("/").slice(1).join("/");
    if (!this.world.objects.has(bucket))
      throw new AwsError("NoSuchBucket", "The specified bucket does not exist", 404);
    if (key === "") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const delimiter = url.searchParams.get("delimiter") ?? "";
      const context: Record<string, string> = { "s3:prefix": prefix };
      if (delimiter !== "") context["s3:delimiter"] = delimiter;
      await this.check({
        instance,
        service: "s3",
        action: "ListObjectsV2",
        request: { action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context },
      });
      const keys = [...this.objectsFor(instance, bucket).entries()]
        .filter(([k]) => k.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : 1));
      const contents = keys.filter(
        ([k]) => delimiter === "" || !k.slice(prefix.length).includes(delimiter),
      );
      const prefixes = [
        ...new Set(
          keys
            .map(([k]) => k.slice(prefix.length))
            .filter((rest) => delimiter !== "" && rest.includes(delimiter))
            .map((rest) => prefix + rest.slice(0, rest.indexOf(delimiter) + 1)),
        ),
      ];
      const xml =
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        tag("Name", bucket) +
        tag("Prefix", prefix) +
        tag("KeyCount", contents.length) +
        tag("MaxKeys", 1000) +
        (delimiter ? tag("Delimiter", delimiter) : "") +
        tag("IsTruncated", false) +
        contents
          .map(
            ([k, v]) =>
              `<Contents>${tag("Key", k)}${tag("LastModified", isoTime(Date.now()))}${tag("ETag", `"${createHash("md5").update(v).digest("hex")}"`)}${tag("Size", v.length)}${tag("StorageClass", "STANDARD")}</Contents>`,
          )
          .join("") +
        prefixes.map((p) => `<CommonPrefixes>${tag("Prefix", p)}</CommonPrefixes>`).join("") +
        `</ListBucketResult>`;
      send(response, 200, xml, "application/xml");
      return;
    }
    if (request.method === "PUT") {
      await this.check({
        instance,
        service: "s3",
        action: "PutObject",
        request: { action: "s3:PutObject", resource: `arn:aws:s3:::${bucket}/${key}` },
      });
      // boto3 may send the body aws-chunked (a streaming signature).
      const chunked = String(request.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING");
      const stored = chunked ? unchunked(body) : body;
      this.world.objects.get(bucket)?.set(key, stored);
      response.writeHead(200, { etag: `"${createHash("md5").update(stored).digest("hex")}"` });
      response.end();
      return;
    }
    await this.check({
      instance,
      service: "s3",
      action: request.method === "HEAD" ? "HeadObject" : "GetObject",
      request: { action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${key}` },
    });
    const object = this.objectsFor(instance, bucket).get(key);
    if (object === undefined)
      throw new AwsError("NoSuchKey", `The specified key does not exist: ${xmlEscape(key)}`, 404);
    const headers = {
      etag: `"${createHash("md5").update(object).digest("hex")}"`,
      "last-modified": new Date().toUTCString(),
      "accept-ranges": "bytes",
    };
    if (request.method === "HEAD") {
      response.writeHead(200, {
        "content-length": object.length,
        "content-type": "application/octet-stream",
        ...headers,
      });
      response.end();
      return;
    }
    send(response, 200, object, "application/octet-stream", headers);
  }
}

/** The payload of an aws-chunked body: `<hex size>[;chunk-signature=…]\r\n<data>\r\n`…, ending in a 0-size chunk. */
function unchunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString("latin1").split(";")[0] ?? "", 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
