/**
 * Which of authentik's shipped blueprints a fresh install applies, and in which order.
 *
 * authentik discovers every `*.yaml` under its blueprints folder (`blueprints_find`, authentik/blueprints/v1/tasks.py:
 * `Path.rglob`, hidden paths skipped), creates a BlueprintInstance for each one not labelled
 * `blueprints.goauthentik.io/instantiate: "false"` (the `example/` ones) and queues one `apply_blueprint` task per file,
 * in the order `rglob` yields them: the file system's directory order, so no order is promised. Blueprints that need
 * another one say so with `authentik_blueprints.metaapplyblueprint` entries (the brand needs the default flows, the
 * events blueprint needs `system/bootstrap.yaml`…), which apply it first. `migrations/` is applied by database
 * migrations, not by discovery.
 *
 * The mock takes one order authentik could take, and a reproducible one: `system/` then `default/`, each by path.
 * With the meta-apply entries the outcome is the same as in any other order.
 */
import type { BlueprintSource } from './types.js';

export const DEFAULT_BLUEPRINT_FOLDERS = ['system/', 'default/'] as const;

/** The default blueprints among `sources` (paths relative to the blueprints folder), in the order the mock applies them. */
export function defaultBlueprints<T extends Pick<BlueprintSource, 'path'>>(sources: readonly T[]): T[] {
  const rank = (path: string) => DEFAULT_BLUEPRINT_FOLDERS.findIndex((folder) => path.startsWith(folder));
  return sources
    .filter((source) => rank(source.path) >= 0)
    .sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
