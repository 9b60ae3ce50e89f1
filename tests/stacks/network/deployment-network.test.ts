import { expect } from "chai";
import { DeploymentNetwork } from "../../../stacks/network/deployment-network.js";
import { networkFrom } from "../../../stacks/settings/network-settings.js";
import { resourcesOf, synthScope } from "../support/synth.js";

/* The deployment's shared network (stacks/network/deployment-network.ts). */

const NETWORK_TYPES = [
  "aws_vpc",
  "aws_subnet",
  "aws_internet_gateway",
  "aws_route_table",
  "aws_route_table_association",
  "aws_vpc_endpoint",
  "aws_default_security_group",
];

describe("DeploymentNetwork", () => {
  describe("built by FlightDeck", () => {
    const synthesized = synthScope((scope) => {
      new DeploymentNetwork(scope, "network", {
        deployment: "fdtest",
        region: "eu-west-2",
        network: networkFrom("eu-west-2", { cidr: "10.20.0.0/16", zones: 3 }),
      });
    });
    const all = (type: string) => Object.values(resourcesOf(synthesized, type));

    it("builds one VPC with DNS names, which EFS mount targets are reached by", () => {
      expect(all("aws_vpc")).to.have.length(1);
      expect(all("aws_vpc")[0]).to.include({
        cidr_block: "10.20.0.0/16",
        enable_dns_support: true,
        enable_dns_hostnames: true,
      });
    });

    it("gives each zone a public subnet of an equal share of the block", () => {
      const subnets = all("aws_subnet").map((s) => [s["availability_zone"], s["cidr_block"]]);
      expect(subnets).to.deep.equal([
        ["eu-west-2a", "10.20.0.0/18"],
        ["eu-west-2b", "10.20.64.0/18"],
        ["eu-west-2c", "10.20.128.0/18"],
      ]);
      for (const subnet of all("aws_subnet")) {
        expect(subnet["map_public_ip_on_launch"]).to.equal(true);
      }
      expect(all("aws_route_table_association")).to.have.length(3);
    });

    it("routes to the internet through one gateway, and to S3 through a gateway endpoint", () => {
      expect(all("aws_internet_gateway")).to.have.length(1);
      expect(all("aws_route_table")).to.have.length(1);
      const [route] = all("aws_route");
      expect(all("aws_route")).to.have.length(1);
      expect(route?.["destination_cidr_block"]).to.equal("0.0.0.0/0");
      expect(route?.["gateway_id"]).to.match(
        /^\$\{aws_internet_gateway\.network_internet-gateway_\w+\.id\}$/,
      );
      const [endpoint] = all("aws_vpc_endpoint");
      expect(all("aws_vpc_endpoint")).to.have.length(1);
      expect(endpoint).to.include({
        service_name: "com.amazonaws.eu-west-2.s3",
        vpc_endpoint_type: "Gateway",
      });
      expect(endpoint?.["route_table_ids"]).to.have.length(1);
      expect(String((endpoint?.["route_table_ids"] as string[])[0])).to.match(
        /^\$\{aws_route_table\.network_public-routes_\w+\.id\}$/,
      );
    });

    it("empties the VPC's default security group, which nothing of FlightDeck uses", () => {
      const [group] = all("aws_default_security_group");
      expect(all("aws_default_security_group")).to.have.length(1);
      expect(group).not.to.have.property("ingress");
      expect(group).not.to.have.property("egress");
    });

    it("publishes the VPC and its subnets where the cluster template resolves them", () => {
      const parameters = Object.fromEntries(
        all("aws_ssm_parameter").map((p) => [p["name"], [p["type"], p["value"]]]),
      );
      expect(Object.keys(parameters).sort()).to.deep.equal([
        "/flightdeck/fdtest/network/subnet-ids",
        "/flightdeck/fdtest/network/vpc-id",
      ]);
      const [vpcType, vpcValue] = parameters["/flightdeck/fdtest/network/vpc-id"] ?? [];
      expect(vpcType).to.equal("String");
      expect(vpcValue).to.match(/^\$\{aws_vpc\.network_vpc_\w+\.id\}$/);
      const [subnetsType, subnetsValue] = parameters["/flightdeck/fdtest/network/subnet-ids"] ?? [];
      expect(subnetsType).to.equal("StringList");
      expect(
        String(subnetsValue).match(/aws_subnet\.network_subnet-eu-west-2[abc]_\w+\.id/g),
      ).to.have.length(3);
    });
  });

  describe("an existing VPC named in the settings", () => {
    const synthesized = synthScope((scope) => {
      new DeploymentNetwork(scope, "network", {
        deployment: "fdtest",
        region: "eu-west-2",
        network: networkFrom("eu-west-2", {
          vpcId: "vpc-0123456789abcdef0",
          subnets: [
            { id: "subnet-0aaaaaaaaaaaaaaaa", zone: "eu-west-2a" },
            { id: "subnet-0bbbbbbbbbbbbbbbb", zone: "eu-west-2b" },
          ],
        }),
      });
    });

    it("builds no network, and publishes the admin's ids as they are", () => {
      for (const type of NETWORK_TYPES) {
        expect(resourcesOf(synthesized, type), type).to.deep.equal({});
      }
      const parameters = Object.values(resourcesOf(synthesized, "aws_ssm_parameter"));
      const named = (p: Record<string, unknown>) => [String(p["name"]), p["value"]];
      expect(parameters.map(named).sort()).to.deep.equal([
        [
          "/flightdeck/fdtest/network/subnet-ids",
          '${join(",", ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"])}',
        ],
        ["/flightdeck/fdtest/network/vpc-id", "vpc-0123456789abcdef0"],
      ]);
    });
  });
});
