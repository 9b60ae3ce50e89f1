import * as t from "io-ts";
import { ClusterConfigCodec } from "../../functions/shared/cluster-config.js";
import {
  CLUSTER_CONFIG_FIELDS,
  type ClusterConfigField,
} from "../../functions/shared/config-fields.js";
import {
  ParameterDefaultsCodec,
  UserParameterDefaultsCodec,
} from "../../functions/shared/deployment-policy.js";

/*
 * The `defaults` of the settings, the deployment's and each user's, decoded
 * the way a cluster config is: a default stands in for a value the user
 * leaves out, so it must be a value the user could have written. The cluster
 * settings among them go through the `.cf-create` codec itself
 * (`"ComputeSpotPrice": "abc"` is refused, `0.10` becomes `"0.10"`); any
 * other key must name a parameter of the cluster template, which only
 * template-checks.ts can see.
 */

const configFields: ReadonlySet<string> = new Set(CLUSTER_CONFIG_FIELDS);

/** The settings path of a context, as readable-errors.ts names fields. */
function pathOf(c: t.Context): string {
  return c
    .map((entry) => entry.key)
    .filter((key) => key !== "" && !/^\d+$/.test(key))
    .join(".");
}

/**
 * `base` (which refuses the parameters FlightDeck sets itself), then its
 * cluster settings decoded with {@link ClusterConfigCodec}. A sentence that
 * names no field (the node-count rule) is prefixed with where it is.
 */
function decodedAsConfig(
  base: t.Type<Record<string, string>, Record<string, string>, unknown>,
): t.Type<Record<string, string>, Record<string, string>, unknown> {
  return new t.Type<Record<string, string>, Record<string, string>, unknown>(
    base.name,
    (u): u is Record<string, string> => base.is(u),
    (u, c) => {
      const decoded = base.validate(u, c);
      if (decoded._tag === "Left") return decoded;
      // The values as written (`false`, not the "false" the base made of it), as a config has them.
      const written = u as Record<string, unknown>;
      const fields = Object.keys(decoded.right)
        .filter((key) => configFields.has(key))
        .map((key) => [key, written[key]]);
      const config = ClusterConfigCodec.validate(Object.fromEntries(fields), c);
      if (config._tag === "Left") {
        const where = pathOf(c);
        return t.failures(
          config.left.map((error) =>
            error.message === undefined || error.message.startsWith("must ")
              ? error
              : { ...error, message: `${where === "" ? "" : `${where}: `}${error.message}` },
          ),
        );
      }
      const normalised: Record<string, string> = { ...decoded.right };
      for (const [key, value] of Object.entries(config.right)) {
        if (value !== undefined) normalised[key as ClusterConfigField] = value;
      }
      return t.success(normalised);
    },
    (a) => a,
  );
}

/** The deployment's `defaults`: parameter values every cluster starts from. */
export const DeploymentDefaultsCodec = decodedAsConfig(ParameterDefaultsCodec);

/** A user's own `defaults`, on top of the deployment's. */
export const UserDefaultsCodec = decodedAsConfig(UserParameterDefaultsCodec);
