import { decodeSettings } from "../../stacks/settings/settings.js";
import type { Settings } from "../../stacks/settings/settings-shape.js";

/** A valid SSH public key line for users in test settings. */
export const SSH_KEY =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN9pMV6GMxvmwLjJolLOIuP1k3T9fQKx0iQv2U96FMdl alice@laptop";

/** The fields every settings file must have, and nothing else. */
export const MINIMAL_SETTINGS = {
  name: "flightdeck",
  region: "eu-west-2",
  accessNetwork: "203.0.113.0/24",
} as const;

/** The sentences decoding `json` as settings refuses it with; none when it is valid. */
export function settingsProblems(json: unknown): string[] {
  const decoded = decodeSettings(json);
  return decoded._tag === "Left" ? decoded.left : [];
}

/** `json` decoded as settings; throws with every problem when it is not valid. */
export function decodedSettings(json: unknown): Settings {
  const result = decodeSettings(json);
  if (result._tag === "Left") throw new Error(result.left.join("\n"));
  return result.right;
}
