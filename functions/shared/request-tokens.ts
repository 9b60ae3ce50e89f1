import { createHash } from "node:crypto";
import type { StackName } from "./stack-name.js";

/*
 * CloudFormation ClientRequestTokens: `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 128
 * characters. Each is a hash of what makes the request unique, so a retried
 * or duplicated event sends the same token and CloudFormation does the work
 * once.
 */

const digest = (...parts: string[]) =>
  createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 48);

/**
 * The token for creating `stackName` in answer to one trigger file.
 * `requestId` tells one upload from the next (the S3 object's version id or
 * event sequencer), so re-creating a deleted cluster later is a new request.
 */
export function createTokenFor(stackName: StackName, requestId: string): string {
  return `fd-create-${digest(stackName, requestId)}`;
}

/**
 * Why FlightDeck deletes a stack. A user's `.cf-delete` ends in `.cf-deleted`;
 * a cleanup after a failed create must not, so the delete handler reads the
 * purpose back from the token on the stack's `DELETE_COMPLETE` event. An
 * `expire` (the lifetime sweep) and an `idle` (the master's own `.cf-delete`)
 * end in a `.cf-deleted` that says why.
 */
export type DeletePurpose = "delete" | "cleanup" | "expire" | "idle";

/**
 * The token for deleting one stack (by its unique stack id) for one purpose.
 * A user's delete also names the upload it answers (`requestId`): a retried
 * or duplicated event sends the same token, so CloudFormation deletes once,
 * while a new `.cf-delete` after a DELETE_FAILED sends a new one, which
 * CloudFormation must act on (it takes a token it has seen for a retry of a
 * request that already ran, and does nothing).
 */
export function deleteTokenFor(
  stackId: string,
  purpose: DeletePurpose,
  requestId?: string,
): string {
  return `fd-${purpose}-${requestId === undefined ? digest(stackId) : digest(stackId, requestId)}`;
}

/** The purpose recorded in a FlightDeck delete token, or `undefined` for any other token. */
export function deletePurposeOf(token: string | undefined): DeletePurpose | undefined {
  const match = /^fd-(delete|cleanup|expire|idle)-[0-9a-f]{48}$/.exec(token ?? "");
  return match?.[1] as DeletePurpose | undefined;
}
