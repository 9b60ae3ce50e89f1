/*
 * Text a user controls that FlightDeck passes on: the reason a cluster's
 * login node gives in its FAILURE signal (root on the node can send any
 * text). It reaches the user's `.cf-failed` and the admin's email from
 * FlightDeck's own sender, so it must not be able to pass for FlightDeck's
 * words or carry a link.
 */

/** The longest user text passed on: SignalResource's own UniqueId limit. */
export const MAX_USER_TEXT = 64;

/**
 * `text` made harmless and quoted: letters, digits, spaces, `_`, `-` and `/`
 * kept; everything else (dots and colons, so no link or address survives,
 * quotes, control and invisible characters) becomes `_`; cut to
 * {@link MAX_USER_TEXT} characters, in guillemets so it reads as quoted.
 *
 * @example
 * quotedUserText("Visit https://evil.example/reset now")
 * // => "«Visit https_//evil_example/reset now»"
 */
export function quotedUserText(text: string): string {
  const kept = [...text]
    .slice(0, MAX_USER_TEXT)
    .map((char) => (/^[A-Za-z0-9 _/-]$/.test(char) ? char : "_"))
    .join("")
    .trim();
  return `«${kept}»`;
}
