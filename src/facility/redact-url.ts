/**
 * URL passwords out of text shown to people (the facility's own copy: it imports nothing of the
 * gateway side). `scheme://user:password@host` becomes `scheme://user:HIDDEN@host`, the same
 * convention as the gateway's logs.
 */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>@/:]*:)[^\s"'<>]*@/gi;

/** Every URL password inside a text (an error message, a log line). */
export function hideUrlPasswords(text: string): string {
  return text.replace(URL_USERINFO, '$1HIDDEN@');
}

/** A value that is one URL as a whole: everything between `user:` and the last `@` is hidden. */
export function hideUrlPassword(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(value);
  if (!m) return hideUrlPasswords(value);
  const [, scheme, rest] = m as unknown as [string, string, string];
  const at = rest.lastIndexOf('@');
  const colon = rest.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return value;
  return `${scheme}${rest.slice(0, colon + 1)}HIDDEN${rest.slice(at)}`;
}
