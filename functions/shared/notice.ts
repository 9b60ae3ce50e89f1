import type { ClusterName, UserId } from "./identifiers.js";
import type { Outcome } from "./result-files.js";

/** An email about a cluster's outcome. */
export interface Notice {
  readonly subject: string;
  readonly text: string;
}

const pastTense = { create: "created", delete: "deleted", extend: "extended" } as const;

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
        text: `Cluster "${cluster}" of user ${user} has been deleted${outcome.why === undefined ? "" : `: ${outcome.why}`}.\nStack: ${stackName}\n`,
      };
    case "failed":
      return {
        subject: `[FlightDeck] ${who} could not be ${pastTense[outcome.action]}`,
        text: [
          `Cluster "${cluster}" of user ${user} could not be ${pastTense[outcome.action]}:`,
          ...outcome.reasons.map((reason) => `  - ${reason}`),
          `Stack: ${stackName}`,
          "",
        ].join("\n"),
      };
  }
}

/** The warning emailed about an hour before a cluster reaches its maximum lifetime. */
export function expiryNotice(user: UserId, cluster: ClusterName, expiresAt: string): Notice {
  return {
    subject: `[FlightDeck] ${user}/${cluster} will be deleted at ${expiresAt}`,
    text: `Cluster "${cluster}" of user ${user} reaches its maximum lifetime at ${expiresAt} and will then be deleted.\nThe user's home is kept; anything elsewhere on the cluster goes with it. To ask for more time: flightdeck extend ${cluster}\n`,
  };
}
