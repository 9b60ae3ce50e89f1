import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { Fn, TerraformVariable, Token } from "cdktf";
import { Construct } from "constructs";

/** Properties of {@link AwsProviders}. */
export interface AwsProvidersProps {
  readonly region: string;
  /** When set, Terraform refuses to touch any other account. */
  readonly accountId?: string;
  /** Tags every FlightDeck resource carries. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The Terraform variable `npm run plan` sets to plan with no AWS account. */
const OFFLINE_VARIABLE = "offline_plan";

/**
 * The AWS provider for the deployment's region, plus one per other region
 * asked for (SES may live elsewhere). With `-var offline_plan=true` the
 * providers skip every call that needs real credentials, so a plan runs
 * without an AWS account; a real apply leaves the variable at false.
 */
export class AwsProviders extends Construct {
  readonly default: AwsProvider;
  private readonly offline: TerraformVariable;
  private readonly regional = new Map<string, AwsProvider>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: AwsProvidersProps,
  ) {
    super(scope, id);
    this.offline = new TerraformVariable(this, "offline", {
      type: "bool",
      default: false,
      description: "Plan without an AWS account: skip credential and account look-ups.",
    });
    this.offline.overrideLogicalId(OFFLINE_VARIABLE);
    this.default = this.create("default", props.region);
    this.regional.set(props.region, this.default);
  }

  /** The provider for `region`: the default one, or an aliased one made once. */
  forRegion(region: string): AwsProvider {
    const existing = this.regional.get(region);
    if (existing !== undefined) return existing;
    const provider = this.create(region, region, region.replace(/-/g, "_"));
    this.regional.set(region, provider);
    return provider;
  }

  private create(id: string, region: string, alias?: string): AwsProvider {
    const offline = this.offline.booleanValue;
    return new AwsProvider(this, id, {
      region,
      alias,
      // An offline plan knows no account, so the guard applies only to real runs.
      allowedAccountIds:
        this.props.accountId === undefined
          ? undefined
          : Token.asList(Fn.conditional(offline, Token.nullValue(), [this.props.accountId])),
      defaultTags: [{ tags: { ...this.props.tags } }],
      skipCredentialsValidation: offline,
      skipRequestingAccountId: offline,
      skipMetadataApiCheck: Token.asString(this.offline.value),
    });
  }
}
