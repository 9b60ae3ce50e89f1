import { expect } from "chai";
import fc from "fast-check";
import { cidrsOverlap, networkFrom, splitCidr } from "../../../stacks/settings/network-settings.js";
import {
  decodedSettings,
  MINIMAL_SETTINGS,
  settingsProblems,
} from "../../support/settings-decoding.js";

/* The deployment's network in the settings (stacks/settings/network-settings.ts). */

const withNetwork = (network: unknown) => ({ ...MINIMAL_SETTINGS, network });

describe("the network setting", () => {
  it("builds 10.0.0.0/16 over two zones of the region by default", () => {
    expect(decodedSettings(MINIMAL_SETTINGS).network).to.deep.equal({
      kind: "created",
      cidr: "10.0.0.0/16",
      subnets: [
        { zone: "eu-west-2a", cidr: "10.0.0.0/17" },
        { zone: "eu-west-2b", cidr: "10.0.128.0/17" },
      ],
    });
  });

  it("takes a block and a zone count, or the zones by name", () => {
    expect(decodedSettings(withNetwork({ cidr: "10.8.0.0/20", zones: 3 })).network).to.deep.equal({
      kind: "created",
      cidr: "10.8.0.0/20",
      subnets: [
        { zone: "eu-west-2a", cidr: "10.8.0.0/22" },
        { zone: "eu-west-2b", cidr: "10.8.4.0/22" },
        { zone: "eu-west-2c", cidr: "10.8.8.0/22" },
      ],
    });
    const named = decodedSettings(withNetwork({ zones: ["eu-west-2c", "eu-west-2a"] })).network;
    expect(named.subnets.map((s) => s.zone)).to.deep.equal(["eu-west-2c", "eu-west-2a"]);
  });

  it("takes an existing VPC and its subnets, one per zone", () => {
    const network = {
      vpcId: "vpc-0123456789abcdef0",
      subnets: [
        { id: "subnet-0aaaaaaaaaaaaaaaa", zone: "eu-west-2a" },
        { id: "subnet-0bbbbbbbbbbbbbbbb", zone: "eu-west-2b" },
      ],
    };
    expect(decodedSettings(withNetwork(network)).network).to.deep.equal({
      kind: "existing",
      ...network,
    });
  });

  it("refuses what cannot be built or used, saying why", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ cidr: "10.0.0.0/8" }, /from \/16 .* to \/22/],
      [{ cidr: "10.0.0.0/24" }, /from \/16 .* to \/22/],
      [{ zones: 1 }, /whole number from 2 to 6/],
      [{ zones: 7 }, /whole number from 2 to 6/],
      [{ zones: ["eu-west-2a"] }, /at least two Availability Zones/],
      [{ zones: ["eu-west-2a", "eu-west-2a"] }, /eu-west-2a is named more than once/],
      [
        { zones: ["us-east-1a", "eu-west-2b"] },
        /us-east-1a is not an Availability Zone of eu-west-2/,
      ],
      [{ cidr: "10.0.0.0/16", zone: 2 }, /"zone" is not a known setting here/],
      [{ vpcId: "vpc-1", subnets: [] }, /a VPC id/],
      [{ vpcId: "vpc-0123456789abcdef0", subnets: [] }, /at least one subnet/],
      [
        {
          vpcId: "vpc-0123456789abcdef0",
          subnets: [
            { id: "subnet-0aaaaaaaaaaaaaaaa", zone: "eu-west-2a" },
            { id: "subnet-0bbbbbbbbbbbbbbbb", zone: "eu-west-2a" },
          ],
        },
        /name one subnet per Availability Zone/,
      ],
    ];
    for (const [network, why] of cases) {
      const found = settingsProblems(withNetwork(network));
      expect(found.join("\n"), JSON.stringify(network)).to.match(why);
    }
  });

  it("splits a block into equal subnets that never overlap and stay inside it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 16, max: 22 }),
        fc.integer({ min: 2, max: 6 }),
        (octet, prefix, count) => {
          const block = `10.${octet}.0.0/${prefix}`;
          const subnets = splitCidr(block, count);
          expect(subnets).to.have.length(count);
          for (const [i, subnet] of subnets.entries()) {
            expect(cidrsOverlap(subnet, block), subnet).to.equal(true);
            for (const other of subnets.slice(i + 1)) {
              expect(cidrsOverlap(subnet, other), `${subnet} ${other}`).to.equal(false);
            }
          }
        },
      ),
    );
    expect(networkFrom("eu-west-2", { cidr: "10.1.2.3/16" }).subnets[0]?.cidr).to.equal(
      "10.1.0.0/17",
    );
  });
});
