import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runOrThrow } from "../host.js";

/*
 * The fake's TLS: a throw-away certificate authority made for the run, and a
 * certificate for the regional AWS endpoint names. The nodes trust the CA
 * (it is added to their image's CA bundle) and resolve the names to the
 * fake (their /etc/hosts), so boto3 reaches it with its default endpoints,
 * unmodified, over HTTPS.
 */

export interface Certificates {
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
}

/** Host names the nodes' boto3 uses in `region` for the services FlightDeck calls. */
export function endpointNames(region: string, buckets: readonly string[]): string[] {
  const services = ["cloudformation", "secretsmanager", "autoscaling", "ec2", "s3", "sts"];
  return [
    ...services.map((service) => `${service}.${region}.amazonaws.com`),
    ...buckets.map((bucket) => `${bucket}.s3.${region}.amazonaws.com`),
    "s3.amazonaws.com",
    ...buckets.map((bucket) => `${bucket}.s3.amazonaws.com`),
  ];
}

const openssl = (...args: string[]) => runOrThrow("openssl", args, 60_000);

/** Creates the CA and the endpoints' certificate in `dir`. */
export function makeCertificates(dir: string, region: string): Certificates {
  mkdirSync(dir, { recursive: true });
  const path = (name: string) => join(dir, name);
  makeAuthority(path);
  makeEndpointCertificate(path, region);
  return {
    ca: readFileSync(path("ca.pem"), "utf8"),
    key: readFileSync(path("server.key"), "utf8"),
    cert: readFileSync(path("server.pem"), "utf8"),
  };
}

/** The CA: a self-signed certificate for two days (`ca.pem`) and its key (`ca.key`). */
function makeAuthority(path: (name: string) => string): void {
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=FlightDeck rehearsal CA",
    "-keyout",
    path("ca.key"),
    "-out",
    path("ca.pem"),
  );
}

/**
 * The endpoints' key (`server.key`) and certificate (`server.pem`): the
 * region's names and S3's global ones, signed by the CA for two days.
 */
function makeEndpointCertificate(path: (name: string) => string, region: string): void {
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=*.${region}.amazonaws.com`,
    "-keyout",
    path("server.key"),
    "-out",
    path("server.csr"),
  );
  const names = [
    `*.${region}.amazonaws.com`,
    `*.s3.${region}.amazonaws.com`,
    "*.s3.amazonaws.com",
    "s3.amazonaws.com",
  ];
  writeFileSync(path("san.ext"), `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\n`);
  openssl(
    "x509",
    "-req",
    "-in",
    path("server.csr"),
    "-CA",
    path("ca.pem"),
    "-CAkey",
    path("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    path("san.ext"),
    "-out",
    path("server.pem"),
  );
}
