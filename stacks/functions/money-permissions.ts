import { PRICE_BOOK_KEY } from "../../functions/shared/price-book.js";
import { HOME_PREFIX } from "../../functions/shared/result-files.js";
import { BUDGET_WARNING_FILE, USAGE_FILE } from "../../functions/shared/usage-files.js";
import { s3Arn, type ArnScope } from "../iam/arns.js";
import type { PolicyStatement } from "../iam/policy-document.js";

/*
 * What money adds to each handler's role: reads, and writes to the usage
 * ledger and to files of FlightDeck's own, nothing else. The EC2 and Price
 * List reads take no resource-level permissions (the Service Authorization
 * Reference lists none for them), so `*`: each is read-only, and EC2's are
 * held to the deployment's region.
 */

/** Where money's permissions point. */
export interface MoneyPermissionContext {
  readonly scope: ArnScope;
  readonly userBucket: string;
  readonly usageTableArn: string;
}

const priceBook = (context: MoneyPermissionContext) =>
  s3Arn(context.scope, context.userBucket, PRICE_BOOK_KEY);

/** Both handlers: read the published prices. */
function readPrices(context: MoneyPermissionContext): PolicyStatement {
  return {
    Sid: "ReadPriceBook",
    Effect: "Allow",
    Action: ["s3:GetObject"],
    Resource: [priceBook(context)],
  };
}

/**
 * cf-create's: read the budgets' months and a cluster's record (GetItem), and
 * start a new cluster's record (one conditional UpdateItem); read the prices.
 */
export function createMoneyStatements(context: MoneyPermissionContext): PolicyStatement[] {
  return [
    {
      Sid: "UseUsageLedger",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: [context.usageTableArn],
    },
    readPrices(context),
  ];
}

/**
 * cf-delete's, which runs the sweep: keep the ledger (a cluster's record is
 * written whole, conditionally: PutItem), refresh and publish the prices,
 * write each user's usage file and budget warning, and read what EC2
 * records of the clusters' instances, disks and the spot prices, and the
 * Price List.
 */
export function deleteMoneyStatements(context: MoneyPermissionContext): PolicyStatement[] {
  const home = (name: string) =>
    s3Arn(context.scope, context.userBucket, `${HOME_PREFIX}*/${name}`);
  return [
    {
      Sid: "UseUsageLedger",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: [context.usageTableArn],
    },
    readPrices(context),
    {
      Sid: "PublishPriceBook",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [priceBook(context)],
    },
    {
      // Neither ends in a trigger suffix: a handler cannot start a handler.
      Sid: "WriteUsageFiles",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [home(USAGE_FILE), home(BUDGET_WARNING_FILE)],
    },
    {
      // Read-only, and none takes a resource: DescribeInstances and
      // DescribeVolumes (the clusters' instances and disks, found by their
      // stacks' tags), DescribeSpotPriceHistory (the spot price in force).
      Sid: "ReadClusterInstances",
      Effect: "Allow",
      Action: ["ec2:DescribeInstances", "ec2:DescribeSpotPriceHistory", "ec2:DescribeVolumes"],
      Resource: "*",
      // Only the deployment's region: where its clusters run and its prices are.
      Condition: { StringEquals: { "ec2:Region": context.scope.region } },
    },
    {
      // The on-demand and disk prices; the Price List takes no resource either.
      Sid: "ReadPriceList",
      Effect: "Allow",
      Action: ["pricing:GetProducts"],
      Resource: "*",
    },
  ];
}
