/*
 * What FlightDeck expects of a cluster template, named once for the template
 * generator (template/), the infrastructure (stacks/) and the handlers.
 */

/**
 * The stack output holding the login node's address, which `.cf-created`
 * reports. A template without it falls back to its first instance's public IP.
 */
export const LOGIN_IP_OUTPUT = "LoginIp";

/**
 * The IAM path of every role and instance profile a cluster template creates:
 * the deployment's CloudFormation service role may create IAM resources under
 * this path only.
 */
export const NODE_IAM_PATH = "/flightdeck/";

/**
 * The template parameter FlightDeck sets to the deployment's permissions
 * boundary: every role the template creates must carry it
 * (`"PermissionsBoundary": {"Ref": "NodePermissionsBoundary"}`), and the
 * service role may create or change a role only with it.
 */
export const NODE_BOUNDARY_PARAMETER = "NodePermissionsBoundary";

/**
 * The instance tag naming a compute instance's Slurm node: the master's node
 * manager sets it (the only tag it may set, under the deployment's permissions
 * boundary too), and the instance reads it from its metadata.
 */
export const NODE_TAG_KEY = "flightdeck-node";

/**
 * The template parameter of a cluster's idle policy: minutes without jobs or
 * logins after which the master deletes its own cluster (`0`: never). The
 * CLI shows it, read from `.cf-created`.
 */
export const IDLE_DELETE_PARAMETER = "IdleDeleteMinutes";
