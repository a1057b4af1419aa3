/**
 * A fresh install: the world starts from blueprints, as authentik does — authentik's own (system/ and default/:
 * the default flows, the brand, `authentik Admins` and akadmin, the OAuth2 scope mappings…), then a team's, then the
 * mock's principals — applied to an empty world before any record is generated, so generated records come around them.
 */
import {
  applyBlueprints,
  authentikDefaultContext,
  BlueprintError,
  parseBlueprint,
  type BlueprintResult,
  type BlueprintSource,
  type ParsedBlueprint,
} from '../blueprints/index.js';
import { shippedBlueprints as embeddedBlueprints } from '../blueprints/shipped.js';
import { REFERENCE_DATE } from '../fake/generate.js';
import type { World } from '../world/world.js';
import { WorldBlueprintTarget } from './blueprint-target.js';
import { PRINCIPALS_BLUEPRINT } from './principals-blueprint.js';

export interface WorldStartOptions {
  /** A team's blueprint files, applied after authentik's (`serve --blueprints`); any problem refuses the start. */
  blueprints?: readonly BlueprintSource[];
  /** Start from authentik's own blueprints, as a fresh install (default true). */
  defaultBlueprints?: boolean;
  /** Environment variables `!Env` reads: AUTHENTIK_BOOTSTRAP_PASSWORD, …_TOKEN, …_EMAIL work as in authentik. */
  env?: Record<string, string | undefined>;
  /** akadmin's password: $AUTHENTIK_BOOTSTRAP_PASSWORD first, as in authentik; else random. */
  adminPassword?: string;
  /** The ordinary user's password (default random). */
  userPassword?: string;
}

/** The start's passwords, once a world has started: for the banner (they are printed, never served). */
export interface StartPasswords {
  admin: string;
  user: string;
}

let shipped: ParsedBlueprint[] | undefined;
/** authentik's blueprints, parsed once per process (every mock of it applies the same ones). */
const shippedBlueprints = () => (shipped ??= embeddedBlueprints());
let principals: ParsedBlueprint | undefined;

/** Parses a team's blueprints: the first problem is thrown, naming the file (and the entry). */
export function parseTeamBlueprints(sources: readonly BlueprintSource[]): ParsedBlueprint[] {
  return sources.map(parseBlueprint);
}

/**
 * Applies the start to a world that holds nothing yet. A team blueprint that fails refuses the whole start (its
 * error names the file, the entry and the reason); authentik's own skip entries of models the contract lacks.
 * Returns each blueprint's outcome, which the world also lists as BlueprintInstance records.
 */
export function startWorld(
  world: World,
  team: readonly ParsedBlueprint[],
  options: WorldStartOptions,
  passwords: StartPasswords,
): BlueprintResult[] {
  const defaults = options.defaultBlueprints === false ? [] : shippedBlueprints();
  const own = (principals ??= parseBlueprint(PRINCIPALS_BLUEPRINT));
  const all = [...defaults, ...team, own];
  // authentik's own and the mock's are known-good: written without the schema check a team's blueprints get.
  const target = new WorldBlueprintTarget(world, new Set([...defaults, own]));
  const models = world.resources.length > 0 ? modelNamesOf(world) : [];
  return world.writingStart(() => {
    const results = applyBlueprints(all, target, {
      env: options.env ?? {},
      // A contract without some of authentik's models (another version, a few imported pages) skips those entries.
      unknownModels: (blueprint) => (team.includes(blueprint) ? 'error' : 'skip'),
      defaultContext: authentikDefaultContext({ models }),
      instanceContext: (blueprint) =>
        blueprint === own
          ? {
              admin_password: passwords.admin,
              user_password: passwords.user,
              admin_token: world.adminToken,
              user_token: world.userToken,
            }
          : undefined,
    });
    const failed = results.find((r, i) => r.status === 'error' && !defaults.includes(all[i]!));
    if (failed) throw failed.error ?? new BlueprintError({ file: failed.path }, 'not applied');
    target.asTrusted(() => recordInstances(world, target, results));
    markAdmin(world);
    world.keepPrincipalsApart();
    return results;
  });
}

/**
 * akadmin is a superuser: through `authentik Admins` where the contract computes the flag from groups, else (a
 * contract without groups) by the flag on the record itself.
 */
function markAdmin(world: World): void {
  const users = world.userEntity;
  if (!users || world.renderer.flagSource(users.name, 'is_superuser')) return;
  const admin = world.table(users.name).find('username', 'akadmin');
  if (admin && admin['is_superuser'] !== true && 'is_superuser' in admin) world.save(users.name, { ...admin, is_superuser: true });
}

/** Every model name the contract's entities have. */
function modelNamesOf(world: World): string[] {
  return world.resources.flatMap((r) => world.models.modelOf(r.entity) ?? []);
}

/** `/managed/blueprints/`: a BlueprintInstance per applied blueprint, as authentik's discovery records them. */
function recordInstances(world: World, target: WorldBlueprintTarget, results: readonly BlueprintResult[]): void {
  const model = 'authentik_blueprints.blueprintinstance';
  if (!target.hasModel(model)) return;
  for (const result of results) {
    const instance = target.create(model, { name: result.name, path: result.path, context: result.context, enabled: true });
    const entity = world.entity(world.models.entityOf(model)!);
    world.save(entity.name, {
      ...instance,
      status: result.status,
      managed_models: result.managedModels,
      metadata: result.metadata ?? {},
      last_applied: REFERENCE_DATE,
    });
  }
}
