import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group/index.js";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway/index.js";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association/index.js";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table/index.js";
import { Route } from "@cdktf/provider-aws/lib/route/index.js";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter/index.js";
import { Subnet } from "@cdktf/provider-aws/lib/subnet/index.js";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint/index.js";
import { Vpc } from "@cdktf/provider-aws/lib/vpc/index.js";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { networkParameterNames } from "../../functions/shared/deployment-parameters.js";
import type { DeploymentNetwork as NetworkSettings } from "../settings/network-settings.js";

/** Properties of the {@link DeploymentNetwork}. */
export interface DeploymentNetworkProps {
  /** The deployment's name: resource names and its SSM parameters' path. */
  readonly deployment: string;
  readonly region: string;
  readonly network: NetworkSettings;
}

/** One subnet of the network, as the homes' mount targets need it. */
export interface NetworkSubnetRef {
  readonly zone: string;
  /** The subnet's id: a reference when FlightDeck builds it, the admin's id otherwise. */
  readonly id: string;
}

/**
 * The one network every cluster of the deployment shares. FlightDeck builds
 * it from the settings (a VPC, a public subnet per Availability Zone, one
 * internet gateway and route table, and a gateway endpoint that keeps S3
 * traffic off the internet at no charge), or takes the admin's existing VPC
 * and subnets as they are. Either way it publishes their ids as the SSM
 * parameters the cluster template resolves (`VpcId`, `SubnetIds`).
 */
export class DeploymentNetwork extends Construct {
  readonly vpcId: string;
  readonly subnets: readonly NetworkSubnetRef[];

  constructor(scope: Construct, id: string, props: DeploymentNetworkProps) {
    super(scope, id);
    const { network } = props;
    if (network.kind === "existing") {
      this.vpcId = network.vpcId;
      this.subnets = network.subnets.map(({ zone, id: subnetId }) => ({ zone, id: subnetId }));
    } else {
      const built = this.build(props.deployment, props.region, network);
      this.vpcId = built.vpcId;
      this.subnets = built.subnets;
    }
    const names = networkParameterNames(props.deployment);
    new SsmParameter(this, "vpc-id", {
      name: names.vpcId,
      type: "String",
      value: this.vpcId,
      description: "FlightDeck: the VPC every cluster of the deployment runs in.",
    });
    new SsmParameter(this, "subnet-ids", {
      name: names.subnetIds,
      type: "StringList",
      value: Fn.join(
        ",",
        this.subnets.map((subnet) => subnet.id),
      ),
      description: "FlightDeck: the deployment's subnets, one per Availability Zone.",
    });
  }

  private build(
    deployment: string,
    region: string,
    network: Extract<NetworkSettings, { kind: "created" }>,
  ): { vpcId: string; subnets: NetworkSubnetRef[] } {
    const name = (suffix: string) => ({ Name: `${deployment}-${suffix}` });
    // DNS names on: EFS mount targets are reached by name, resolved per zone.
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: network.cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: name("clusters"),
    });
    // The VPC's default group is attached to nothing FlightDeck makes; empty, it admits nothing.
    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: vpc.id,
      tags: name("default-unused"),
    });
    const gateway = new InternetGateway(this, "internet-gateway", {
      vpcId: vpc.id,
      tags: name("clusters"),
    });
    const routes = new RouteTable(this, "public-routes", { vpcId: vpc.id, tags: name("public") });
    new Route(this, "internet-route", {
      routeTableId: routes.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: gateway.id,
    });
    new VpcEndpoint(this, "s3-endpoint", {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [routes.id],
      tags: name("s3"),
    });
    const subnets = network.subnets.map((spec) => {
      const subnet = new Subnet(this, `subnet-${spec.zone}`, {
        vpcId: vpc.id,
        cidrBlock: spec.cidr,
        availabilityZone: spec.zone,
        mapPublicIpOnLaunch: true,
        tags: name(`public-${spec.zone}`),
      });
      new RouteTableAssociation(this, `subnet-${spec.zone}-routes`, {
        subnetId: subnet.id,
        routeTableId: routes.id,
      });
      return { zone: spec.zone, id: subnet.id };
    });
    return { vpcId: vpc.id, subnets };
  }
}
