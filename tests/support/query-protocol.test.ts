import {
  CloudFormationClient,
  DescribeStacksCommand,
  type CloudFormationServiceException,
} from "@aws-sdk/client-cloudformation";
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  bodyOf,
  listParameter,
  memberMap,
  members,
  parseForm,
  QueryError,
  queryErrorResponse,
  queryResponse,
  tag,
  xmlEscape,
} from "./query-protocol.js";

/* The AWS Query protocol the loopback fakes share (tests/support/query-protocol.ts). */

/** Every request id replaced by `ID`, so an envelope can be compared whole. */
const withoutIds = (xml: string) =>
  xml.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "ID");

const AWKWARD = `a&b<c>d"e'f`;

describe("the Query protocol of the fakes", () => {
  describe("XML", () => {
    it("escapes & < > \" and ', the ampersand first", () => {
      expect(xmlEscape(AWKWARD)).to.equal("a&amp;b&lt;c&gt;d&quot;e&apos;f");
      expect(xmlEscape("&lt;")).to.equal("&amp;lt;");
      expect(xmlEscape("plain text")).to.equal("plain text");
    });

    it("writes an element with its value escaped, and nothing for undefined", () => {
      expect(tag("StackName", AWKWARD)).to.equal(
        "<StackName>a&amp;b&lt;c&gt;d&quot;e&apos;f</StackName>",
      );
      expect(tag("StackName", "")).to.equal("<StackName></StackName>");
      expect(tag("StackName", undefined)).to.equal("");
    });

    it("wraps list items as <member>, or EC2's <item>, leaving each item's XML as it is", () => {
      expect(members(["<a>1</a>", "<a>2</a>"])).to.equal(
        "<member><a>1</a></member><member><a>2</a></member>",
      );
      expect(members(["<a>1</a>"], "item")).to.equal("<item><a>1</a></item>");
      expect(members([])).to.equal("");
    });
  });

  describe("form parameters", () => {
    it("reads a list in order, as .member.N or EC2's .N, up to the first missing index", () => {
      const form = parseForm(
        "Action=ListStacks&StackStatusFilter.member.2=DELETE_FAILED" +
          "&StackStatusFilter.member.1=CREATE_COMPLETE&StackStatusFilter.member.4=LOST" +
          "&InstanceType.1=c7i.large&InstanceType.2=m7i.large",
      );
      expect(listParameter(form, "StackStatusFilter")).to.deep.equal([
        "CREATE_COMPLETE",
        "DELETE_FAILED",
      ]);
      expect(listParameter(form, "InstanceType")).to.deep.equal(["c7i.large", "m7i.large"]);
      expect(listParameter(form, "Absent")).to.deep.equal([]);
    });

    it("reads a list of key-value members as a record, values decoded, up to the first gap", () => {
      const form = parseForm(
        "Tags.member.1.Key=USER&Tags.member.1.Value=alice" +
          "&Tags.member.2.Key=Note&Tags.member.2.Value=a%26b%3Dc+d",
      );
      expect(memberMap(form, "Tags", ["Key", "Value"])).to.deep.equal({
        USER: "alice",
        Note: "a&b=c d",
      });
      expect(memberMap(form, "Parameters", ["ParameterKey", "ParameterValue"])).to.deep.equal({});
      const ec2 = parseForm("Tag.1.Key=Name&Tag.1.Value=compute-1&Tag.3.Key=Lost&Tag.3.Value=x");
      expect(memberMap(ec2, "Tag", ["Key", "Value"])).to.deep.equal({ Name: "compute-1" });
    });
  });

  describe("envelopes", () => {
    it("wraps a result in <ActionResponse><ActionResult> with response metadata", () => {
      expect(withoutIds(queryResponse("DeleteStack", "", { namespace: "urn:ns" }))).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?><DeleteStackResponse xmlns="urn:ns">' +
          "<DeleteStackResult></DeleteStackResult>" +
          "<ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></DeleteStackResponse>",
      );
    });

    it("answers EC2 without a Result element, the request id first", () => {
      const xml = queryResponse("DescribeVolumes", "<volumeSet/>", {
        namespace: "urn:ec2",
        dialect: "ec2",
      });
      expect(withoutIds(xml)).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?><DescribeVolumesResponse xmlns="urn:ec2">' +
          "<requestId>ID</requestId><volumeSet/></DescribeVolumesResponse>",
      );
    });

    it("writes an error as <ErrorResponse>, its message escaped", () => {
      const error = new QueryError("ValidationError", `Stack ${AWKWARD} does not exist`);
      expect(error.status).to.equal(400);
      expect(withoutIds(queryErrorResponse(error))).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type>' +
          "<Code>ValidationError</Code>" +
          "<Message>Stack a&amp;b&lt;c&gt;d&quot;e&apos;f does not exist</Message>" +
          "</Error><RequestId>ID</RequestId></ErrorResponse>",
      );
    });

    it("writes EC2's errors as <Response><Errors>", () => {
      const error = new QueryError("RequestLimitExceeded", "Request limit exceeded.", 503);
      expect(withoutIds(queryErrorResponse(error, "ec2"))).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>' +
          "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>" +
          "</Error></Errors><RequestID>ID</RequestID></Response>",
      );
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
        void bodyOf(request).then((body) => {
          received = parseForm(body);
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
        body: queryResponse(
          "DescribeStacks",
          `<Stacks>${members([tag("StackName", AWKWARD) + tag("StackStatus", "CREATE_COMPLETE")])}</Stacks>`,
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
        body: queryErrorResponse(new QueryError("ValidationError", `No stack ${AWKWARD}`)),
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
