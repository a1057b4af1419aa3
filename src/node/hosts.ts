/** Host names and addresses as a server binds them and as URLs and Host headers show them. */

/** A host name or address without IPv6 brackets, lower case. */
const bare = (host: string) =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');

/** An IPv4 or IPv6 literal (as opposed to a name that DNS, and so a DNS-rebinding attacker, answers for). */
function isIpAddress(host: string): boolean {
  const h = bare(host);
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(h) || (h.includes(':') && /^[0-9a-f:.]+$/.test(h));
}

/** Only this machine can reach an address bound here: `localhost`, 127.0.0.0/8, `::1` (and IPv4-mapped 127.x). */
export function isLoopbackHost(host: string): boolean {
  const h = bare(host);
  return h === 'localhost' || h.endsWith('.localhost') || /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(h) || h === '::1';
}

/** `http://host:port` with an IPv6 literal bracketed. */
export function originOf(host: string, port: number): string {
  const h = bare(host);
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** A host as a Host header shows it: a name or IPv4 as is, IPv6 bracketed; nothing for a wildcard address. */
export function hostHeaderName(host: string): string | undefined {
  const h = bare(host);
  if (h === '' || h === '0.0.0.0' || h === '::' || h === '::0') return undefined;
  return isIpAddress(h) && h.includes(':') ? `[${h}]` : h;
}
