import { expect } from "chai";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { NFS_PORT } from "../../../stacks/homes/home-network.js";
import { UserHomes } from "../../../stacks/homes/user-homes.js";
import type { HomeOwner } from "../../../stacks/settings/settings-shape.js";
import { resourcesOf, synthScope } from "../support/synth.js";

/* Every user's home (stacks/homes/user-homes.ts). */

const owner = (id: string, extra: Partial<HomeOwner> = {}): HomeOwner => ({
  id: id as UserId,
  uid: "123456",
  alarmGiB: 100,
  deletable: false,
  ...extra,
});

function synthHomes(owners: HomeOwner[]): string {
  return synthScope((scope) => {
    new UserHomes(scope, "homes", {
      deployment: "fdtest",
      region: "eu-west-2",
      owners,
      vpcId: "vpc-0123456789abcdef0",
      subnets: [
        { zone: "eu-west-2a", id: "subnet-0aaaaaaaaaaaaaaaa" },
        { zone: "eu-west-2b", id: "subnet-0bbbbbbbbbbbbbbbb" },
      ],
      alarmTopicArn: "arn:aws:sns:eu-west-2:123456789012:fdtest-alarms",
    });
  });
}

describe("UserHomes", () => {
  const synthesized = synthHomes([
    owner("alice"),
    owner("Bob.Jones@example.com", { alarmGiB: 500 }),
  ]);
  const byAddress = (type: string) => resourcesOf(synthesized, type);
  const all = (type: string) => Object.values(byAddress(type));

  it("gives each user one encrypted file system, backed up, that Terraform may not destroy", () => {
    const systems = all("aws_efs_file_system");
    expect(systems).to.have.length(2);
    for (const system of systems) {
      expect(system).to.include({ encrypted: true, throughput_mode: "elastic" });
      expect(system["lifecycle"]).to.deep.equal({ prevent_destroy: true });
    }
    expect(systems.map((s) => (s["tags"] as Record<string, string>)["USER"])).to.have.members([
      "alice",
      "Bob.Jones@example.com",
    ]);
    const backups = all("aws_efs_backup_policy");
    expect(backups).to.have.length(2);
    for (const backup of backups) {
      expect(backup["backup_policy"]).to.deep.equal({ status: "ENABLED" });
    }
  });

  it("names a home's resources by the user alone, so no other user's change moves them", () => {
    const alone = synthHomes([owner("Bob.Jones@example.com", { alarmGiB: 500 })]);
    const addresses = (text: string) =>
      Object.keys(resourcesOf(text, "aws_efs_file_system")).filter((a) => a.includes("Bob"));
    expect(addresses(alone)).to.have.length(1);
    expect(addresses(alone)).to.deep.equal(addresses(synthesized));
    expect(addresses(alone)[0]).to.match(/^homes_Bob0dJones0aexample0dcom_file-system_\w+$/);
  });

  it("has a mount target in every subnet, each in the home's own group", () => {
    const targets = all("aws_efs_mount_target");
    expect(targets).to.have.length(4);
    expect(targets.map((t) => t["subnet_id"])).to.deep.equal([
      "subnet-0aaaaaaaaaaaaaaaa",
      "subnet-0bbbbbbbbbbbbbbbb",
      "subnet-0aaaaaaaaaaaaaaaa",
      "subnet-0bbbbbbbbbbbbbbbb",
    ]);
    for (const target of targets) {
      const groups = target["security_groups"] as string[];
      expect(groups).to.have.length(1);
      expect(groups[0]).to.match(/^\$\{aws_security_group\.homes_\w+_mount-targets_\w+\.id\}$/);
      // The owner's: the same user's key in the file system's and the group's address.
      const user = /homes_(\w+?)_mount-targets/.exec(String(groups[0]))?.[1];
      expect(String(target["file_system_id"])).to.include(`homes_${user}_file-system`);
    }
  });

  it("admits NFS to a home's mount targets from its own client group only", () => {
    const rules = all("aws_vpc_security_group_ingress_rule");
    expect(rules).to.have.length(2);
    for (const rule of rules) {
      expect(rule).to.include({ ip_protocol: "tcp", from_port: NFS_PORT, to_port: NFS_PORT });
      const target = /homes_(\w+?)_mount-targets/.exec(String(rule["security_group_id"]))?.[1];
      const source = /homes_(\w+?)_clients/.exec(String(rule["referenced_security_group_id"]))?.[1];
      expect(target).to.be.a("string");
      expect(source).to.equal(target);
      expect(rule).not.to.have.property("cidr_ipv4");
    }
    const groups = all("aws_security_group");
    expect(groups).to.have.length(4);
    for (const group of groups) {
      expect(group["vpc_id"]).to.equal("vpc-0123456789abcdef0");
      // Rules live in their own resources; the groups hold none, not even the default egress.
      expect(group).not.to.have.property("ingress");
      expect(group).not.to.have.property("egress");
    }
  });

  it("publishes each home's file system and client group where the merge names them", () => {
    const names = all("aws_ssm_parameter").map((p) => String(p["name"]));
    expect(names.sort()).to.deep.equal([
      "/flightdeck/fdtest/homes/Bob0dJones0aexample0dcom/client-security-group-id",
      "/flightdeck/fdtest/homes/Bob0dJones0aexample0dcom/file-system-id",
      "/flightdeck/fdtest/homes/alice/client-security-group-id",
      "/flightdeck/fdtest/homes/alice/file-system-id",
    ]);
  });

  it("alarms at each user's storage threshold, to the deployment's alarm topic", () => {
    const alarms = all("aws_cloudwatch_metric_alarm");
    expect(alarms).to.have.length(2);
    expect(alarms.map((a) => a["threshold"])).to.have.members([100 * 1024 ** 3, 500 * 1024 ** 3]);
    for (const alarm of alarms) {
      expect(alarm).to.include({ namespace: "AWS/EFS", metric_name: "StorageBytes" });
      expect(alarm["alarm_actions"]).to.deep.equal([
        "arn:aws:sns:eu-west-2:123456789012:fdtest-alarms",
      ]);
    }
  });

  it("shows every home's size on one dashboard, by user", () => {
    const [dashboard] = all("aws_cloudwatch_dashboard");
    expect(all("aws_cloudwatch_dashboard")).to.have.length(1);
    const body = JSON.parse(String(dashboard?.["dashboard_body"])) as {
      widgets: Array<{ properties: { metrics: unknown[][] } }>;
    };
    const metrics = body.widgets[0]?.properties.metrics ?? [];
    expect(metrics.map((m) => m.at(-1))).to.deep.equal([
      { label: "alice" },
      { label: "Bob.Jones@example.com" },
    ]);
  });

  it("lets Terraform destroy only the homes the settings name as deletable", () => {
    const text = synthHomes([owner("alice"), owner("bob", { deletable: true })]);
    const lifecycles = Object.entries(resourcesOf(text, "aws_efs_file_system")).map(
      ([address, system]) => [address.split("_")[1], system["lifecycle"]],
    );
    expect(lifecycles).to.deep.equal([
      ["alice", { prevent_destroy: true }],
      ["bob", { prevent_destroy: false }],
    ]);
  });
});
