import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table/index.js";
import { Construct } from "constructs";
import { regionalArn, type ArnScope } from "../iam/arns.js";

/** Properties of the {@link UsageTable}. */
export interface UsageTableProps {
  readonly tableName: string;
  readonly scope: ArnScope;
  /** Whether Terraform (or anyone) may delete the table: as the cluster registry's. */
  readonly deletionProtection: boolean;
}

/**
 * The usage ledger (functions/shared/runtime/usage-ledger.ts): what each
 * cluster spent per month, each user's and the deployment's month, and the
 * budgets' marks; keys `pk` (a user, or `#deployment`) and `sk`
 * (`cluster#<stack id>`, `month#<YYYY-MM>`). On-demand billing (a few writes
 * per cluster and sweep), point-in-time recovery, encrypted.
 */
export class UsageTable extends Construct {
  readonly table: DynamodbTable;
  /** Built from the name, so IAM policies naming it are complete in the plan. */
  readonly tableArn: string;

  constructor(scope: Construct, id: string, props: UsageTableProps) {
    super(scope, id);
    this.tableArn = regionalArn(props.scope, "dynamodb", `table/${props.tableName}`);
    this.table = new DynamodbTable(this, "table", {
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "pk",
      rangeKey: "sk",
      attribute: [
        { name: "pk", type: "S" },
        { name: "sk", type: "S" },
      ],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection,
    });
  }
}
