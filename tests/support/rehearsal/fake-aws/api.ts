import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  bodyBytes,
  listParameter,
  memberMap,
  parseForm,
  QueryError,
  queryErrorResponse,
  queryResponse,
  tag,
} from "../../query-protocol.js";
import type { AutoScalingApi } from "./auto-scaling-api.js";
import type { CloudFormationApi } from "./cloudformation-api.js";
import { authorize, type Decision } from "./iam.js";
import { queryFormatOf, send, signatureOf } from "./protocol.js";
import { S3, type Authorize } from "./s3.js";
import type { Instance, World } from "./world.js";

/*
 * The regional endpoints the nodes call, behind one HTTPS listener: each
 * request is routed by its SigV4 credential scope's service, its caller
 * found by the access key the metadata service handed out (and checked
 * against the request's source address), and authorized under the caller's
 * instance role before it is answered, the way AWS would. S3 is s3.ts.
 */

type Call = Parameters<Authorize>[0];

export class Api {
  private readonly decisions = new Map<string, Decision>();
  private readonly s3: S3;

  constructor(
    private readonly world: World,
    private readonly cloudFormation: CloudFormationApi,
    private readonly autoScaling: AutoScalingApi,
  ) {
    this.s3 = new S3(world, (call) => this.check(call));
  }

  async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await bodyBytes(request);
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
        throw new QueryError(
          "InvalidClientTokenId",
          "The security token included in the request is invalid.",
          403,
        );
      }
      if (service === "s3") return await this.s3.serve(instance, request, body, response);
      if (service === "secretsmanager")
        return await this.secretsManager(instance, request, body, response);
      const params = parseForm(body.toString("utf8"));
      for (const [key, value] of new URL(request.url ?? "/", "https://x").searchParams)
        params.set(key, value);
      const action = params.get("Action") ?? "";
      const result = await this.query(instance, service, action, params);
      send(response, 200, queryResponse(action, result, queryFormatOf(service)));
    } catch (error) {
      const failure =
        error instanceof QueryError ? error : new QueryError("InternalFailure", String(error), 500);
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
        send(response, failure.status, queryErrorResponse(failure, queryFormatOf(service).dialect));
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
      throw new QueryError(
        "UnauthorizedOperation",
        `You are not authorized to perform this operation. ${message}`,
        403,
      );
    if (service === "secretsmanager") throw new QueryError("AccessDeniedException", message, 400);
    if (service === "s3") throw new QueryError("AccessDenied", "Access Denied", 403);
    throw new QueryError("AccessDenied", message, 403);
  }

  private async query(
    instance: Instance,
    service: string,
    action: string,
    params: URLSearchParams,
  ): Promise<string> {
    if (service === "cloudformation") {
      await this.check({
        instance,
        service,
        action,
        request: {
          action: `cloudformation:${action}`,
          resource: this.cloudFormation.resourceOf(params),
        },
      });
      return this.cloudFormation.handle(action, params);
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
    if (service === "ec2" && action === "CreateTags") return this.createTags(instance, params);
    await this.check({
      instance,
      service,
      action,
      request: { action: `${service}:${action}`, resource: "*" },
    });
    throw new QueryError("InvalidAction", `The fake AWS does not implement ${service}:${action}.`);
  }

  /**
   * EC2's CreateTags: tagging each instance is authorized, with the tags in
   * IAM's context, before any instance is tagged.
   */
  private async createTags(instance: Instance, params: URLSearchParams): Promise<string> {
    const { region, accountId } = this.world.config;
    const tags = Object.entries(memberMap(params, "Tag", ["Key", "Value"]));
    const targets: Instance[] = [];
    for (const id of listParameter(params, "ResourceId")) {
      const target = this.world.instances.get(id);
      const context: Record<string, string | string[]> = {
        "aws:TagKeys": tags.map(([key]) => key),
      };
      for (const [key, value] of target?.tags ?? []) context[`aws:ResourceTag/${key}`] = value;
      for (const [key, value] of tags) context[`aws:RequestTag/${key}`] = value;
      await this.check({
        instance,
        service: "ec2",
        action: "CreateTags",
        request: {
          action: "ec2:CreateTags",
          resource: `arn:aws:ec2:${region}:${accountId}:instance/${id}`,
          context,
        },
      });
      if (target === undefined || target.state === "terminated") {
        throw new QueryError(
          "InvalidInstanceID.NotFound",
          `The instance ID '${id}' does not exist`,
        );
      }
      targets.push(target);
    }
    for (const target of targets) for (const [key, value] of tags) target.tags.set(key, value);
    return "<return>true</return>";
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
      throw new QueryError("UnknownOperationException", `${action} is not implemented`);
    if (arn === undefined || secret === undefined)
      throw new QueryError(
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
}
