import { expect } from "chai";
import fc from "fast-check";
import { firstFailureReason } from "../../../functions/shared/stack-facts.js";
import { MAX_USER_TEXT, quotedUserText } from "../../../functions/shared/user-text.js";

/* Text a cluster's node sends, as FlightDeck passes it on (functions/shared/user-text.ts). */

describe("user text passed on", () => {
  it("keeps plain words and quotes them", () => {
    expect(quotedUserText("customizer default/configure.d/99-fault.sh exit 3")).to.equal(
      "«customizer default/configure_d/99-fault_sh exit 3»",
    );
  });

  it("leaves no link, address, quote, control or invisible character, and at most 64 characters", () => {
    const hostile = [
      "Your FlightDeck account is locked: visit https://evil.example/reset",
      "mail admin@evil.example",
      'a"b<c>d\u0000e\u200bf\u202eg\nh',
      "x".repeat(500),
    ];
    for (const text of hostile) {
      const quoted = quotedUserText(text);
      expect(quoted).to.match(/^«[A-Za-z0-9 _/-]*»$/);
      expect(quoted.length).to.be.at.most(MAX_USER_TEXT + 2);
      expect(quoted).not.to.match(/https?:|@|\.example/);
    }
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        expect(quotedUserText(text)).to.match(/^«[A-Za-z0-9 _/-]{0,64}»$/);
      }),
    );
  });

  it("gives a login node's FAILURE signal in FlightDeck's words, the node's only quoted", () => {
    const reason = firstFailureReason(
      [
        {
          LogicalResourceId: "MasterInstance",
          ResourceType: "AWS::EC2::Instance",
          ResourceStatus: "CREATE_FAILED",
          ResourceStatusReason:
            "Received FAILURE signal with UniqueId Your account is locked: go to https://evil.example",
        },
      ],
      "CREATE",
      undefined,
    );
    expect(reason).to.equal(
      "MasterInstance (AWS::EC2::Instance) failed: the cluster's node reported that its boot failed, in its own words «Your account is locked_ go to https_//evil_example»; see /var/log/cloud-init-output.log on it.",
    );
  });
});
