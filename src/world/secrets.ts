/**
 * Secrets, apart from the world's seed: they come from the platform's cryptographic randomness (Web Crypto: Node and
 * browsers alike), never from the seeded faker — two installs with the same seed must not share a key.
 */

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Bytes at or above this would favour the first letters (256 is not a multiple of 62): they are drawn again. */
const UNBIASED_LIMIT = 256 - (256 % KEY_ALPHABET.length);

/** A key as authentik makes them (`generate_key`: 60 letters and digits), from cryptographic randomness. */
export function randomKey(length = 60): string {
  let key = '';
  while (key.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      if (byte >= UNBIASED_LIMIT) continue;
      key += KEY_ALPHABET[byte % KEY_ALPHABET.length];
      if (key.length === length) break;
    }
  }
  return key;
}

/** `length` random hexadecimal digits (authentik's `random_hex`, e.g. a TOTP device's key). */
export function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return [...bytes]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, length);
}
