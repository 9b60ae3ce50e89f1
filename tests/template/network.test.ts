import { expect } from "chai";
import { SYSTEM_PARAMETERS } from "../../functions/shared/config-fields.js";
import { MASTER_RESOURCE } from "../../template/node-common.js";
import {
  parameters,
  properties,
  resources,
  walk,
  type JsonObject,
} from "./cluster-template-support.js";

/* The cluster's place in the deployment's shared network (template/network.ts, nodes.ts). */

const NETWORK_TYPES = [
  "AWS::EC2::VPC",
  "AWS::EC2::InternetGateway",
  "AWS::EC2::VPCGatewayAttachment",
  "AWS::EC2::Subnet",
  "AWS::EC2::RouteTable",
  "AWS::EC2::Route",
  "AWS::EC2::SubnetRouteTableAssociation",
];

const typeOf = (name: string) => String((resources[name] as JsonObject)["Type"]);

describe("the default template's network", () => {
  it("builds no VPC, internet gateway, subnet or route table: the deployment's network is shared", () => {
    const types = Object.keys(resources).map(typeOf);
    expect(types.length).to.be.greaterThan(10);
    expect(types.filter((type) => NETWORK_TYPES.includes(type))).to.deep.equal([]);
  });

  it("takes the network and the owner's home as SSM-resolved system parameters", () => {
    expect(parameters["VpcId"]).to.deep.include({
      Type: "AWS::SSM::Parameter::Value<AWS::EC2::VPC::Id>",
    });
    expect(parameters["SubnetIds"]).to.deep.include({
      Type: "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>",
    });
    expect(parameters["HomeFileSystem"]).to.deep.include({
      Type: "AWS::SSM::Parameter::Value<String>",
    });
    expect(parameters["HomeSecurityGroup"]).to.deep.include({
      Type: "AWS::SSM::Parameter::Value<AWS::EC2::SecurityGroup::Id>",
    });
    for (const name of ["VpcId", "SubnetIds", "HomeFileSystem", "HomeSecurityGroup", "AccessUid"]) {
      expect(SYSTEM_PARAMETERS, name).to.include(name);
      expect(parameters[name], name).not.to.have.property("Default");
    }
  });

  it("puts both security groups in the shared VPC", () => {
    const groups = Object.keys(resources).filter((n) => typeOf(n) === "AWS::EC2::SecurityGroup");
    expect(groups.sort()).to.deep.equal(["ClusterSecurityGroup", "LoginSecurityGroup"]);
    for (const group of groups) {
      expect(properties(group)["VpcId"], group).to.deep.equal({ Ref: "VpcId" });
    }
  });

  it("opens SSH only from AccessNetwork, on the login group only", () => {
    expect(properties("LoginSecurityGroup")["SecurityGroupIngress"]).to.deep.equal([
      {
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        CidrIp: { Ref: "AccessNetwork" },
        Description: "SSH",
      },
    ]);
    expect(properties("ClusterSecurityGroup")["SecurityGroupIngress"]).to.equal(undefined);
  });

  it("admits the cluster's own members to one another, and no one else", () => {
    const ingress = Object.keys(resources).filter(
      (n) => typeOf(n) === "AWS::EC2::SecurityGroupIngress",
    );
    expect(ingress).to.deep.equal(["ClusterSecurityGroupSelfIngress"]);
    expect(properties("ClusterSecurityGroupSelfIngress")).to.deep.include({
      GroupId: { Ref: "ClusterSecurityGroup" },
      SourceSecurityGroupId: { Ref: "ClusterSecurityGroup" },
    });
    const cidrs: unknown[] = [];
    walk(resources, (node) => {
      if (node["CidrIp"] !== undefined) cidrs.push(node["CidrIp"]);
    });
    expect(cidrs).to.deep.equal([{ Ref: "AccessNetwork" }]);
  });

  it("runs the master in the first subnet and the compute groups in every one (the first alone in a placement group), with the owner's home group", () => {
    const firstSubnet = { "Fn::Select": [0, { Ref: "SubnetIds" }] };
    expect(properties(MASTER_RESOURCE)["SubnetId"]).to.deep.equal(firstSubnet);
    for (const group of ["ComputeGroup", "ComputeOnDemandGroup"]) {
      expect(properties(group)["VPCZoneIdentifier"], group).to.deep.equal({
        "Fn::If": ["UsePlacementGroup", [firstSubnet], { Ref: "SubnetIds" }],
      });
    }
    expect(properties(MASTER_RESOURCE)["SecurityGroupIds"]).to.deep.equal([
      { Ref: "ClusterSecurityGroup" },
      { Ref: "LoginSecurityGroup" },
      { Ref: "HomeSecurityGroup" },
    ]);
    const compute = properties("ComputeLaunchTemplate")["LaunchTemplateData"] as JsonObject;
    expect(compute["SecurityGroupIds"]).to.deep.equal([
      { Ref: "ClusterSecurityGroup" },
      { Ref: "HomeSecurityGroup" },
    ]);
  });
});
