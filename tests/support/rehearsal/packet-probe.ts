import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { SYSTEM_PATH } from "./host.js";

/*
 * Real packets between the rehearsal's machines: a TCP connection from a
 * network namespace (a node's, or the AWS namespace as the access host) to
 * an address and port, classified as AWS's security groups make it look:
 * open (it connected), refused (a reset: the address is reachable, nothing
 * listens there) or filtered (no answer at all: a security group dropped it).
 */

export type Reach = "open" | "refused" | "filtered";

export interface Target {
  readonly address: string;
  readonly port: number;
}

/** How long a connection may go unanswered before it counts as filtered. */
const PROBE_TIMEOUT_SECONDS = 2;

const PROBE = String.raw`
import json, socket, sys, threading
source, timeout, targets = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
results = [None] * len(targets)
def probe(i, address, port):
    connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    connection.settimeout(timeout)
    if source:
        connection.bind((source, 0))
    try:
        connection.connect((address, port))
        results[i] = "open"
    except ConnectionRefusedError:
        results[i] = "refused"
    except socket.timeout:
        results[i] = "filtered"
    except OSError as error:
        results[i] = "error: %s" % error
    finally:
        connection.close()
threads = [threading.Thread(target=probe, args=(i, t["address"], t["port"])) for i, t in enumerate(targets)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(json.dumps(results))
`;

/**
 * Connects to every target at once from network namespace `netns` (a name
 * under /var/run/netns), from address `source` if given; one result per target.
 */
export async function probe(
  netns: string,
  targets: readonly Target[],
  source = "",
): Promise<Reach[]> {
  const { stdout } = await promisify(execFile)(
    "nsenter",
    [
      `--net=/var/run/netns/${netns}`,
      "python3",
      "-c",
      PROBE,
      source,
      String(PROBE_TIMEOUT_SECONDS),
      JSON.stringify(targets),
    ],
    { env: { PATH: SYSTEM_PATH }, timeout: (PROBE_TIMEOUT_SECONDS + 10) * 1000 },
  );
  const results = JSON.parse(stdout) as string[];
  for (const result of results) {
    if (!["open", "refused", "filtered"].includes(result)) throw new Error(`probe: ${result}`);
  }
  return results as Reach[];
}
