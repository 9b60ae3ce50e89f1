import { expect } from "chai";
import {
  describeStackInstances,
  describeVolumeSizes,
  spotPriceHistory,
  transitionTime,
} from "../../../../functions/shared/runtime/ec2-records.js";
import { fetchPriceBook } from "../../../../functions/shared/runtime/price-refresh.js";
import type { AwsAccess } from "../../../../functions/shared/runtime/signed-call.js";
import { FakeEc2Pricing } from "../../../support/fake-ec2-pricing.js";
import { pricingFixture } from "../../../support/money-fakes.js";

/*
 * Money's calls to EC2 (Query API, XML) and the Price List API (JSON 1.1),
 * signed with SigV4 and sent over loopback to a fake speaking each wire
 * protocol, through the same endpoint variables the SDK honours. The Price
 * List answers are a hand-built fixture in the shape AWS documents.
 */

const fixture = pricingFixture();

describe("money's calls to EC2 and the Price List (loopback, real protocols)", () => {
  const fake = new FakeEc2Pricing();
  let access: AwsAccess;
  const stackA = "arn:aws:cloudformation:eu-west-2:111122223333:stack/fd-alice-a/1";
  const stackB = "arn:aws:cloudformation:eu-west-2:111122223333:stack/fd-bob-b/2";

  before(async () => {
    const url = await fake.start();
    access = {
      region: "eu-west-2",
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      env: { AWS_ENDPOINT_URL_EC2: url, AWS_ENDPOINT_URL_PRICING: url },
    };
    const tags = (stackId: string) => ({ "aws:cloudformation:stack-id": stackId, USER: "alice" });
    fake.instances.push(
      {
        id: "i-1",
        type: "r4.large",
        zone: "eu-west-2a",
        launchTime: "2026-12-06T10:00:00.000Z",
        state: "running",
        tags: tags(stackA),
        volumes: ["vol-1"],
      },
      {
        id: "i-2",
        type: "c7i.large",
        zone: "eu-west-2b",
        launchTime: "2026-12-06T10:05:00.000Z",
        state: "terminated",
        spot: true,
        reason: "Service initiated (2026-12-06 11:30:00 GMT)",
        tags: tags(stackA),
        volumes: [],
      },
      {
        id: "i-3",
        type: "c7i.large",
        zone: "eu-west-2a",
        launchTime: "2026-12-06T10:06:00.000Z",
        state: "running",
        spot: true,
        tags: tags(stackB),
        volumes: ["vol-3a", "vol-3b"],
      },
      {
        id: "i-4",
        type: "m7i.large",
        zone: "eu-west-2a",
        launchTime: "2026-12-06T10:06:00.000Z",
        state: "running",
        tags: tags("arn:other"),
        volumes: [],
      },
    );
    fake.volumes.set("vol-1", 30).set("vol-3a", 16).set("vol-3b", 100);
    fake.spot.push(
      {
        type: "c7i.large",
        zone: "eu-west-2a",
        price: "0.035000",
        time: "2026-12-06T08:00:00.000Z",
      },
      {
        type: "c7i.large",
        zone: "eu-west-2a",
        price: "0.041000",
        time: "2026-12-06T11:00:00.000Z",
      },
      {
        type: "c7i.large",
        zone: "eu-west-2b",
        price: "0.038000",
        time: "2026-12-06T09:00:00.000Z",
      },
    );
    fake.productPages = (json) => {
      const filters = json["Filters"] as Array<{ Field: string; Value: string }>;
      return filters.some((f) => f.Field === "volumeApiName")
        ? fixture.storagePages
        : fixture.instancePages;
    };
  });
  after(() => fake.stop());
  beforeEach(() => (fake.seen.length = 0));

  it("finds every instance of the stacks by their stack-id tag, page after page, with market, zone and end", async () => {
    const found = await describeStackInstances(access, [stackA, stackB]);
    expect(
      found.map((f) => [f.stackId, f.instance.id, f.instance.market, f.instance.state]),
    ).to.deep.equal([
      [stackA, "i-1", "on-demand", "running"],
      [stackA, "i-2", "spot", "terminated"],
      [stackB, "i-3", "spot", "running"],
    ]);
    expect(found[1]?.instance.endedAt).to.equal(Date.UTC(2026, 11, 6, 11, 30));
    expect(found[0]?.instance.launchedAt).to.equal(Date.UTC(2026, 11, 6, 10));
    expect(found[2]?.volumeIds).to.deep.equal(["vol-3a", "vol-3b"]);
    expect(fake.seen.map((s) => s.action)).to.deep.equal([
      "DescribeInstances",
      "DescribeInstances",
    ]);
    const first = fake.seen[0]!;
    expect(first.params?.get("Filter.1.Name")).to.equal("tag:aws:cloudformation:stack-id");
    expect(first.authorization).to.match(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-2\/ec2\/aws4_request, /,
    );
  });

  it("names the EC2 API version in every Query call, as EC2 requires", async () => {
    await describeVolumeSizes(access, ["vol-1"]);
    await describeStackInstances(access, [stackA]);
    const ec2 = fake.seen.filter((request) => request.service === "ec2");
    expect(ec2).to.have.length.of.at.least(2);
    for (const request of ec2) expect(request.params?.get("Version")).to.equal("2016-11-15");
  });

  it("sizes volumes that still exist, and leaves out the ones that are gone", async () => {
    const sizes = await describeVolumeSizes(access, ["vol-1", "vol-3b", "vol-gone"]);
    expect([...sizes]).to.deep.equal([
      ["vol-1", 30],
      ["vol-3b", 100],
    ]);
  });

  it("reads the spot price history for the types and zones asked", async () => {
    const quotes = await spotPriceHistory(access, {
      types: ["c7i.large"],
      zones: ["eu-west-2a"],
      start: Date.UTC(2026, 11, 6, 10),
      end: Date.UTC(2026, 11, 6, 12),
    });
    expect(quotes.map((q) => [q.zone, q.usd, new Date(q.at).toISOString()])).to.deep.equal([
      ["eu-west-2a", 0.035, "2026-12-06T08:00:00.000Z"],
      ["eu-west-2a", 0.041, "2026-12-06T11:00:00.000Z"],
    ]);
    const params = fake.seen[0]?.params;
    expect(params?.get("ProductDescription.1")).to.equal("Linux/UNIX");
    expect(params?.get("StartTime")).to.equal("2026-12-06T10:00:00.000Z");
  });

  it("retries a throttled call, as the SDK would", async () => {
    fake.throttleNext = 1;
    const sizes = await describeVolumeSizes(access, ["vol-1"]);
    expect(sizes.get("vol-1")).to.equal(30);
    expect(fake.seen).to.have.length(2);
  });

  it("builds the price book from the Price List (every page) and the spot prices now", async () => {
    const book = await fetchPriceBook(access, "us-east-1", Date.UTC(2026, 11, 6, 12));
    expect(book).to.deep.equal({
      flightdeck: "prices",
      region: "eu-west-2",
      fetchedAt: "2026-12-06T12:00:00Z",
      onDemand: { "r4.large": 0.156, "c7i.large": 0.0993, "m7i.large": 0.1088 },
      spot: { "c7i.large": { "eu-west-2a": 0.041, "eu-west-2b": 0.038 } },
      gp3PerGiBMonth: 0.0928,
    });
    const asked = fake.seen.filter((s) => s.service === "pricing");
    expect(asked.map((s) => s.action)).to.include("AWSPriceListService.GetProducts");
    expect(asked[0]?.authorization).to.match(/\/us-east-1\/pricing\/aws4_request, /);
    const filters = asked.find((s) => !JSON.stringify(s.json).includes("volumeApiName"))?.json?.[
      "Filters"
    ];
    expect(filters).to.deep.include({
      Type: "TERM_MATCH",
      Field: "regionCode",
      Value: "eu-west-2",
    });
    expect(filters).to.deep.include({
      Type: "TERM_MATCH",
      Field: "operatingSystem",
      Value: "Linux",
    });
  });

  it("reads EC2's state-transition time, and nothing from a reason without one", () => {
    expect(transitionTime("User initiated (2026-12-06 10:00:00 GMT)")).to.equal(
      Date.UTC(2026, 11, 6, 10),
    );
    expect(transitionTime("")).to.equal(undefined);
  });
});
