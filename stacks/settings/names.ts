import type { Settings } from "./settings-shape.js";

/** The name of every AWS resource FlightDeck creates, derived from the deployment name. */
export interface DeploymentNames {
  readonly userBucket: string;
  readonly customizerBucket: string;
  readonly userGroup: string;
  readonly userPolicy: string;
  readonly createFunction: string;
  readonly deleteFunction: string;
  readonly serviceRole: string;
  readonly deadLetterQueue: string;
  readonly createUploads: string;
  readonly deleteUploads: string;
  readonly createdRule: string;
  readonly deletedRule: string;
  readonly sweepSchedule: string;
  readonly registryTable: string;
  readonly alarmTopic: string;
  readonly deadLetterAlarm: string;
  readonly nodeBoundary: string;
}

/**
 * Derives resource names from the settings. Bucket names are global, so they
 * carry the region and, when known, the account id; an admin whose derived
 * user-bucket name is taken can set `userBucketName`.
 */
export function namesFor(
  settings: Pick<Settings, "name" | "region" | "accountId" | "userBucketName" | "customizer">,
): DeploymentNames {
  const { name, region, accountId } = settings;
  const scope = accountId === undefined ? region : `${accountId}-${region}`;
  return {
    userBucket: settings.userBucketName ?? `${name}-users-${scope}`,
    customizerBucket: settings.customizer.existingBucket ?? `${name}-customizer-${scope}`,
    userGroup: `${name}-users`,
    userPolicy: `${name}-user-access`,
    createFunction: `${name}-cf-create`,
    deleteFunction: `${name}-cf-delete`,
    serviceRole: `${name}-cloudformation`,
    deadLetterQueue: `${name}-handler-failures`,
    createUploads: `${name}-create-uploads`,
    deleteUploads: `${name}-delete-uploads`,
    createdRule: `${name}-stack-create-outcome`,
    deletedRule: `${name}-stack-delete-outcome`,
    sweepSchedule: `${name}-lifetime-sweep`,
    registryTable: `${name}-clusters`,
    alarmTopic: `${name}-alarms`,
    deadLetterAlarm: `${name}-handler-failures-waiting`,
    nodeBoundary: `${name}-node-boundary`,
  };
}
