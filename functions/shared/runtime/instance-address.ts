import { itemsOf, queryCall, textOf, type AwsAccess } from "./signed-call.js";

/*
 * The public IP of one EC2 instance, for templates without a `LoginIp`
 * output (such as the Alces Flight one): one signed EC2 Query call through
 * signed-call.ts rather than @aws-sdk/client-ec2, whose client alone
 * bundles to ~850 KB for a call that may never happen.
 */

/** Calls `DescribeInstances` for one instance and returns its public IPv4 address, if it has one. */
export async function publicIpOfInstance(
  access: AwsAccess,
  instanceId: string,
): Promise<string | undefined> {
  const answer = await queryCall(access, "ec2", "2016-11-15", {
    Action: "DescribeInstances",
    "InstanceId.1": instanceId,
  });
  const reservation = itemsOf(answer["reservationSet"])[0];
  const instance = reservation === undefined ? undefined : itemsOf(reservation["instancesSet"])[0];
  return instance === undefined ? undefined : textOf(instance, "ipAddress");
}
