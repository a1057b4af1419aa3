/**
 * Users' TOTP devices. authentik's device serializers show only `pk` and `name` (and the Device base fields): the
 * owner and the secret are model fields the API never shows (authentik/stages/authenticator_totp/models.py, vendored
 * django-otp). The mock keeps them on the record as fields no schema shows — `user` and `key` beside django-otp's
 * `step`, `t0`, `digits`, `tolerance`, `drift`, `last_t` and the throttling fields — so they are in dumps and never
 * served.
 */
import type { Pk, WorldRecord } from '../contract/entity-model.js';
import type { World } from '../world/world.js';
import { randomHex } from '../world/secrets.js';
import { entityFor, MODEL } from './models.js';
import { verifyTotp } from './totp.js';

/** The user's confirmed TOTP devices, oldest first. */
export function totpDevicesOf(world: World, userPk: Pk): WorldRecord[] {
  const entity = entityFor(world, MODEL.totpDevice);
  if (!entity) return [];
  return world
    .table(entity.name)
    .all()
    .filter((d) => String(d['user']) === String(userPk) && d['confirmed'] !== false)
    .sort((a, b) => Number(a[entity.pkField]) - Number(b[entity.pkField]));
}

export interface NewTotpDevice {
  name?: string;
  /** The secret, hex (default: 20 random bytes, as authentik's `random_hex(20)`). */
  key?: string;
  digits?: number;
}

/**
 * A confirmed TOTP device for a user, as the TOTP setup stage makes one: the stored record, whose `key` gives the
 * codes (`totpCode(device.key)`). For tests that need a user with a second factor.
 */
export function addTotpDevice(world: World, userPk: Pk, options: NewTotpDevice = {}): WorldRecord & { key: string } {
  const entity = entityFor(world, MODEL.totpDevice);
  if (!entity) throw new Error('this contract has no TOTP devices');
  const now = new Date().toISOString();
  const key = options.key ?? randomHex(40);
  const record = world.create(entity.name, {
    name: options.name ?? 'TOTP Device',
    user: userPk,
    confirmed: true,
    created: now,
    last_updated: now,
    last_used: null,
    type: `${MODEL.totpDevice.split('.')[0]}.${entity.name}`,
    key,
    step: 30,
    t0: 0,
    digits: options.digits ?? 6,
    tolerance: 1,
    drift: 0,
    last_t: -1,
    throttling_failure_count: 0,
    throttling_failure_timestamp: null,
  });
  return { ...record, key };
}

/**
 * django-otp's `TOTPDevice.verify_token` with `ThrottlingMixin`: refused while throttled (after n failures in a row,
 * for 2^(n−1) seconds), else the code of step t−1, t or t+1 not used before; a success records the step (a code
 * works once) and `last_used`, a failure counts (both saved on the record).
 */
export async function verifyDeviceCode(world: World, device: WorldRecord, code: string, now = Date.now()): Promise<boolean> {
  const entity = entityFor(world, MODEL.totpDevice)!;
  const failures = Number(device['throttling_failure_count'] ?? 0);
  const since = typeof device['throttling_failure_timestamp'] === 'string' ? Date.parse(device['throttling_failure_timestamp']) : NaN;
  if (failures > 0 && !Number.isNaN(since) && now < since + 1000 * 2 ** (failures - 1)) return false;
  const step = await verifyTotp(
    {
      key: String(device['key'] ?? ''),
      step: Number(device['step'] ?? 30),
      t0: Number(device['t0'] ?? 0),
      digits: Number(device['digits'] ?? 6),
      drift: Number(device['drift'] ?? 0),
      tolerance: Number(device['tolerance'] ?? 1),
    },
    code,
    Number(device['last_t'] ?? -1),
    now,
  );
  const current = world.table(entity.name).get(device[entity.pkField]) ?? device;
  if (step === undefined) {
    world.save(entity.name, {
      ...current,
      throttling_failure_count: failures + 1,
      throttling_failure_timestamp: new Date(now).toISOString(),
    });
    return false;
  }
  world.save(entity.name, {
    ...current,
    last_t: step,
    last_used: new Date(now).toISOString(),
    throttling_failure_count: 0,
    throttling_failure_timestamp: null,
  });
  return true;
}
