import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { UserId } from "../functions/shared/identifiers.js";
import { HOME_PREFIX, loginOfCreated } from "../functions/shared/result-files.js";
import { explainS3Error } from "./aws-errors.js";
import type { HomeFile } from "./cluster-state.js";

/**
 * The user's own folder in the FlightDeck bucket: everything the CLI does,
 * it does here, with nothing but the user's own S3 permissions.
 */
export class UserBucket {
  readonly bucket: string;
  readonly user: UserId;
  /** The account expected to own the bucket, when known: named when S3 refuses access. */
  private readonly account: string | undefined;

  constructor(
    private readonly s3: S3Client,
    place: { bucket: string; user: UserId; account?: string | undefined },
  ) {
    this.bucket = place.bucket;
    this.user = place.user;
    this.account = place.account;
  }

  /**
   * Runs one S3 call; an error that says the setup is wrong (no such bucket,
   * someone else's, another region, refused credentials) becomes one that
   * says what to do.
   */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const place = { bucket: this.bucket, user: this.user, account: this.account };
      throw explainS3Error(error, place) ?? error;
    }
  }

  /** The files directly in `home/<user>/`. */
  async list(): Promise<HomeFile[]> {
    const files: HomeFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${HOME_PREFIX}${this.user}/`,
            Delimiter: "/",
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined)
          files.push({ key: object.Key, lastModified: object.LastModified ?? new Date(0) });
      }
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return files;
  }

  /** A file's text, or `undefined` if it is not there. */
  async read(key: string): Promise<string | undefined> {
    return (await this.readFile(key))?.text;
  }

  /** A file's text and S3 user metadata, or `undefined` if it is not there. */
  async readFile(
    key: string,
  ): Promise<{ text: string; metadata: Record<string, string> } | undefined> {
    return this.call(async () => {
      try {
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        const text = (await object.Body?.transformToString("utf-8")) ?? "";
        return { text, metadata: object.Metadata ?? {} };
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey")
          return undefined;
        throw error;
      }
    });
  }

  /**
   * What a `.cf-created` file says: the login IP, and the login to use, which
   * cf-create puts in its metadata (derived from the user id when absent).
   */
  async readCreated(key: string): Promise<{ ip: string; login: string }> {
    const file = await this.readFile(key);
    return { ip: (file?.text ?? "").trim(), login: loginOfCreated(file?.metadata, this.user) };
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    await this.call(() =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: "application/json",
        }),
      ),
    );
  }

  async remove(key: string): Promise<void> {
    await this.call(() => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }
}
