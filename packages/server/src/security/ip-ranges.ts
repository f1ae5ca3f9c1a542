/**
 * Address classes that a server-side request must not reach unless an operator allows them
 * (SSRF, CVE-2026-2393): loopback, private (RFC 1918, RFC 4193), link-local (RFC 3927, incl.
 * cloud metadata 169.254.169.254), carrier-grade NAT (RFC 6598), unspecified, multicast and
 * reserved ranges, and IPv4-mapped IPv6 forms of all of them.
 */
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['fd00:ec2::', 32],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** Strips IPv4-mapped (`::ffff:1.2.3.4`) forms down to the IPv4 address. */
function unmap(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

export function isPrivateAddress(ip: string): boolean {
  const a = unmap(ip.toLowerCase());
  const family = isIP(a);
  if (family === 0) return true; // not an address: refuse rather than guess
  return blocked.check(a, family === 4 ? 'ipv4' : 'ipv6');
}
