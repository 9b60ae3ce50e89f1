import { expect } from "chai";
import { parseClusterConfig } from "../../../functions/shared/cluster-config.js";
import { leftOf, rightOf } from "../../support/either.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const nested = (depth: number, open = "[", close = "]", inner = "") =>
  `{"ComputeMaxNodes": ${open.repeat(depth)}${inner}${close.repeat(depth)}}`;

/*
 * Findings 7 (deep nesting) and the duplicate-key class of the hostile
 * suite: what JSON.parse lets through or falls over on.
 */
describe("cluster config text: duplicate keys and nesting", () => {
  it("refuses a key given twice, naming it, rather than letting the last one win", () => {
    expect(
      leftOf(parseClusterConfig(bytes('{"ComputeMaxNodes": 1, "ComputeMaxNodes": 999}'))),
    ).to.deep.equal(['The config gives "ComputeMaxNodes" more than once; give each setting once.']);
  });

  it("finds a repeated key however it is spelt in JSON escapes", () => {
    expect(
      leftOf(parseClusterConfig(bytes('{"ComputeMaxNodes": 1, "Compute\\u004daxNodes": 999}')))[0],
    ).to.match(/"ComputeMaxNodes" more than once/);
  });

  it("refuses repeated keys in nested objects too, saying where", () => {
    expect(
      leftOf(parseClusterConfig(bytes('{"ComputeMaxNodes": {"a": 1, "b": {"x": 1, "x": 2}}}'))),
    ).to.deep.equal([
      'The config gives "x" more than once (in ComputeMaxNodes.b); give each setting once.',
    ]);
  });

  it("does not mistake keys inside strings, or equal keys in different objects, for repeats", () => {
    rightOf(
      parseClusterConfig(bytes('{"ComputeSpotPrice": "0.10", "AutoscalingPolicy": "enabled"}')),
    );
    expect(
      leftOf(parseClusterConfig(bytes('{"ComputeMaxNodes": [{"a": 1}, {"a": 2}]}'))),
    ).not.to.match(/more than once/);
  });

  for (const [what, open, close, inner] of [
    ["arrays", "[", "]", ""],
    ["objects", '{"a":', "}", "1"],
  ] as const) {
    it(`refuses ${what} nested 5,000 deep with a sentence, not a stack overflow`, () => {
      const text = nested(5000, open, close);
      expect(leftOf(parseClusterConfig(bytes(text.slice(0, 16 * 1024))))).to.be.an("array");
      const within = nested(
        Math.floor((16 * 1024 - 40) / (open.length + close.length)),
        open,
        close,
        inner,
      );
      expect(leftOf(parseClusterConfig(bytes(within)))).to.deep.equal([
        "The config nests values too deeply; a cluster config is one flat object of settings.",
      ]);
    });
  }

  it("still explains a shallow nested value in the field's words", () => {
    expect(leftOf(parseClusterConfig(bytes('{"ComputeMaxNodes": [[1]]}')))[0]).to.match(
      /^ComputeMaxNodes must be a whole number/,
    );
  });
});
