import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  S3Client,
  type DeleteObjectsCommandInput,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { UserHome } from "../../../../functions/shared/runtime/user-home.js";

describe("UserHome.remove", () => {
  // This client's requests only: a mock of the class would capture every S3 client in the
  // process, the other suites' included, from the moment this file is loaded.
  const client = new S3Client({ region: "eu-west-2" });
  const s3 = mockClient(client);
  const home = new UserHome(client, "users");
  const stale = ["home/alice/c1.cf-create", "home/alice/c1.cf-failed", "home/alice/c1.cf-deleted"];
  beforeEach(() => {
    s3.reset();
    s3.on(DeleteObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
  });
  after(() => s3.restore());

  it("sends nothing for no keys, and a plain DeleteObject for one", async () => {
    await home.remove([]);
    expect(s3.calls()).to.have.length(0);
    await home.remove(["home/alice/c1.cf-create"]);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).to.deep.equal([
      { Bucket: "users", Key: "home/alice/c1.cf-create" },
    ]);
  });

  it("removes several keys in one quiet DeleteObjects request", async () => {
    await home.remove(stale);
    expect(s3.commandCalls(DeleteObjectCommand)).to.have.length(0);
    const inputs = s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);
    expect(inputs).to.deep.equal([
      {
        Bucket: "users",
        Delete: { Objects: stale.map((Key) => ({ Key })), Quiet: true },
      } satisfies DeleteObjectsCommandInput,
    ]);
  });

  it("throws, naming the key and S3's code, when S3 reports a key it did not delete", async () => {
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: "home/alice/c1.cf-failed", Code: "InternalError", Message: "try again" }],
    });
    let thrown: unknown;
    await home.remove(stale).catch((error: unknown) => (thrown = error));
    expect(thrown).to.be.instanceOf(Error);
    expect((thrown as Error).message).to.equal(
      "S3 did not delete home/alice/c1.cf-failed (InternalError: try again)",
    );
  });
});
