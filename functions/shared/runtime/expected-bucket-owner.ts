import type { S3Client } from "@aws-sdk/client-s3";

/*
 * One S3 safeguard the handlers and the CLI share. This module imports no
 * SDK code (only a type), so the CLI can use it without bundling a client.
 */

/**
 * Has every request of `client` name `account` as the bucket's expected
 * owner, so S3 refuses it (403) when a bucket of that name belongs to
 * anyone else: a deleted bucket whose name another account registered can
 * then never serve a template, a policy or a user's file.
 */
export function expectBucketOwner(client: S3Client, account: string): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ExpectedBucketOwner?: string };
      input.ExpectedBucketOwner ??= account;
      return next(args);
    },
    { step: "initialize", name: "flightdeckExpectedBucketOwner" },
  );
}
