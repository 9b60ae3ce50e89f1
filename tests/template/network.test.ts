import { expect } from "chai";
import { properties } from "./cluster-template-support.js";

/* The cluster's network (template/network.ts). */

describe("the default template's network", () => {
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
    expect(properties("ClusterSecurityGroupSelfIngress")).to.deep.include({
      GroupId: { Ref: "ClusterSecurityGroup" },
      SourceSecurityGroupId: { Ref: "ClusterSecurityGroup" },
    });
  });
});
