import type { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { SesEmailIdentity } from "@cdktf/provider-aws/lib/ses-email-identity/index.js";
import { Construct } from "constructs";

/** Properties of the {@link SenderIdentity}. */
export interface SenderIdentityProps {
  readonly senderEmail: string;
  /** The provider for the SES region, which may differ from the deployment's. */
  readonly provider: AwsProvider;
}

/**
 * The SES identity notifications are sent from. SES mails the address a
 * verification link on apply; SES refuses to send from it until someone
 * follows that link.
 */
export class SenderIdentity extends Construct {
  readonly identity: SesEmailIdentity;

  constructor(scope: Construct, id: string, props: SenderIdentityProps) {
    super(scope, id);
    this.identity = new SesEmailIdentity(this, "identity", {
      email: props.senderEmail,
      provider: props.provider,
    });
  }
}
