/**
 * SSRF rules for webhook URLs (CVE-2026-2393: MLflow delivered to any URL, including cloud metadata
 * at 169.254.169.254). Only http/https, no credentials in the URL, and every address the host name
 * resolves to must be public — loopback, private, link-local, metadata and reserved ranges
 * (security/ip-ranges.ts) are refused unless the operator allowlisted the host or address. The
 * check runs when a webhook is saved and again at each delivery, inside the socket's DNS lookup, so
 * the connection goes to the address that was checked (no rebinding between check and connect).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { MlflowError } from '@cauce/protocol';
import { isPrivateAddress } from '../security/ip-ranges.js';

export interface UrlPolicy {
  /** Host names, IP addresses or CIDR blocks (`10.0.0.0/8`) that may be private. */
  allowlist?: string[];
}

function refuse(url: string, why: string): never {
  throw MlflowError.invalid(
    `Invalid webhook URL '${url.slice(0, 200)}': ${why}. Use a public http(s) URL, or ask the operator to allowlist an internal host (--webhook-allow-hosts).`,
  );
}

function allowlisted(policy: UrlPolicy, host: string, address?: string): boolean {
  const list = policy.allowlist ?? [];
  const blocks = new BlockList();
  for (const entry of list) {
    const [net, bits] = entry.split('/');
    if (bits !== undefined && net && isIP(net)) {
      blocks.addSubnet(net, Number(bits), isIP(net) === 4 ? 'ipv4' : 'ipv6');
    } else if (entry.toLowerCase() === host.toLowerCase() || (address !== undefined && entry === address)) {
      return true;
    }
  }
  return (
    address !== undefined &&
    isIP(address) !== 0 &&
    blocks.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6')
  );
}

/** Syntax checks that need no DNS. Returns the parsed URL. */
export function parseWebhookUrl(url: unknown): URL {
  if (typeof url !== 'string' || url === '')
    throw MlflowError.invalid("Missing value for required parameter 'url'.");
  if (url.length > 2048) refuse(url, 'it is longer than 2048 characters');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    refuse(url, 'it is not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    refuse(url, `the scheme '${u.protocol}' is not allowed (only http and https)`);
  if (u.username || u.password) refuse(url, 'it carries credentials; use the webhook secret instead');
  if (u.hostname === '') refuse(url, 'it has no host');
  return u;
}

/** Resolves the URL's host and checks every address; returns the addresses. */
export async function checkWebhookUrl(url: string, policy: UrlPolicy): Promise<string[]> {
  const u = parseWebhookUrl(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      refuse(url, `its host '${host}' does not resolve`);
    }
  }
  for (const a of addresses) {
    if (isPrivateAddress(a) && !allowlisted(policy, host, a)) {
      refuse(url, `its host resolves to ${a}, a loopback, private, link-local or metadata address`);
    }
  }
  return addresses;
}

/** A `lookup` for http.request that only ever hands the socket a checked address. */
export function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const host = hostname.replace(/^\[|\]$/g, '');
    checkWebhookUrl(`http://${isIP(host) === 6 ? `[${host}]` : host}/`, policy).then(
      (addresses) => {
        const address = addresses[0]!;
        const family = isIP(address);
        if ((options as { all?: boolean }).all) callback(null, [{ address, family }]);
        else callback(null, address, family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}
