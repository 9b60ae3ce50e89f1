import { randomUUID } from "node:crypto";
import { QueryError } from "../../query-protocol.js";
import {
  conditionValue,
  creationOrder,
  evaluateConditions,
  resolveValue,
  type StackScope,
} from "../template-resolver.js";
import type { AutoScaling } from "./auto-scaling.js";
import type { Ec2 } from "./ec2.js";
import { stackParameters } from "./stack-parameters.js";
import { StackResources, type Stack, type StackEvent } from "./stack-resources.js";
import type { World } from "./world.js";

/*
 * CloudFormation, enough to create and delete a FlightDeck cluster stack
 * from its real template: parameters are settled (SSM-typed ones from the
 * deployment's parameter store), resources are created in dependency order
 * with every intrinsic function resolved; the secrets, roles, security
 * groups and their rules, launch templates, the master instance (waiting for
 * its CreationPolicy signal) and the Auto Scaling group come to life in the
 * fake; other resources get ids. Deletion runs in reverse order, and a
 * security group refuses to go while an instance still carries it, as EC2's
 * DependencyViolation does. Its API, the calls the nodes make, is
 * cloudformation-api.ts.
 */

type Json = Record<string, unknown>;

/** PT30M, PT1H… in minutes. */
function isoMinutes(duration: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(duration);
  if (match === null) throw new Error(`unsupported duration ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 60;
}

export class CloudFormation {
  readonly stacks: Stack[] = [];
  private readonly waiters = new Map<string, (status: string, uniqueId: string) => void>();

  private readonly resources: StackResources;

  constructor(
    private readonly world: World,
    private readonly ec2: Ec2,
    private readonly autoScaling: AutoScaling,
  ) {
    this.resources = new StackResources(world, ec2, autoScaling);
  }

  find(nameOrId: string | null): Stack {
    const stack = [...this.stacks].reverse().find((s) => s.name === nameOrId || s.id === nameOrId);
    if (stack === undefined || stack.status === "DELETE_COMPLETE") {
      throw new QueryError("ValidationError", `Stack with id ${nameOrId} does not exist`);
    }
    return stack;
  }

  /** Starts creating a stack; its status tells how it goes. Throws what CreateStack refuses. */
  create(name: string, template: Json, given: Record<string, string>): Stack {
    const { region, accountId } = this.world.config;
    const parameters = stackParameters(
      (template["Parameters"] ?? {}) as Record<string, Json>,
      given,
      this.world.vpc.parameters,
    );
    const stack: Stack = {
      id: `arn:aws:cloudformation:${region}:${accountId}:stack/${name}/${randomUUID()}`,
      name,
      template,
      parameters,
      status: "CREATE_IN_PROGRESS",
      events: [],
      created: new Map(),
      signals: [],
      outputs: {},
      launchTemplates: new Map(),
      profiles: new Map(),
    };
    this.stacks.push(stack);
    void this.build(stack).catch((error: unknown) => this.failCreate(stack, String(error)));
    return stack;
  }

  /** What the template's intrinsic functions resolve against in `stack` now. */
  scopeOf(stack: Stack): StackScope {
    const { region, accountId } = this.world.config;
    const base = {
      parameters: stack.parameters,
      pseudo: {
        "AWS::Region": region,
        "AWS::AccountId": accountId,
        "AWS::StackName": stack.name,
        "AWS::StackId": stack.id,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
      },
      mappings: (stack.template["Mappings"] ?? {}) as Record<string, unknown>,
      resources: Object.fromEntries(stack.created),
      availabilityZones: [`${region}a`, `${region}b`, `${region}c`],
    };
    return {
      ...base,
      conditions: stack.scope?.conditions ?? evaluateConditions(stack.template, base),
    };
  }

  private event(
    stack: Stack,
    logicalId: string,
    type: string,
    status: string,
    extra: Partial<StackEvent> = {},
  ): void {
    stack.events.push({ time: Date.now(), logicalId, type, status, ...extra });
  }

  private async build(stack: Stack): Promise<void> {
    stack.scope = this.scopeOf(stack);
    const resources = (stack.template["Resources"] ?? {}) as Record<string, Json>;
    const active = Object.fromEntries(
      Object.entries(resources).filter(
        ([, r]) =>
          r["Condition"] === undefined ||
          conditionValue({ Condition: r["Condition"] }, stack.scope as StackScope),
      ),
    );
    for (const logicalId of creationOrder(active)) {
      const resource = active[logicalId] as Json;
      const type = String(resource["Type"]);
      this.event(stack, logicalId, type, "CREATE_IN_PROGRESS");
      stack.scope = this.scopeOf(stack);
      const properties = resolveValue(resource["Properties"] ?? {}, stack.scope) as Json;
      const created = this.resources.create(stack, logicalId, type, properties);
      stack.created.set(logicalId, { ...created, type });
      const policy = resource["CreationPolicy"] as
        { ResourceSignal?: { Count?: number; Timeout?: string } } | undefined;
      if (policy?.ResourceSignal !== undefined) {
        const outcome = await this.awaitSignal(
          stack,
          logicalId,
          policy.ResourceSignal.Timeout ?? "PT12H",
        );
        if (outcome !== undefined) {
          this.event(stack, logicalId, type, "CREATE_FAILED", { reason: outcome });
          throw new Error(outcome);
        }
      }
      this.event(stack, logicalId, type, "CREATE_COMPLETE");
    }
    stack.scope = this.scopeOf(stack);
    for (const [name, output] of Object.entries(
      (stack.template["Outputs"] ?? {}) as Record<string, Json>,
    )) {
      stack.outputs[name] = String(resolveValue(output["Value"], stack.scope));
    }
    stack.status = "CREATE_COMPLETE";
  }

  private awaitSignal(
    stack: Stack,
    logicalId: string,
    timeout: string,
  ): Promise<string | undefined> {
    return new Promise((resolve) => {
      const key = `${stack.id}/${logicalId}`;
      const timer = setTimeout(
        () => {
          this.waiters.delete(key);
          resolve("Failed to receive 1 resource signal(s) within the specified duration");
        },
        this.world.minutes(isoMinutes(timeout)),
      );
      this.waiters.set(key, (status, uniqueId) => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(
          status === "SUCCESS" ? undefined : `Received FAILURE signal with UniqueId ${uniqueId}`,
        );
      });
    });
  }

  private async failCreate(stack: Stack, reason: string): Promise<void> {
    stack.status = "ROLLBACK_IN_PROGRESS";
    stack.reason = reason.replace(/^Error: /, "");
    await this.deleteResources(stack);
    stack.status = "ROLLBACK_COMPLETE";
  }

  /** Records a resource's signal, and ends its CreationPolicy's wait if it is waiting. */
  signal(stack: Stack, logicalId: string, status: string, uniqueId: string): void {
    stack.signals.push({ logicalId, status, uniqueId, time: Date.now() });
    this.waiters.get(`${stack.id}/${logicalId}`)?.(status, uniqueId);
  }

  /** Starts deleting a stack. */
  delete(nameOrId: string): Stack {
    const stack = this.find(nameOrId);
    if (!stack.status.startsWith("DELETE")) {
      stack.status = "DELETE_IN_PROGRESS";
      void this.deleteResources(stack)
        .then((ok) => {
          stack.status = ok ? "DELETE_COMPLETE" : "DELETE_FAILED";
        })
        .catch((error: unknown) => {
          stack.status = "DELETE_FAILED";
          stack.reason = String(error);
        });
    }
    return stack;
  }

  private async deleteResources(stack: Stack): Promise<boolean> {
    for (const [logicalId, resource] of [...stack.created].reverse()) {
      this.event(stack, logicalId, resource.type, "DELETE_IN_PROGRESS");
      let terminated: string[] = [];
      if (resource.type === "AWS::AutoScaling::AutoScalingGroup") {
        terminated = (await this.autoScaling.delete(resource.ref, `deletion of ${logicalId}`)).map(
          (i) => i.id,
        );
      } else if (resource.type === "AWS::EC2::Instance") {
        const instance = this.world.instances.get(resource.ref);
        if (instance !== undefined && instance.state !== "terminated") {
          await this.ec2.terminate(instance, `deletion of ${logicalId}`);
          terminated = [instance.id];
        }
      } else if (resource.type === "AWS::EC2::SecurityGroup") {
        try {
          this.world.vpc.deleteGroup(resource.ref, (id) => this.world.interfacesWith(id));
        } catch (error) {
          const reason = `${String(error instanceof Error ? error.message : error)} (DependencyViolation)`;
          this.event(stack, logicalId, resource.type, "DELETE_FAILED", { reason });
          stack.reason = reason;
          return false;
        }
        this.world.noteNetworkChange();
      } else if (resource.type === "AWS::EC2::SecurityGroupIngress") {
        this.world.vpc.removeRule(resource.ref);
        this.world.noteNetworkChange();
      } else if (resource.type === "AWS::SecretsManager::Secret") {
        this.world.secrets.delete(resource.ref);
      } else if (resource.type === "AWS::IAM::Role") {
        this.world.roles.delete(resource.attributes["Arn"] ?? "");
      }
      stack.created.delete(logicalId);
      this.event(
        stack,
        logicalId,
        resource.type,
        "DELETE_COMPLETE",
        terminated.length > 0 ? { terminated } : {},
      );
    }
    return true;
  }
}
