import type { PlanJson } from "./terraform-plan.js";

/*
 * A deploy never destroys a user's home by accident. Each home is a
 * Terraform resource with `prevent_destroy`, which holds while its user is
 * in the settings; but once a user's entry is deleted outright, so is the
 * resource's block, and Terraform would destroy the file system with it.
 * So every plan is read before it is applied: a home it would destroy or
 * replace stops the deploy, unless the settings name its user in
 * `homes.deletable`, the deliberate step.
 */

const HOME_TYPE = "aws_efs_file_system";

/** Whose home a planned change is about: its `USER` tag, as the state holds it. */
function ownerOf(before: unknown): string | undefined {
  const tags = (before as { tags?: Record<string, string> } | null)?.tags;
  return tags?.["USER"];
}

/**
 * Why the plan may not be applied: one sentence per home it would destroy
 * (or replace, which destroys it first) whose user the settings do not name
 * in `homes.deletable`. Empty when the plan keeps every home.
 */
export function homeGuardProblems(plan: PlanJson, deletable: readonly string[]): string[] {
  return (plan.resource_changes ?? [])
    .filter((change) => change.type === HOME_TYPE && change.change.actions.includes("delete"))
    .flatMap((change) => {
      const owner = ownerOf(change.change.before);
      if (owner !== undefined && deletable.includes(owner)) return [];
      const who = owner === undefined ? `the home at ${change.address}` : `${owner}'s home`;
      const how = change.change.actions.includes("create") ? "replace" : "destroy";
      return [
        `This plan would ${how} ${who} (${change.address}), and every file in it. ` +
          `To keep it, put the user back in "users" (add "retired": true if they may no longer create clusters). ` +
          `To delete it on purpose, add ${JSON.stringify(owner ?? "<user id>")} to "homes.deletable" in the settings and deploy again.`,
      ];
    });
}
