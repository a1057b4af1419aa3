import { flowPagePath, type QueryDict } from '../query.js';
import { SESSION_KEY_GET } from '../executor.js';
import type { StageRun } from '../stage.js';

/**
 * `reverse_with_qs("authentik_core:if-flow", query=request.session[SESSION_KEY_GET], kwargs={"flow_slug": slug})`:
 * the flow's page with the running flow's query (so `next` carries over).
 */
export function flowInterfaceUrl(run: StageRun, slug: string): string {
  return flowPagePath(slug, run.session.get<QueryDict>(SESSION_KEY_GET)?.items());
}
