/**
 * Views whose answer nothing in the world decides, answered as a fresh authentik install answers them, by the
 * component they answer with (authentik-models.json `views`: `Config` of root/config/, the `LicenseSummary` of an
 * unlicensed install, one connected worker), and the running version (admin/version/).
 */
import { freshInstallAnswer } from '../../contract/authentik-models.js';
import type { OperationSpec } from '../../contract/types.js';
import type { World } from '../../world/world.js';
import { json } from '../http.js';
import type { Feature } from '../extensions.js';
import { contractRelease, shownAs, successShape } from './shared.js';

function freshAnswerOf(world: World, operation: OperationSpec): Record<string, unknown> | undefined {
  const shape = operation.method === 'GET' ? successShape(world, operation) : undefined;
  return shape?.component ? freshInstallAnswer(shape.component) : undefined;
}

/** The fields of authentik's VersionSerializer (authentik/admin/api/version.py) a version answer has. */
const VERSION_FIELDS = ['version_current', 'version_latest', 'outdated'];

function isVersion(world: World, operation: OperationSpec): boolean {
  const shape = operation.method === 'GET' ? successShape(world, operation) : undefined;
  return !!shape && VERSION_FIELDS.every((f) => f in shape.fields);
}

/**
 * authentik/admin/api/version.py (VersionSerializer): the running release; on the default tenant the latest is
 * the running one (`version_latest` returns `__version__` for the public schema), so nothing is outdated; the
 * build hash is `GIT_BUILD_HASH`, empty for a release.
 */
function versionOf(release: string): Record<string, unknown> {
  return {
    version_current: release,
    version_latest: release,
    version_latest_valid: true,
    build_hash: '',
    outdated: false,
    outpost_outdated: false,
  };
}

export const freshInstall: Feature = (host) => {
  host.actions.add({
    answers: (operation, world) => freshAnswerOf(world, operation) !== undefined,
    answer: (call) => {
      const shape = successShape(call.world, call.operation)!;
      return json(shape.status, shownAs(call.world, call.operation, shape, freshAnswerOf(call.world, call.operation)!));
    },
  });
  host.actions.add({
    answers: (operation, world) => isVersion(world, operation),
    answer: (call) => {
      const shape = successShape(call.world, call.operation)!;
      return json(shape.status, shownAs(call.world, call.operation, shape, versionOf(contractRelease(call.world))));
    },
  });
};
