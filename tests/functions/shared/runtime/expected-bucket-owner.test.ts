import type { S3Client } from "@aws-sdk/client-s3";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { createS3Client } from "../../../../functions/shared/runtime/aws-clients.js";

/** An S3 client whose requests are captured instead of sent. */
function capturing(client: S3Client): Array<Record<string, string>> {
  const seen: Array<Record<string, string>> = [];
  client.middlewareStack.add(
    () => async (args) => {
      seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return {
        response: { statusCode: 200, headers: {}, body: undefined } as never,
        output: {} as never,
      };
    },
    { step: "finalizeRequest", priority: "low", name: "capture" },
  );
  return seen;
}

describe("expected bucket owner", () => {
  const base = { AWS_REGION: "eu-west-2" } as const;
  const credentials = { accessKeyId: "a", secretAccessKey: "s" };

  it("names the deployment's account on every S3 call of the handlers", async () => {
    const client = createS3Client({ ...base, FD_ACCOUNT_ID: "123456789012" });
    client.config.credentials = async () => credentials;
    const seen = capturing(client);
    await client.send(new GetObjectCommand({ Bucket: "b", Key: "k" })).catch(() => undefined);
    await client
      .send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "x" }))
      .catch(() => undefined);
    expect(seen.map((h) => h["x-amz-expected-bucket-owner"])).to.deep.equal([
      "123456789012",
      "123456789012",
    ]);
  });

  it("sends none when the account is not known (an offline plan's environment)", async () => {
    const client = createS3Client(base);
    client.config.credentials = async () => credentials;
    const seen = capturing(client);
    await client.send(new GetObjectCommand({ Bucket: "b", Key: "k" })).catch(() => undefined);
    expect(seen[0]).not.to.have.property("x-amz-expected-bucket-owner");
  });
});
