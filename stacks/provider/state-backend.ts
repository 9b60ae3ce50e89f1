import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { Backend } from "../settings/backend-settings.js";

/**
 * Configures where the stack keeps its Terraform state. A backend belongs to
 * the stack itself, so this attaches it there rather than being a construct.
 */
export function useStateBackend(scope: Construct, backend: Backend): void {
  const stack = TerraformStack.of(scope);
  if (backend.type === "local") {
    new LocalBackend(stack, { path: backend.path });
    return;
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: backend.key,
    region: backend.region,
    encrypt: true,
  });
  // cdktf 0.21 predates S3's own lock file; Terraform 1.10+ reads it here.
  if (backend.useLockfile) s3.addOverride("use_lockfile", true);
}
