/**
 * TOTP as authentik 2024.8 checks it: its vendored django-otp `TOTPDevice` (authentik/stages/authenticator_totp/
 * models.py; django_otp/oath.py `TOTP`, `hotp`): RFC 6238 over RFC 4226 HOTP with HMAC-SHA1, a hex `key`, `step` 30 s,
 * `t0` 0, `digits` 6, `tolerance` 1 step either side, `drift`, and `last_t` so that a code is used once. Web Crypto
 * only: the same code runs in Node and in a browser page (a secure context).
 */

/** What a TOTP device record holds beside its name (authentik-models.json gives its model defaults). */
export interface TotpKey {
  /** The secret, hex (authentik's `random_hex(20)`: 40 digits). */
  key: string;
  step?: number;
  t0?: number;
  digits?: number;
  drift?: number;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const clean = hex.length % 2 === 0 ? hex : `0${hex}`;
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16) || 0;
  return bytes;
}

/** RFC 4226 HOTP: HMAC-SHA1 of the 8-byte big-endian counter, dynamically truncated, `digits` long with leading zeros. */
export async function hotp(keyHex: string, counter: number, digits = 6): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('TOTP needs Web Crypto (crypto.subtle): in a browser, a secure context (https or localhost)');
  const key = await subtle.importKey('raw', hexBytes(keyHex), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(Math.max(0, Math.floor(counter))));
  const h = new Uint8Array(await subtle.sign('HMAC', key, message));
  const offset = h[19]! & 0x0f;
  const binary = ((h[offset]! & 0x7f) << 24) | (h[offset + 1]! << 16) | (h[offset + 2]! << 8) | h[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step a moment falls in (django-otp `TOTP.t`: `(now - t0) // step - drift`). */
export function timeStep(device: TotpKey, nowMs = Date.now()): number {
  return Math.floor((nowMs / 1000 - (device.t0 ?? 0)) / (device.step ?? 30)) - (device.drift ?? 0);
}

/**
 * The code an authenticator app shows now for this device (or at `time`, ms since the epoch): what a test types into
 * the `code` field. `totpCode(device.key)` for a device of the world; `totpCode(keyFromConfigUrl(url))` for one made
 * by the setup stage.
 */
export function totpCode(device: TotpKey | string, time = Date.now()): Promise<string> {
  const key = typeof device === 'string' ? { key: device } : device;
  return hotp(key.key, timeStep(key, time), key.digits ?? 6);
}

/**
 * Checks a code against steps t−tolerance … t+tolerance, refusing steps at or before `lastT` (a code is used once).
 * The step it matched, or undefined. django-otp reads the code as an integer (`int(token)`): "012345" and "12345" match
 * alike; anything else never matches.
 */
export async function verifyTotp(device: TotpKey & { tolerance?: number }, code: string, lastT: number, nowMs = Date.now()) {
  if (!/^\s*[+-]?\d+\s*$/.test(code)) return undefined;
  const wanted = Number.parseInt(code, 10);
  const t = timeStep(device, nowMs);
  const tolerance = device.tolerance ?? 1;
  for (let step = t - tolerance; step <= t + tolerance; step++) {
    if (step < lastT + 1) continue;
    if (Number.parseInt(await hotp(device.key, step, device.digits ?? 6), 10) === wanted) return step;
  }
  return undefined;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (the `secret` of an otpauth URI). */
export function base32(hex: string): string {
  let bits = '';
  for (const byte of hexBytes(hex)) bits += byte.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += BASE32[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

/** The hex key of an otpauth URI's `secret` (base32), as the setup stage's `config_url` gives it. */
export function keyFromConfigUrl(configUrl: string): string {
  const secret = new URL(configUrl).searchParams.get('secret') ?? '';
  let bits = '';
  for (const char of secret.toUpperCase().replace(/=+$/, '')) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error(`not a base32 secret: ${secret}`);
    bits += value.toString(2).padStart(5, '0');
  }
  let hex = '';
  for (let i = 0; i + 8 <= bits.length; i += 8)
    hex += parseInt(bits.slice(i, i + 8), 2)
      .toString(16)
      .padStart(2, '0');
  return hex;
}
