import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table/index.js";
import { Construct } from "constructs";
import { regionalArn, type ArnScope } from "../iam/arns.js";

/** Properties of the {@link ClusterRegistryTable}. */
export interface ClusterRegistryTableProps {
  readonly tableName: string;
  readonly scope: ArnScope;
  /** Whether Terraform (or anyone) may delete the table; on by default in the settings. */
  readonly deletionProtection: boolean;
}

/**
 * FlightDeck's cluster registry: one item per user holding the clusters that
 * take their quota's slots and their request count, changed only by
 * conditional writes. On-demand billing (a handful of writes per request),
 * point-in-time recovery, encryption with the AWS managed key.
 */
export class ClusterRegistryTable extends Construct {
  readonly table: DynamodbTable;
  /** Built from the name, so IAM policies naming it are complete in the plan. */
  readonly tableArn: string;

  constructor(scope: Construct, id: string, props: ClusterRegistryTableProps) {
    super(scope, id);
    this.tableArn = regionalArn(props.scope, "dynamodb", `table/${props.tableName}`);
    this.table = new DynamodbTable(this, "table", {
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "user",
      attribute: [{ name: "user", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection,
    });
  }
}
