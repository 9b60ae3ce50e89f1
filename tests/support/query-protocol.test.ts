import {
  CloudFormationClient,
  DescribeStacksCommand,
  type CloudFormationServiceException,
} from "@aws-sdk/client-cloudformation";
import { expect } from "chai";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import * as query from "./query-protocol.js";
import { queryFormatOf } from "./rehearsal/fake-aws/protocol.js";

/*
 * The AWS Query protocol the fakes share (tests/support/query-protocol.ts),
 * and the formats the rehearsal's fake AWS answers its services in
 * (tests/support/rehearsal/fake-aws/protocol.ts).
 */

/** Every request id replaced by `ID`, so an envelope can be compared whole. */
const withoutIds = (xml: string) =>
  xml.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "ID");

const AWKWARD = `a&b<c>d"e'f`;

describe("the Query protocol of the fakes", () => {
  describe("XML", () => {
    it("escapes & < > \" and ', the ampersand first", () => {
      expect(query.xmlEscape(AWKWARD)).to.equal("a&amp;b&lt;c&gt;d&quot;e&apos;f");
      expect(query.xmlEscape("&lt;")).to.equal("&amp;lt;");
      expect(query.xmlEscape("plain text")).to.equal("plain text");
    });

    it("writes an element with its value escaped, and nothing for undefined", () => {
      expect(query.tag("StackName", AWKWARD)).to.equal(
        "<StackName>a&amp;b&lt;c&gt;d&quot;e&apos;f</StackName>",
      );
      expect(query.tag("StackName", "")).to.equal("<StackName></StackName>");
      expect(query.tag("StackName", undefined)).to.equal("");
    });

    it("writes a number or a boolean as its text", () => {
      expect(query.tag("MaxSize", 4)).to.equal("<MaxSize>4</MaxSize>");
      expect(query.tag("Progress", 0)).to.equal("<Progress>0</Progress>");
      expect(query.tag("IsTruncated", false)).to.equal("<IsTruncated>false</IsTruncated>");
    });

    it("escapes the apostrophe of an EC2 message", () => {
      expect(query.tag("Message", "The instance ID 'i-0a' does not exist")).to.equal(
        "<Message>The instance ID &apos;i-0a&apos; does not exist</Message>",
      );
    });

    it("wraps list items as <member>, or EC2's <item>, leaving each item's XML as it is", () => {
      expect(query.members(["<a>1</a>", "<a>2</a>"])).to.equal(
        "<member><a>1</a></member><member><a>2</a></member>",
      );
      expect(query.members(["<a>1</a>"], "item")).to.equal("<item><a>1</a></item>");
      expect(query.members([])).to.equal("");
    });
  });

  describe("form parameters", () => {
    it("reads a list in order, as .member.N or EC2's .N, up to the first missing index", () => {
      const form = query.parseForm(
        "Action=ListStacks&StackStatusFilter.member.2=DELETE_FAILED" +
          "&StackStatusFilter.member.1=CREATE_COMPLETE&StackStatusFilter.member.4=LOST" +
          "&InstanceType.1=c7i.large&InstanceType.2=m7i.large",
      );
      expect(query.listParameter(form, "StackStatusFilter")).to.deep.equal([
        "CREATE_COMPLETE",
        "DELETE_FAILED",
      ]);
      expect(query.listParameter(form, "InstanceType")).to.deep.equal(["c7i.large", "m7i.large"]);
      expect(query.listParameter(form, "Absent")).to.deep.equal([]);
    });

    it("reads a list of key-value members as a record, values decoded, up to the first gap", () => {
      const form = query.parseForm(
        "Tags.member.1.Key=USER&Tags.member.1.Value=alice" +
          "&Tags.member.2.Key=Note&Tags.member.2.Value=a%26b%3Dc+d",
      );
      expect(query.memberMap(form, "Tags", ["Key", "Value"])).to.deep.equal({
        USER: "alice",
        Note: "a&b=c d",
      });
      expect(query.memberMap(form, "Parameters", ["ParameterKey", "ParameterValue"])).to.deep.equal(
        {},
      );
      const ec2 = query.parseForm(
        "Tag.1.Key=Name&Tag.1.Value=compute-1&Tag.3.Key=Lost&Tag.3.Value=x",
      );
      expect(query.memberMap(ec2, "Tag", ["Key", "Value"])).to.deep.equal({ Name: "compute-1" });
    });

    it("reads EC2's CreateTags: the resource ids as a list, the tags in index order", () => {
      const form = query.parseForm(
        "Action=CreateTags&ResourceId.1=i-0a&ResourceId.2=i-0b" +
          "&Tag.2.Key=flightdeck%3Arole&Tag.2.Value=compute&Tag.1.Key=Name&Tag.1.Value=it%27s",
      );
      expect(query.listParameter(form, "ResourceId")).to.deep.equal(["i-0a", "i-0b"]);
      expect(Object.entries(query.memberMap(form, "Tag", ["Key", "Value"]))).to.deep.equal([
        ["Name", "it's"],
        ["flightdeck:role", "compute"],
      ]);
    });
  });

  describe("request bodies", () => {
    /** A request whose body arrives in `chunks`. */
    const requestOf = (...chunks: Buffer[]) => Readable.from(chunks) as unknown as IncomingMessage;

    it("reads a body's bytes whole, across its chunks, as they came", async () => {
      const bytes = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0xc3, 0x28]);
      const body = await query.bodyBytes(requestOf(bytes.subarray(0, 2), bytes.subarray(2)));
      expect(Buffer.isBuffer(body)).to.equal(true);
      expect(body.equals(bytes)).to.equal(true);
      expect((await query.bodyBytes(requestOf())).length).to.equal(0);
    });

    it("reads a body as UTF-8 text, a character split between chunks included", async () => {
      const form = Buffer.from("Action=CreateTags&Tag.1.Value=caf\u00e9");
      const split = form.length - 1;
      const text = await query.bodyOf(requestOf(form.subarray(0, split), form.subarray(split)));
      expect(text).to.equal("Action=CreateTags&Tag.1.Value=caf\u00e9");
    });
  });

  describe("envelopes", () => {
    it("wraps a result in <ActionResponse><ActionResult> with response metadata", () => {
      expect(withoutIds(query.queryResponse("DeleteStack", "", { namespace: "urn:ns" }))).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?><DeleteStackResponse xmlns="urn:ns">' +
          "<DeleteStackResult></DeleteStackResult>" +
          "<ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></DeleteStackResponse>",
      );
    });

    it("answers EC2 without a Result element, the request id first", () => {
      const xml = query.queryResponse("DescribeVolumes", "<volumeSet/>", {
        namespace: "urn:ec2",
        dialect: "ec2",
      });
      expect(withoutIds(xml)).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?><DescribeVolumesResponse xmlns="urn:ec2">' +
          "<requestId>ID</requestId><volumeSet/></DescribeVolumesResponse>",
      );
    });

    it("writes an error as <ErrorResponse>, its message escaped", () => {
      const error = new query.QueryError("ValidationError", `Stack ${AWKWARD} does not exist`);
      expect(error.status).to.equal(400);
      expect(withoutIds(query.queryErrorResponse(error))).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type>' +
          "<Code>ValidationError</Code>" +
          "<Message>Stack a&amp;b&lt;c&gt;d&quot;e&apos;f does not exist</Message>" +
          "</Error><RequestId>ID</RequestId></ErrorResponse>",
      );
    });

    it("writes EC2's errors as <Response><Errors>", () => {
      const error = new query.QueryError("RequestLimitExceeded", "Request limit exceeded.", 503);
      expect(withoutIds(query.queryErrorResponse(error, "ec2"))).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>' +
          "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>" +
          "</Error></Errors><RequestID>ID</RequestID></Response>",
      );
    });
  });

  describe("as the rehearsal's services answer", () => {
    it("answers EC2 in its namespace and dialect, errors included", () => {
      const ec2 = queryFormatOf("ec2");
      expect(withoutIds(query.queryResponse("CreateTags", "<return>true</return>", ec2))).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?>' +
          '<CreateTagsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
          "<requestId>ID</requestId><return>true</return></CreateTagsResponse>",
      );
      const denied = new query.QueryError("UnauthorizedOperation", "Not you.", 403);
      expect(query.queryErrorResponse(denied, ec2.dialect)).to.contain("<Response><Errors>");
    });

    it("answers Auto Scaling and CloudFormation with a Result, in their namespaces", () => {
      expect(
        query.queryResponse("SetDesiredCapacity", "", queryFormatOf("autoscaling")),
      ).to.contain(
        '<SetDesiredCapacityResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">' +
          "<SetDesiredCapacityResult></SetDesiredCapacityResult>",
      );
      expect(queryFormatOf("cloudformation")).to.deep.equal({
        namespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
      });
      expect(queryFormatOf("sts")).to.deep.equal({ namespace: "" });
    });
  });

  describe("as the AWS SDK reads it", () => {
    let server: Server;
    let client: CloudFormationClient;
    /** What the server answers next: a status and a body. */
    let next: { status: number; body: string };
    let received: URLSearchParams | undefined;

    before(async () => {
      process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
      server = createServer((request, response) => {
        void query.bodyOf(request).then((body) => {
          received = query.parseForm(body);
          response.writeHead(next.status, { "content-type": "text/xml" });
          response.end(next.body);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      client = new CloudFormationClient({
        region: "eu-west-2",
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        credentials: { accessKeyId: "TEST", secretAccessKey: "TEST" },
        maxAttempts: 1,
      });
    });

    after(async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it("reads a result's escaped values back as they were", async () => {
      next = {
        status: 200,
        body: query.queryResponse(
          "DescribeStacks",
          `<Stacks>${query.members([query.tag("StackName", AWKWARD) + query.tag("StackStatus", "CREATE_COMPLETE")])}</Stacks>`,
          { namespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/" },
        ),
      };
      const answer = await client.send(new DescribeStacksCommand({ StackName: AWKWARD }));
      expect(received?.get("Action")).to.equal("DescribeStacks");
      expect(received?.get("StackName")).to.equal(AWKWARD);
      expect(answer.Stacks?.map((stack) => stack.StackName)).to.deep.equal([AWKWARD]);
    });

    it("reads an error's code, message and status", async () => {
      next = {
        status: 400,
        body: query.queryErrorResponse(
          new query.QueryError("ValidationError", `No stack ${AWKWARD}`),
        ),
      };
      const error = (await client.send(new DescribeStacksCommand({ StackName: "x" })).then(
        () => undefined,
        (e: unknown) => e,
      )) as CloudFormationServiceException;
      expect(error.name).to.equal("ValidationError");
      expect(error.message).to.equal(`No stack ${AWKWARD}`);
      expect(error.$metadata.httpStatusCode).to.equal(400);
    });
  });
});
