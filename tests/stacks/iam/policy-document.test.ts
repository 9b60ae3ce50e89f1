import { expect } from "chai";
import { escapeTerraformTemplate, policyJson } from "../../../stacks/iam/policy-document.js";

describe("Terraform escaping of policy text", () => {
  it("escapes IAM policy variables and shell expansions", () => {
    expect(escapeTerraformTemplate("home/${aws:username}/*")).to.equal("home/$${aws:username}/*");
    expect(escapeTerraformTemplate('echo "${HOME}" %{x}')).to.equal('echo "$${HOME}" %%{x}');
  });

  it("leaves cdktf's own tokens alone, so references still resolve", () => {
    expect(escapeTerraformTemplate("${TfToken[TOKEN.12]}/${aws:username}")).to.equal(
      "${TfToken[TOKEN.12]}/$${aws:username}",
    );
  });

  it("renders a policy document as escaped JSON", () => {
    const text = policyJson({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "A",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::b/${aws:username}"],
        },
      ],
    });
    expect(text).to.include("arn:aws:s3:::b/$${aws:username}");
  });
});
