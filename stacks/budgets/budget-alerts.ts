import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget/index.js";
import { CeCostAllocationTag } from "@cdktf/provider-aws/lib/ce-cost-allocation-tag/index.js";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy/index.js";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription/index.js";
import { Construct } from "constructs";
import { DEPLOYMENT_TAG } from "../../functions/shared/deployment-policy.js";
import { policyDocument, policyJson } from "../iam/policy-document.js";
import {
  moneyNamesFor,
  userBudgets,
  type MoneySettingsInput,
} from "../settings/budget-settings.js";

/** Properties of the {@link BudgetAlerts}. */
export interface BudgetAlertsProps {
  readonly deployment: string;
  readonly topicName: string;
  /** Each user's monthly budget (USD), and its AWS Budget's name. */
  readonly users: ReadonlyArray<{
    readonly user: string;
    readonly usd: string;
    readonly name: string;
  }>;
  /** The whole deployment's, when set. */
  readonly deploymentBudget?: { readonly usd: string; readonly name: string } | undefined;
  /** Whether to activate the tags the budgets filter on for cost allocation. */
  readonly activateTags: boolean;
  /** The deployment's account: only its budgets may publish to the topic. */
  readonly accountId?: string | undefined;
  /** Who the alerts email (SNS mails a confirmation link first). */
  readonly email?: string | undefined;
}

/** The alerts each AWS Budget sends: 80 % and 100 % of actual spend. */
const THRESHOLDS = [80, 100];

/**
 * The authoritative backstop to FlightDeck's own estimate: an AWS Budget
 * per user with a monthly budget, filtered by the `USER` cost-allocation tag
 * every cluster's resources carry (and one for the deployment, by its
 * deployment tag), alerting the admin through an SNS topic at 80 % and 100 %
 * of what AWS billed. AWS Budgets see billed cost, hours behind, and only
 * for activated cost-allocation tags, which this construct activates.
 */
class BudgetAlerts extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: BudgetAlertsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, "topic", { name: props.topicName });
    new SnsTopicPolicy(this, "topic-policy", {
      arn: this.topic.arn,
      policy: policyJson(
        policyDocument([
          {
            Sid: "BudgetsPublish",
            Effect: "Allow",
            Principal: { Service: "budgets.amazonaws.com" },
            Action: ["SNS:Publish"],
            Resource: [this.topic.arn],
            ...(props.accountId === undefined
              ? {}
              : { Condition: { StringEquals: { "aws:SourceAccount": props.accountId } } }),
          },
        ]),
      ),
    });
    if (props.email !== undefined) {
      new SnsTopicSubscription(this, "email", {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: props.email,
      });
    }
    const budget = (key: string, name: string, usd: string, tag: string, value: string) =>
      new BudgetsBudget(this, key, {
        name,
        budgetType: "COST",
        limitAmount: usd,
        limitUnit: "USD",
        timeUnit: "MONTHLY",
        costFilter: [{ name: "TagKeyValue", values: [`user:${tag}$${value}`] }],
        notification: THRESHOLDS.map((threshold) => ({
          comparisonOperator: "GREATER_THAN",
          notificationType: "ACTUAL",
          threshold,
          thresholdType: "PERCENTAGE",
          subscriberSnsTopicArns: [this.topic.arn],
        })),
      });
    props.users.forEach(({ user, usd, name }) => budget(`user-${user}`, name, usd, "USER", user));
    if (props.deploymentBudget !== undefined) {
      const { usd, name } = props.deploymentBudget;
      budget("deployment", name, usd, DEPLOYMENT_TAG, props.deployment);
    }
    if (props.activateTags) {
      new CeCostAllocationTag(this, "user-tag", { tagKey: "USER", status: "Active" });
      if (props.deploymentBudget !== undefined) {
        new CeCostAllocationTag(this, "deployment-tag", {
          tagKey: DEPLOYMENT_TAG,
          status: "Active",
        });
      }
    }
  }
}

/**
 * The deployment's AWS Budgets, when its settings give any user (or the
 * deployment) a monthly budget; nothing otherwise. Alerts email the
 * dead-letter alarm's address (`alarmEmail`).
 */
export function budgetAlertsFor(
  scope: Construct,
  settings: BudgetAlertSettings,
): BudgetAlerts | undefined {
  const names = moneyNamesFor(settings);
  const users = userBudgets(settings).map(({ user, usd }) => ({
    user,
    usd,
    name: names.userBudget(user),
  }));
  const whole = settings.budgets?.monthlyBudget;
  if (users.length === 0 && whole === undefined) return undefined;
  return new BudgetAlerts(scope, "budgets", {
    deployment: settings.name,
    topicName: names.budgetTopic,
    users,
    deploymentBudget:
      whole === undefined ? undefined : { usd: whole, name: names.deploymentBudget },
    activateTags: settings.budgets?.activateCostAllocationTags ?? true,
    accountId: settings.accountId,
    email: settings.alarmEmail,
  });
}

/** What {@link budgetAlertsFor} reads of the settings. */
export type BudgetAlertSettings = MoneySettingsInput & {
  readonly accountId?: string | undefined;
  readonly alarmEmail?: string | undefined;
};
