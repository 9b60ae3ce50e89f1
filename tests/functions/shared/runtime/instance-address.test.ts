import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import { expect } from "chai";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { publicIpOfInstance } from "../../../../functions/shared/runtime/instance-address.js";

/*
 * The EC2 fallback over real HTTP on loopback: a server that answers as EC2
 * does, and checks each request's SigV4 signature by signing what it received
 * again (with node:crypto's hash as @smithy/core/serde wraps it, not the
 * SHA-256 the code under test uses).
 */

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

/** An answer as EC2 documents it, trimmed: one reservation, one instance. */
const describeAnswer = (ipAddress: string | undefined) => `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet>
    <item>
      <reservationId>r-1234567890abcdef0</reservationId>
      <ownerId>123456789012</ownerId>
      <groupSet/>
      <instancesSet>
        <item>
          <instanceId>i-1234567890abcdef0</instanceId>
          <instanceState><code>16</code><name>running</name></instanceState>
          <privateIpAddress>10.0.0.12</privateIpAddress>
          ${ipAddress === undefined ? "" : `<ipAddress>${ipAddress}</ipAddress>`}
          <networkInterfaceSet>
            <item><privateIpAddress>10.0.0.12</privateIpAddress></item>
            <item><privateIpAddress>10.0.1.12</privateIpAddress></item>
          </networkInterfaceSet>
          <tagSet>
            <item><key>Name</key><value>master</value></item>
            <item><key>ipAddress</key><value>198.51.100.1</value></item>
          </tagSet>
        </item>
      </instancesSet>
    </item>
  </reservationSet>
</DescribeInstancesResponse>`;

const errorAnswer = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>${code}</Code><Message>Something about ${code}.</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>`;

interface Received {
  readonly body: string;
  readonly signatureValid: boolean;
  readonly authorization: string;
}

/** Signs the received request again, over the headers it says it signed, and compares. */
async function verifySignature(request: IncomingMessage, body: string): Promise<boolean> {
  const authorization = String(request.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(";") ?? [];
  const amzDate = String(request.headers["x-amz-date"]);
  const signingDate = new Date(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
  );
  const url = new URL(request.url ?? "/", `http://${request.headers.host}`);
  const again = await new SignatureV4({
    service: "ec2",
    region: "eu-west-2",
    credentials,
    sha256: Hash.bind(null, "sha256"),
  }).sign(
    {
      method: request.method ?? "",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: Object.fromEntries(signedHeaders.map((h) => [h, String(request.headers[h])])),
      body,
    },
    { signingDate },
  );
  return again.headers["authorization"] === authorization;
}

describe("public IP of an instance (EC2 DescribeInstances over HTTP)", () => {
  let server: Server;
  let endpoint: string;
  let answer: { status: number; body: string };
  let received: Received[];

  before(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        void verifySignature(request, body).then((signatureValid) => {
          received.push({
            body,
            signatureValid,
            authorization: String(request.headers.authorization),
          });
          response.writeHead(answer.status, { "content-type": "text/xml;charset=UTF-8" });
          response.end(answer.body);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (received = []));

  const lookup = (instanceId = "i-1234567890abcdef0") =>
    publicIpOfInstance(
      { region: "eu-west-2", credentials, env: { AWS_ENDPOINT_URL_EC2: endpoint } },
      instanceId,
    );

  it("returns the instance's public IP from EC2's answer", async () => {
    answer = { status: 200, body: describeAnswer("203.0.113.7") };
    expect(await lookup()).to.equal("203.0.113.7");
  });

  it("asks for exactly that instance, in one request signed for EC2 in the region", async () => {
    answer = { status: 200, body: describeAnswer("203.0.113.7") };
    await lookup("i-0abc");
    expect(received).to.have.length(1);
    const [request] = received;
    expect(Object.fromEntries(new URLSearchParams(request?.body))).to.deep.equal({
      Action: "DescribeInstances",
      Version: "2016-11-15",
      "InstanceId.1": "i-0abc",
    });
    expect(request?.authorization).to.match(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/ec2\/aws4_request, SignedHeaders=\S*content-type\S*, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.signatureValid).to.equal(true);
  });

  it("returns nothing for an instance without a public IP", async () => {
    answer = { status: 200, body: describeAnswer(undefined) };
    expect(await lookup()).to.equal(undefined);
  });

  it("throws EC2's error code, with the HTTP status for the retry logic", async () => {
    answer = { status: 400, body: errorAnswer("InvalidInstanceID.NotFound") };
    const error = (await lookup().catch((e: unknown) => e)) as Error & {
      $metadata: { httpStatusCode: number };
    };
    expect(error).to.be.instanceOf(Error);
    expect(error.name).to.equal("InvalidInstanceID.NotFound");
    expect(error.message).to.equal("ec2 call failed: InvalidInstanceID.NotFound");
    expect(error.$metadata.httpStatusCode).to.equal(400);
  });

  it("names the HTTP status when the error answer is not EC2's XML, after retrying the 5xx", async () => {
    answer = { status: 502, body: "<html><body>Bad Gateway</body>" };
    const error = (await lookup().catch((e: unknown) => e)) as Error & {
      $metadata: { httpStatusCode: number };
    };
    expect(error.name).to.equal("HTTP 502");
    expect(error.$metadata.httpStatusCode).to.equal(502);
    expect(received).to.have.length(4);
  });
});
