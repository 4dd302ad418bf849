/**
 * Passwords out of text shown to people: the password of `scheme://user:password@host` becomes
 * HIDDEN (zigbee2mqtt's convention), in log lines, CLI messages and error messages alike, and
 * whether or not the URL around it is valid (an invalid URL is echoed in the message that says so).
 */

/** `user:` then the password up to the `@` before the host; whitespace and quotes end a URL in running text. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>@/:]*:)[^\s"'<>]*@/gi;

/** Every URL password inside a text, e.g. a log message or an error from a library. */
export function redactText(text: string): string {
  return text.replace(URL_USERINFO, '$1HIDDEN@');
}

/**
 * A value that is one URL as a whole (a config value): everything between `user:` and the last
 * `@` is hidden, spaces included (a URL parser accepts a space in the password and encodes it).
 */
export function redactUrlValue(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(value);
  if (!m) return redactText(value);
  const [, scheme, rest] = m as unknown as [string, string, string];
  const at = rest.lastIndexOf('@');
  const colon = rest.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return value;
  return `${scheme}${rest.slice(0, colon + 1)}HIDDEN${rest.slice(at)}`;
}
