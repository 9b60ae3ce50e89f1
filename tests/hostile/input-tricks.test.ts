import { expect } from "chai";
import { USER_BUCKET } from "../support/local-aws.js";
import { s3EventKey } from "../support/s3-notifications.js";
import type { S3EventRecord } from "../../functions/shared/s3-event.js";
import { deliverUpload } from "../support/upload-queue.js";
import { hostileCase } from "./support/hostile-cases.js";
import { hostilePolicy, HostileWorld } from "./support/hostile-world.js";

/*
 * What a user can put in a key or a config file: look-alike and case-variant
 * names, encoded and over-long keys, sizes at the limit, broken text, deep
 * nesting, prototype keys and repeated keys. Each case proves the request
 * stays in the caller's home (asUser), creates no stack it should not, and
 * ends in a result file or is ignored and logged.
 */

const SPOT = '{"ComputeSpotPrice": "0.10", "ComputeMaxNodes": 2}';

describe("hostile: keys and configs", function () {
  this.timeout(30_000);
  let world: HostileWorld;
  beforeEach(async () => {
    world = await new HostileWorld().start();
  });
  afterEach(async () => world.stop());

  /**
   * Delivers an S3 event for `key` (as S3 would encode it) through the upload
   * queue, without storing it: for keys s3rver cannot hold.
   */
  const deliver = (key: string, handler = world.aws.createHandler) =>
    deliverUpload(
      handler,
      {
        eventSource: "aws:s3",
        eventName: "ObjectCreated:Put",
        s3: {
          bucket: { name: USER_BUCKET },
          object: { key: s3EventKey(key), size: 2, sequencer: "01" },
        },
      } as S3EventRecord,
      world.aws.context(),
    );

  const refusedWith = async (cluster: string, pattern: RegExp) => {
    expect(world.liveStacks()).to.deep.equal([]);
    expect((await world.failure("alice", cluster)).join(" ")).to.match(pattern);
  };

  // Look-alike and case-variant names.
  hostileCase(
    "look-alike names",
    "a Cyrillic 'а' in the user folder is nobody's home: ignored and logged",
    async () => {
      await world.asUser("\u0430lice", () => world.upload("home/\u0430lice/c1.cf-create", SPOT));
      expect(world.liveStacks()).to.deep.equal([]);
      expect(await world.home("alice")).to.deep.equal({});
      world.expectLogged(/not a trigger in a user's home; ignored/);
    },
  );

  hostileCase(
    "look-alike names",
    "a case variant of a user (Alice) is another IAM user: not provisioned, told in their own home",
    async () => {
      await world.asUser("Alice", () => world.upload("home/Alice/c1.cf-create", SPOT));
      expect(world.liveStacks()).to.deep.equal([]);
      expect(await world.home("alice")).to.deep.equal({});
      expect((await world.failure("Alice", "c1")).join(" ")).to.match(/not provisioned/);
    },
  );

  hostileCase(
    "look-alike names",
    "a Cyrillic 'с' in the cluster name is refused in the user's own home",
    async () => {
      await world.asUser("alice", () => world.upload("home/alice/\u04411.cf-create", SPOT));
      await refusedWith("\u04411", /not a valid cluster name/);
    },
  );

  hostileCase(
    "look-alike names",
    "a case variant of a cluster (C1 beside c1) takes a slot of its own",
    async () => {
      await world.upload("home/alice/c1.cf-create", SPOT);
      await world.upload("home/alice/c2.cf-create", SPOT);
      await world.asUser("alice", () => world.upload("home/alice/C1.cf-create", SPOT));
      expect(world.liveStacks()).to.deep.equal(["fd-alice-c1", "fd-alice-c2"]);
      expect((await world.failure("alice", "C1")).join(" ")).to.match(/limit is 2 clusters/);
    },
  );

  hostileCase(
    "look-alike names",
    "the reserved id default never creates, even with its customizer folder present",
    async () => {
      await world.aws.put(
        "fd-customizer",
        "customizer/default/configure.d/user.sh",
        "#!/bin/bash\n",
      );
      await world.asUser("default", () => world.upload("home/default/c1.cf-create", SPOT));
      expect(world.liveStacks()).to.deep.equal([]);
      expect((await world.failure("default", "c1")).join(" ")).to.match(/not provisioned/);
    },
  );

  // Encoded keys, sub-folders and long keys.
  hostileCase(
    "encoded keys",
    "a literal %2E%2E folder is a sub-folder of the caller's home, refused there",
    async () => {
      await world.asUser("alice", () => world.upload("home/alice/%2E%2E/bob/c1.cf-create", SPOT));
      await refusedWith("c1", /sub-folder/);
      expect(await world.home("bob")).to.have.property("c1.cf-created");
    },
  );

  hostileCase(
    "encoded keys",
    "a double-encoded slash in the user folder is no user's home",
    async () => {
      await world.asUser("alice%252Fbob", () =>
        world.upload("home/alice%252Fbob/c1.cf-create", SPOT),
      );
      expect(world.liveStacks()).to.deep.equal([]);
      world.expectLogged(/not a trigger in a user's home; ignored/);
    },
  );

  hostileCase(
    "encoded keys",
    "a raw ../ in an event key never leaves the caller's home",
    async () => {
      await world.asUser("alice", () => deliver("home/alice/../bob/c1.cf-create"));
      await refusedWith("c1", /contains an empty, '.' or '..' folder/);
    },
  );

  hostileCase(
    "encoded keys",
    "home/../home/bob/… is refused as the folder of no valid user",
    async () => {
      await world.asUser("bob", () => deliver("home/../home/bob/c1.cf-create"));
      expect(world.liveStacks()).to.deep.equal([]);
      world.expectLogged(/not a trigger in a user's home; ignored/);
    },
  );

  hostileCase(
    "encoded keys",
    "a malformed percent escape in an event key is logged, not obeyed",
    async () => {
      await world.asUser("alice", () =>
        deliverUpload(
          world.aws.createHandler,
          {
            eventSource: "aws:s3",
            eventName: "ObjectCreated:Put",
            s3: {
              bucket: { name: USER_BUCKET },
              object: { key: "home/alice/c1%E0%A4%A.cf-create" },
            },
          } as S3EventRecord,
          world.aws.context(),
        ),
      );
      expect(world.liveStacks()).to.deep.equal([]);
      world.expectLogged(/ignored/);
    },
  );

  hostileCase("encoded keys", "a sub-folder upload is refused in the caller's home", async () => {
    await world.asUser("alice", () => world.upload("home/alice/projects/c1.cf-create", SPOT));
    await refusedWith("c1", /sub-folder/);
  });

  hostileCase(
    "encoded keys",
    "a 1,024-byte key of nested folders is refused in the caller's home",
    async () => {
      const prefix = "home/alice/";
      const file = "c1.cf-create";
      const folders = "x/".repeat((1024 - prefix.length - file.length) / 2);
      const key = `${prefix}${folders}${file}`;
      expect(Buffer.byteLength(key)).to.equal(1024 - ((1024 - prefix.length - file.length) % 2));
      await world.asUser("alice", () => world.upload(key, SPOT));
      await refusedWith("c1", /sub-folder/);
    },
  );

  hostileCase(
    "encoded keys",
    "a 1,024-byte key whose cluster name is too long is refused by name",
    async () => {
      const stem = "c".repeat(200);
      const key = `home/alice/${"y/".repeat((1024 - 11 - 210) / 2)}${stem}.cf-create`;
      await world.asUser("alice", () => deliver(key));
      expect(world.liveStacks()).to.deep.equal([]);
      expect(Object.keys(await world.home("alice"))).to.deep.equal([`${stem}.cf-failed`]);
    },
  );

  // Sizes and encodings.
  hostileCase(
    "sizes and encodings",
    "a zero-byte config is all defaults, refused on-demand under a spot limit",
    async () => {
      await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", ""));
      await refusedWith("c1", /allowOnDemand/);
    },
  );

  for (const [what, size, accepted] of [
    ["exactly 16 KiB", 16 * 1024, true],
    ["16 KiB − 1", 16 * 1024 - 1, true],
    ["16 KiB + 1", 16 * 1024 + 1, false],
  ] as const) {
    hostileCase(
      "sizes and encodings",
      `a config of ${what} is ${accepted ? "read" : "refused unread"}`,
      async () => {
        const body = SPOT.padEnd(size, " ");
        expect(Buffer.byteLength(body)).to.equal(size);
        await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", body));
        if (accepted) expect(world.liveStacks()).to.deep.equal(["fd-alice-c1"]);
        else await refusedWith("c1", /16385 bytes; the limit is 16384/);
      },
    );
  }

  hostileCase("sizes and encodings", "invalid UTF-8 is refused in one sentence", async () => {
    await world.asUser("alice", () =>
      world.upload(
        "home/alice/c1.cf-create",
        Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) as unknown as string,
      ),
    );
    await refusedWith("c1", /not UTF-8/);
  });

  hostileCase("sizes and encodings", "a UTF-8 byte-order mark is allowed", async () => {
    await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", `\ufeff${SPOT}`));
    expect(world.liveStacks()).to.deep.equal(["fd-alice-c1"]);
  });

  // Deep nesting and prototype keys at every level.
  for (const [what, config, pattern] of [
    [
      "arrays nested 5,000 deep",
      `{"ComputeMaxNodes": ${"[".repeat(5000)}${"]".repeat(5000)}}`,
      /nests values too deeply/,
    ],
    [
      "objects nested 2,000 deep",
      `{"ComputeMaxNodes": ${'{"a":'.repeat(2000)}1${"}".repeat(2000)}}`,
      /nests values too deeply/,
    ],
    [
      "a top-level __proto__",
      '{"__proto__": {"ComputeMaxNodes": 999}, "ComputeSpotPrice": "0.10"}',
      /"__proto__" is not a cluster setting/,
    ],
    [
      "a top-level constructor",
      '{"constructor": {"prototype": {"x": 1}}, "ComputeSpotPrice": "0.10"}',
      /"constructor" is not a cluster setting/,
    ],
    [
      "a __proto__ inside a value",
      '{"ComputeMaxNodes": {"__proto__": {"valueOf": 1}}, "ComputeSpotPrice": "0.10"}',
      /ComputeMaxNodes must be a whole number/,
    ],
    [
      "a __proto__ nested three deep",
      '{"ComputeMaxNodes": [{"a": {"__proto__": {"polluted": true}}}]}',
      /ComputeMaxNodes must be a whole number/,
    ],
  ] as const) {
    hostileCase("nesting and prototype keys", `${what} is refused with a sentence`, async () => {
      await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", config));
      await refusedWith("c1", pattern);
      expect(({} as Record<string, unknown>)["polluted"]).to.equal(undefined);
    });
  }

  hostileCase(
    "nesting and prototype keys",
    "a user named __proto__ keeps their own limit",
    async () => {
      await world.stop();
      world = await new HostileWorld({
        policy: hostilePolicy({
          users: JSON.parse(
            '{"__proto__": {"limits": {"maxComputeNodes": 1}}, "alice": {}, "bob": {}, "carol": {}}',
          ),
        }),
        provisioned: ["alice", "bob", "carol", "__proto__"],
      }).start();
      await world.asUser("__proto__", () =>
        world.upload(
          "home/__proto__/c1.cf-create",
          '{"ComputeSpotPrice": "0.10", "ComputeMaxNodes": 25}',
        ),
      );
      expect(world.liveStacks()).to.deep.equal([]);
      expect((await world.failure("__proto__", "c1")).join(" ")).to.match(/above your limit of 1/);
    },
  );

  // Duplicate keys.
  for (const [what, config, key] of [
    [
      "a repeated setting",
      '{"ComputeMaxNodes": 2, "ComputeMaxNodes": 999, "ComputeSpotPrice": "0.10"}',
      "ComputeMaxNodes",
    ],
    [
      "a repeat spelt with a JSON escape",
      '{"ComputeSpotPrice": "0.10", "Compute\\u0053potPrice": "0"}',
      "ComputeSpotPrice",
    ],
    [
      "a repeated reserved key",
      '{"AccessUsername": "bob", "AccessUsername": "alice"}',
      "AccessUsername",
    ],
  ] as const) {
    hostileCase("duplicate keys", `${what} is refused naming the key`, async () => {
      await world.asUser("alice", () => world.upload("home/alice/c1.cf-create", config));
      await refusedWith("c1", new RegExp(`"${key}" more than once`));
    });
  }
});
