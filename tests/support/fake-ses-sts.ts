import { randomUUID } from "node:crypto";
import { listParameter, tag } from "./query-protocol.js";

/*
 * The calls of other services that the fake CloudFormation's server answers
 * too, on the same Query protocol and endpoint: SES's SendEmail (the message
 * it carries, and the answer's message id) and STS's GetCallerIdentity (who
 * the caller is). What the fake keeps of them, and when SES is down, is
 * fake-cloudformation.ts's.
 */

export interface SentEmail {
  source: string;
  to: string[];
  subject: string;
  text: string;
}

/** The message a SendEmail call carries. */
export const sentEmailOf = (params: URLSearchParams): SentEmail => ({
  source: params.get("Source") ?? "",
  to: listParameter(params, "Destination.ToAddresses"),
  subject: params.get("Message.Subject.Data") ?? "",
  text: params.get("Message.Body.Text.Data") ?? "",
});

/** SendEmail's result: the new message's id. */
export const sendEmailResult = () => tag("MessageId", randomUUID());

/** GetCallerIdentity's result, for the caller `arn` in the tests' account. */
export const callerIdentityResult = (arn: string) =>
  tag("Arn", arn) + tag("UserId", "AIDAEXAMPLEFAKEUSER") + tag("Account", "111122223333");
