import type { Settings } from "../stacks/settings/settings-shape.js";

/*
 * What `npm run plan` warns an admin about: settings that deploy fine but
 * leave someone uninformed. Warnings, not refusals: a deployment may start
 * without email and have it added later.
 */

/** One sentence per setting the admin may have left out by mistake; none when all is set. */
export function planWarnings(settings: Settings): string[] {
  const warnings: string[] = [];
  if (settings.alarmEmail === undefined) {
    warnings.push(
      "The deployment's alarms email nobody: the dead-letter alarm (a request the functions could not handle), " +
        "each user's flood alarm (refused requests) and each home's storage alarm go to an SNS topic with no subscriber. " +
        'Set "alarmEmail", or "notifications.adminEmail", to the address that should hear of them.',
    );
  }
  if (settings.notifications === undefined) {
    warnings.push(
      "Notifications are off: nobody is emailed when a cluster is ready, fails, is about to expire or is deleted; " +
        "users learn of it only from the result files in their folder. " +
        'To switch them on, set "notifications": {"senderEmail": "<an address SES has verified>"} ' +
        '(and "adminEmail" to hear of failures yourself), and each user\'s "email".',
    );
  }
  return warnings;
}

/** Where `terraform output` works after a deploy: the synthesized stack's folder, where terraform was initialized. */
export function outputsHint(stackDir: string): string {
  return `After npm run deploy, run terraform output from ${stackDir} (cd ${stackDir} && terraform output): the deployment's buckets, policy, group and functions. It works only there, where terraform was initialized with the deployment's state.`;
}
