/*
 * IPv4 arithmetic for the rehearsal's VPC: addresses as numbers, and the
 * addresses AWS gives a block's roles (router, resolver, first instance).
 */

/** An address as a 32-bit number. */
function addressValue(address: string): number {
  return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

function addressText(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** A block's network address (as a number), prefix length and size. */
export function block(cidr: string): { base: number; prefix: number; size: number } {
  const [address = "", prefixText = ""] = cidr.split("/");
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  return { base: addressValue(address) - (addressValue(address) % size), prefix, size };
}

/** The address `offset` from the start of `cidr` (negative: from its end; -1 is its broadcast address). */
export function addressIn(cidr: string, offset: number): string {
  const { base, size } = block(cidr);
  return addressText(offset < 0 ? base + size + offset : base + offset);
}

/** Whether `address` lies in `cidr`. */
export function contains(cidr: string, address: string): boolean {
  const { base, size } = block(cidr);
  const value = addressValue(address);
  return value >= base && value < base + size;
}
