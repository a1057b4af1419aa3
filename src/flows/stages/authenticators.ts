/**
 * Second factors. Authenticator validation (authentik/stages/authenticator_validate/stage.py, challenge.py): one device
 * challenge per allowed device class the pending user has a confirmed device of; none → `not_configured_action`
 * (`skip`, `deny`, `configure`: the configuration stage is run next). A code is checked against every TOTP device of
 * the user ("Invalid Token" when none takes it). The mock checks TOTP codes; WebAuthn, Duo and SMS devices need
 * hardware or a provider and are not challenged. `last_auth_threshold` (the `authentik_mfa` cookie) is not kept.
 * TOTP setup (authentik/stages/authenticator_totp/stage.py): the `config_url` an authenticator app scans, then a code
 * from it confirms the device.
 */
import type { Pk, WorldRecord } from '../../contract/entity-model.js';
import { randomHex } from '../../world/secrets.js';
import { fieldError } from '../challenges.js';
import { addTotpDevice, totpDevicesOf, verifyDeviceCode } from '../devices.js';
import { MODEL } from '../models.js';
import { base32, verifyTotp } from '../totp.js';
import type { StageHandler, StageOutcome, StageRun } from '../stage.js';

const VALIDATE = 'ak-stage-authenticator-validate';
const DEVICE_CHALLENGES = 'authentik/stages/authenticator_validate/device_challenges';
const CODE_CLASSES = ['totp', 'static', 'sms'];

interface DeviceChallenge {
  device_class: string;
  device_uid: string;
  challenge: Record<string, unknown>;
}

function deviceChallenges(run: StageRun, user: WorldRecord | undefined): DeviceChallenge[] {
  const classes = Array.isArray(run.stage?.['device_classes']) ? (run.stage['device_classes'] as string[]) : [];
  const users = run.world.userEntity;
  if (!user || !users || !classes.includes('totp')) return [];
  const first = totpDevicesOf(run.world, user[users.pkField] as Pk)[0];
  return first ? [{ device_class: 'totp', device_uid: String(first['pk']), challenge: {} }] : [];
}

/** The stages a user may pick to configure a device (`configuration_stages`, shown when there are several). */
function configurationStages(run: StageRun): WorldRecord[] {
  const pks = Array.isArray(run.stage?.['configuration_stages']) ? (run.stage['configuration_stages'] as Pk[]) : [];
  return pks.map((pk) => run.models.stage(pk)).filter((s): s is WorldRecord => !!s);
}

function selectable(stage: WorldRecord) {
  return { pk: stage['pk'], name: stage['name'], verbose_name: stage['verbose_name'], meta_model_name: stage['meta_model_name'] };
}

function validateChallenge(run: StageRun, challenges: DeviceChallenge[], errors?: Parameters<StageRun['challenge']>[2]): StageOutcome {
  const offered = challenges.length === 0 ? configurationStages(run).map(selectable) : [];
  return run.challenge(VALIDATE, { device_challenges: challenges, configuration_stages: offered }, errors);
}

/** `not_configured_action` for a user without a device of an allowed class. */
function notConfigured(run: StageRun): StageOutcome {
  switch (run.stage?.['not_configured_action']) {
    case 'deny':
      return { denied: true };
    case 'configure': {
      const stages = configurationStages(run);
      if (stages.length === 0) return { denied: true };
      if (stages.length === 1) {
        run.insertNext(stages[0]!['pk'] as Pk);
        return { ok: true };
      }
      return validateChallenge(run, []);
    }
    default:
      return { ok: true };
  }
}

export const authenticatorValidateStage: StageHandler = {
  get(run) {
    const challenges = deviceChallenges(run, run.pendingRecord());
    run.session.set(DEVICE_CHALLENGES, challenges);
    return challenges.length === 0 ? notConfigured(run) : validateChallenge(run, challenges);
  },
  async post(run, response) {
    const challenges = run.session.get<DeviceChallenge[]>(DEVICE_CHALLENGES) ?? [];
    const read = run.read(VALIDATE, response);
    if ('errors' in read) return validateChallenge(run, challenges, read.errors);
    const value = read.value;
    if (typeof value['selected_stage'] === 'string') {
      const chosen = configurationStages(run).find((s) => String(s['pk']) === value['selected_stage']);
      if (!chosen) return validateChallenge(run, challenges, fieldError('selected_stage', 'Selected stage is invalid'));
      run.insertNext(chosen['pk'] as Pk);
      return { ok: true };
    }
    if (typeof value['code'] === 'string') {
      if (!challenges.some((c) => CODE_CLASSES.includes(c.device_class)))
        return validateChallenge(run, challenges, fieldError('code', 'No compatible device class allowed'));
      const user = run.pendingRecord();
      const users = run.world.userEntity!;
      let matched: WorldRecord | undefined;
      for (const device of user ? totpDevicesOf(run.world, user[users.pkField] as Pk) : [])
        if (await verifyDeviceCode(run.world, device, value['code'])) {
          matched = device;
          break;
        }
      if (!matched) return validateChallenge(run, challenges, fieldError('code', 'Invalid Token'));
      const args = (run.plan.context.auth_method_args ??= {});
      args['mfa_devices'] = [
        ...(Array.isArray(args['mfa_devices']) ? args['mfa_devices'] : []),
        { pk: matched['pk'], model: MODEL.totpDevice },
      ];
      run.plan.context.auth_method ??= 'auth_mfa';
      return { ok: true };
    }
    for (const field of ['webauthn', 'duo'])
      if (value[field] !== undefined) return validateChallenge(run, challenges, fieldError(field, 'No compatible device class allowed'));
    if (value['selected_challenge'] !== undefined) return validateChallenge(run, challenges);
    return validateChallenge(run, challenges, fieldError('non_field_errors', 'Empty response'));
  },
};

const SETUP = 'ak-stage-authenticator-totp';
const SETUP_KEY = 'authentik/stages/authenticator_totp/key';

/** `TOTPDevice.config_url` (django-otp) with the brand's title as issuer (authentik's stage view replaces it). */
function configUrl(run: StageRun, user: WorldRecord, key: string, digits: number): string {
  const issuer = String(run.models.brand(run.context.url.host)['branding_title'] ?? 'authentik').replace(/:/g, '');
  const label = encodeURIComponent(`${issuer}:${String(user['username'] ?? '')}`).replace(/%2F/g, '/');
  return `otpauth://totp/${label}?secret=${base32(key)}&algorithm=SHA1&digits=${digits}&period=30&issuer=${encodeURIComponent(issuer)}`;
}

export const authenticatorTotpStage: StageHandler = {
  get(run) {
    const user = run.pendingRecord();
    if (!user) return { denied: true };
    const key = run.session.get<string>(SETUP_KEY) ?? randomHex(40);
    run.session.set(SETUP_KEY, key);
    return run.challenge(SETUP, { config_url: configUrl(run, user, key, Number(run.stage?.['digits'] ?? 6)) });
  },
  async post(run, response) {
    const user = run.pendingRecord();
    const key = run.session.get<string>(SETUP_KEY);
    if (!user || !key) return { denied: true };
    const digits = Number(run.stage?.['digits'] ?? 6);
    const fields = { config_url: configUrl(run, user, key, digits) };
    const read = run.read(SETUP, response);
    if ('errors' in read) return run.challenge(SETUP, fields, read.errors);
    if ((await verifyTotp({ key, digits }, String(read.value['code']), -1)) === undefined)
      return run.challenge(SETUP, fields, fieldError('code', 'Code does not match'));
    const users = run.world.userEntity!;
    const name =
      typeof run.stage?.['friendly_name'] === 'string' && run.stage['friendly_name'] !== '' ? run.stage['friendly_name'] : undefined;
    addTotpDevice(run.world, user[users.pkField] as Pk, { key, digits, ...(name ? { name } : {}) });
    run.session.delete(SETUP_KEY);
    return { ok: true };
  },
};
