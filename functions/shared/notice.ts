import type { ClusterName, UserId } from "./identifiers.js";
import type { Outcome } from "./result-files.js";

/** An email about a cluster's outcome. */
export interface Notice {
  readonly subject: string;
  readonly text: string;
}

/**
 * The email sent after an outcome, to the admin and to the user when the
 * deployment knows their address. It says what the result file says.
 */
export function noticeFor(
  user: UserId,
  cluster: ClusterName,
  stackName: string,
  outcome: Outcome,
): Notice {
  const who = `${user}/${cluster}`;
  switch (outcome.kind) {
    case "created":
      return {
        subject: `[FlightDeck] ${who} is ready at ${outcome.loginIp}`,
        text: `Cluster "${cluster}" of user ${user} is ready.\nLogin: ssh ${outcome.login}@${outcome.loginIp}\nStack: ${stackName}\n`,
      };
    case "deleted":
      return {
        subject: `[FlightDeck] ${who} has been deleted`,
        text: `Cluster "${cluster}" of user ${user} has been deleted.\nStack: ${stackName}\n`,
      };
    case "failed":
      return {
        subject: `[FlightDeck] ${who} could not be ${outcome.action === "create" ? "created" : "deleted"}`,
        text: [
          `Cluster "${cluster}" of user ${user} could not be ${outcome.action === "create" ? "created" : "deleted"}:`,
          ...outcome.reasons.map((reason) => `  - ${reason}`),
          `Stack: ${stackName}`,
          "",
        ].join("\n"),
      };
  }
}
