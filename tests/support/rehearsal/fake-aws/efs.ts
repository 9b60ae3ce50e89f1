import { execFile } from "node:child_process";
import { mkdirSync, realpathSync, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { isAbsolute, join, normalize } from "node:path";
import { promisify } from "node:util";
import { SYSTEM_PATH } from "../host.js";
import type { World } from "./world.js";

/*
 * EFS, as the nodes reach it: each file system is a folder of the run
 * (<run>/efs/<fs-id>/), kept across the run's clusters, and each of its
 * mount targets listens on its own address in the VPC, on NFS's port, so the
 * packet filter decides with real packets who reaches it. The nodes' mount
 * seam (image/usr/sbin/mount.nfs4) connects there and asks for a mount,
 * one line: `MOUNT <path in the file system> <mount point>`; the answer is
 * `OK` or `ERROR <what mount.nfs would say>`. A mount target serves only its
 * own file system, and only to a live instance, whose address the request
 * comes from: the fake bind-mounts the folder into that instance's mount
 * namespace (mount-into.py). Root on a node is root on its files, as on EFS
 * without a file system policy: files keep their UIDs.
 */

/** NFS: the one port a mount target serves. */
const NFS_PORT = 2049;

const HELPER = new URL("./mount-into.py", import.meta.url).pathname;

const execFileAsync = promisify(execFile);

/** The folder holding a file system's data. */
export const fileSystemFolder = (runDir: string, id: string) => join(runDir, "efs", id);

export class Efs {
  private readonly servers: Server[] = [];

  constructor(private readonly world: World) {}

  /** Creates every file system's folder (new ones empty, owned by root) and serves every mount target. */
  async start(): Promise<void> {
    for (const id of this.world.vpc.fileSystems.keys()) {
      mkdirSync(fileSystemFolder(this.world.config.runDir, id), { recursive: true, mode: 0o755 });
    }
    for (const target of this.world.vpc.mountTargets) {
      const server = createServer((socket) => this.serve(socket));
      await new Promise<void>((resolve) => server.listen(NFS_PORT, target.ip, resolve));
      this.servers.push(server);
    }
  }

  private serve(socket: Socket): void {
    let request = "";
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      request += chunk.toString("utf8");
      if (request.length > 4096) socket.destroy();
      const end = request.indexOf("\n");
      if (end < 0) return;
      socket.removeAllListeners("data");
      this.mount(socket, request.slice(0, end))
        .then(() => socket.end("OK\n"))
        .catch((error: unknown) =>
          socket.end(`ERROR ${String(error instanceof Error ? error.message : error)}\n`),
        );
    });
  }

  /** Mounts what `line` asks for into the node the socket comes from, or throws what mount.nfs would say. */
  private async mount(socket: Socket, line: string): Promise<void> {
    const address = (socket.localAddress ?? "").replace(/^::ffff:/, "");
    const client = (socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const target = this.world.vpc.mountTargets.find((t) => t.ip === address);
    const instance = this.world.instanceAt(client);
    const pid = instance?.state === "running" ? instance.node?.initPid() : undefined;
    if (target === undefined || instance === undefined || pid === undefined) {
      throw new Error("access denied by server while mounting");
    }
    const [verb, exported = "", point = ""] = line.split(" ");
    if (
      verb !== "MOUNT" ||
      !isAbsolute(exported) ||
      !isAbsolute(point) ||
      normalize(point) !== point
    ) {
      throw new Error("mount system call failed");
    }
    const root = realpathSync(fileSystemFolder(this.world.config.runDir, target.fileSystemId));
    // Only what lies in this mount target's own file system, links and all.
    let source: string;
    try {
      source = realpathSync(join(root, normalize(exported)));
      if (!(source === root || source.startsWith(`${root}/`)) || !statSync(source).isDirectory())
        throw new Error("outside");
    } catch {
      throw new Error(
        `mounting ${exported} failed, reason given by server: No such file or directory`,
      );
    }
    await execFileAsync(
      "python3",
      [HELPER, source, String(pid), join(instance.dir, "root"), point],
      { env: { PATH: SYSTEM_PATH }, timeout: 20_000 },
    ).catch((error: { stderr?: string }) => {
      throw new Error((error.stderr ?? String(error)).trim() || "mount system call failed");
    });
  }

  stop(): void {
    for (const server of this.servers) server.close();
  }
}
