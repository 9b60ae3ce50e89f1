/*
 * The SES client and SendEmail, and nothing else: the notifier loads this
 * module lazily, and a dynamic import of the SDK package itself would keep
 * all of SES's commands, since a bundler cannot tell which exports a
 * namespace object will be asked for.
 */
export { SendEmailCommand, SESClient } from "@aws-sdk/client-ses";
