import { expect } from "chai";
import fc from "fast-check";
import {
  createTokenFor,
  deletePurposeOf,
  deleteTokenFor,
} from "../../../functions/shared/request-tokens.js";
import type { StackName } from "../../../functions/shared/stack-name.js";

const TOKEN = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const stack = "fd-alice-c1" as StackName;
const stackId = "arn:aws:cloudformation:eu-west-2:123456789012:stack/fd-alice-c1/abc";

describe("client request tokens", () => {
  it("are deterministic for the same request and differ between requests", () => {
    expect(createTokenFor(stack, "v1")).to.equal(createTokenFor(stack, "v1"));
    expect(createTokenFor(stack, "v1")).not.to.equal(createTokenFor(stack, "v2"));
    expect(createTokenFor(stack, "v1")).not.to.equal(
      createTokenFor("fd-bob-c1" as StackName, "v1"),
    );
  });

  it("always fit CloudFormation's token pattern", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, id) => {
        expect(createTokenFor(name as StackName, id)).to.match(TOKEN);
        expect(deleteTokenFor(id, "cleanup")).to.match(TOKEN);
      }),
    );
  });

  it("tell one user's delete of a stack from the next, and from the same stack's other purposes", () => {
    expect(deleteTokenFor(stackId, "delete", "v1")).to.equal(
      deleteTokenFor(stackId, "delete", "v1"),
    );
    expect(deleteTokenFor(stackId, "delete", "v1")).not.to.equal(
      deleteTokenFor(stackId, "delete", "v2"),
    );
    expect(deleteTokenFor(stackId, "delete", "v1")).not.to.equal(deleteTokenFor(stackId, "delete"));
    expect(deleteTokenFor(stackId, "delete")).to.match(/^fd-delete-[0-9a-f]{48}$/);
  });

  it("record why a stack was deleted", () => {
    expect(deletePurposeOf(deleteTokenFor(stackId, "delete"))).to.equal("delete");
    expect(deletePurposeOf(deleteTokenFor(stackId, "cleanup"))).to.equal("cleanup");
    expect(deleteTokenFor(stackId, "delete")).not.to.equal(deleteTokenFor(stackId, "cleanup"));
    expect(deletePurposeOf("Console-DeleteStack-7f59c3cf")).to.equal(undefined);
    // Only a whole FlightDeck token: nothing before it, nothing after.
    const token = deleteTokenFor(stackId, "expire");
    expect(deletePurposeOf(token)).to.equal("expire");
    expect(deletePurposeOf(`x${token}`)).to.equal(undefined);
    expect(deletePurposeOf(`${token}0`)).to.equal(undefined);
    expect(deletePurposeOf(undefined)).to.equal(undefined);
  });
});
