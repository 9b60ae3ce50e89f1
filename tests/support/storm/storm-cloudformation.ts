import { stackStatusEventOf } from "../eventbridge-events.js";
import { FakeCloudFormation } from "../fake-cloudformation.js";
import type { FakeStack } from "../fake-stacks.js";
import { drawMs, seededRandom, type MsRange, type Random } from "./seeded-random.js";

/*
 * CloudFormation as a storm meets it: every call takes a while, the account
 * shares one request budget, some calls are refused with "Rate exceeded"
 * anyway, and stacks settle on their own, announcing each status change on
 * EventBridge (late, sometimes twice).
 */

/** How the account's CloudFormation behaves; every figure is stated in the benchmark's output. */
export interface CloudBehaviour {
  /** Time to answer one call (SES's too). */
  readonly latencyMs: MsRange;
  /** The share of CloudFormation calls refused as throttled at random, whatever the budget. */
  readonly throttleRate: number;
  /** The account's request budget, shared by every CloudFormation action: a token bucket. */
  readonly budget: { readonly perSecond: number; readonly burst: number };
  /** From CREATE_IN_PROGRESS (or DELETE_IN_PROGRESS) to its COMPLETE. */
  readonly settleMs: MsRange;
  /** EventBridge's delivery delay, per event; a spread lets events overtake each other. */
  readonly deliveryMs: MsRange;
  /** The share of events EventBridge delivers twice. */
  readonly duplicateRate: number;
  readonly seed: number;
}

/** A storm with none of it: instant answers, no throttling, stacks settle at once. */
export const INSTANT: CloudBehaviour = {
  latencyMs: [0, 0],
  throttleRate: 0,
  budget: { perSecond: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY },
  settleMs: [0, 0],
  deliveryMs: [0, 0],
  duplicateRate: 0,
  seed: 1,
};

/** The login IP a settled stack reports. */
const loginIpOf = (stack: FakeStack) =>
  `203.0.113.${(Number.parseInt(stack.stackId.slice(-2), 16) % 250) + 1}`;

const FINAL_OF: Readonly<Record<string, string>> = {
  CREATE_IN_PROGRESS: "CREATE_COMPLETE",
  DELETE_IN_PROGRESS: "DELETE_COMPLETE",
};

export class StormCloudFormation extends FakeCloudFormation {
  /** Where EventBridge sends each status-change event (every one; the rules filter). */
  onStatusEvent: (event: unknown) => void = () => undefined;
  /** Calls refused because the account's budget was spent. */
  throttledByBudget = 0;
  /** Calls refused at random. */
  throttledAtRandom = 0;
  private readonly random: Random;
  private tokens: number;
  private refilledAt = performance.now();
  /** Settlements and deliveries still to happen. */
  private pendingWork = 0;

  constructor(private readonly behaviour: CloudBehaviour) {
    super();
    this.random = seededRandom(behaviour.seed);
    this.tokens = behaviour.budget.burst;
  }

  /** Whether stacks are still to settle or events still to be delivered. */
  get busy(): boolean {
    return this.pendingWork > 0;
  }

  protected override answerDelayMs(): number {
    return drawMs(this.random, this.behaviour.latencyMs);
  }

  protected override throttles(action: string): boolean {
    if (action === "SendEmail") return false;
    const now = performance.now();
    const { perSecond, burst } = this.behaviour.budget;
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.throttledByBudget += 1;
      return true;
    }
    this.tokens -= 1;
    if (this.random() < this.behaviour.throttleRate) {
      this.throttledAtRandom += 1;
      return true;
    }
    return false;
  }

  override transition(
    name: string,
    status: string,
    extra: { outputs?: Record<string, string>; reason?: string } = {},
  ): FakeStack {
    const stack = super.transition(name, status, extra);
    this.announce(stack, status);
    const final = FINAL_OF[status];
    if (final !== undefined) {
      this.later(drawMs(this.random, this.behaviour.settleMs), () => {
        // Only the stack that started this, and only if nothing moved it meanwhile.
        if (this.stacks.filter((s) => s.name === name).pop() !== stack) return;
        if (stack.status !== status) return;
        this.transition(
          name,
          final,
          final === "CREATE_COMPLETE" ? { outputs: { LoginIp: loginIpOf(stack) } } : {},
        );
      });
    }
    return stack;
  }

  /** Sends the status change to EventBridge: once, or now and then twice, each after its own delay. */
  private announce(stack: FakeStack, status: string): void {
    const event = stackStatusEventOf(stack, status);
    const copies = this.random() < this.behaviour.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i += 1) {
      this.later(drawMs(this.random, this.behaviour.deliveryMs), () => this.onStatusEvent(event));
    }
  }

  private later(ms: number, work: () => void): void {
    this.pendingWork += 1;
    setTimeout(() => {
      this.pendingWork -= 1;
      work();
    }, ms);
  }
}
