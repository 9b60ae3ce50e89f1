/*
 * How a cluster reaches its owner's home, in words both the deployment
 * (stacks/homes/) and the rehearsal's fake AWS build from. Each home is one
 * EFS file system with a mount target in every subnet of the deployment.
 * The mount targets carry the home's own security group, which admits NFS
 * only from the home's client group; the merge puts that client group, the
 * owner's and nobody else's, on every instance of the owner's clusters. Users
 * are root on their nodes, so this network rule, not file permissions, is
 * what keeps one user out of another's home.
 */

/** NFS: the one port an EFS mount target serves. */
export const NFS_PORT = 2049;

/** One ingress rule of a security group. */
export interface IngressRule {
  readonly protocol: "tcp" | "udp" | "-1";
  readonly fromPort: number;
  readonly toPort: number;
  readonly sourceSecurityGroupId: string;
  readonly description: string;
}

/** The rule of a home's mount-target group: NFS from the home's client group, and nothing else. */
export function mountTargetIngress(clientSecurityGroupId: string): IngressRule {
  return {
    protocol: "tcp",
    fromPort: NFS_PORT,
    toPort: NFS_PORT,
    sourceSecurityGroupId: clientSecurityGroupId,
    description: "NFS from the owner's cluster nodes",
  };
}
