/**
 * The flows of one mock: its sessions, the stage kinds it runs, the challenges of its contract. One per MockServer
 * (`flowRuntime(host)`), so another feature reaches the same sessions and plans (see api.ts).
 */
import type { OperationSpec } from '../contract/types.js';
import type { FeatureHost } from '../core/extensions.js';
import { answersChallenges, ChallengeKit } from './challenges.js';
import { FlowModels } from './models.js';
import type { PlannedStage } from './stage.js';
import { Sessions } from './sessions.js';
import type { StageHandler } from './stage.js';

export class FlowRuntime {
  readonly models: FlowModels;
  readonly sessions: Sessions;
  /** Stage handlers by the stage's model name (`authentik_stages_password.passwordstage`). */
  readonly stages = new Map<string, StageHandler>();
  private challengeKit: ChallengeKit | undefined;

  constructor(readonly host: FeatureHost) {
    this.models = new FlowModels(host.world);
    this.sessions = new Sessions(this.models);
  }

  private operations: { get?: OperationSpec; solve?: OperationSpec } | undefined;

  /** The executor's operations: the GET and the POST that answer the challenge union (found once). */
  get executorOperations(): { get?: OperationSpec; solve?: OperationSpec } {
    if (!this.operations) {
      const contract = this.host.world.contract;
      const operations = contract.operations.filter((o) => answersChallenges(contract, o));
      this.operations = { get: operations.find((o) => o.method === 'GET'), solve: operations.find((o) => o.method === 'POST') };
    }
    return this.operations;
  }

  /** The contract's challenges (built on first use). */
  get kit(): ChallengeKit {
    if (!this.challengeKit) {
      const { get, solve } = this.executorOperations;
      if (!get) throw new Error('this contract has no flow executor (no operation answers the challenge union)');
      this.challengeKit = new ChallengeKit(this.host.world.contract, get, solve);
    }
    return this.challengeKit;
  }

  /** The executor's path for a flow (`/api/v3/flows/executor/{slug}/`), from its operation. */
  executorPath(slug: string): string | undefined {
    const get = this.executorOperations.get;
    if (!get) return undefined;
    const server = get.server.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\/+$/, '');
    return `${server}${get.path.replace(/\{[^}]+\}/, encodeURIComponent(slug))}`;
  }

  /** The handler of a planned stage: its own (in memory), else its kind's; `missing` says why there is none. */
  handlerFor(planned: PlannedStage): StageHandler | { missing: string } {
    if (planned.handler) return planned.handler;
    const stage = planned.stage === undefined ? undefined : this.models.stage(planned.stage);
    if (!stage) return { missing: 'Stage not found.' };
    const model = this.models.stageModel(stage) ?? '';
    return (
      this.stages.get(model) ?? {
        missing: `authentik-mock does not run ${String(stage['verbose_name'] ?? model)} stages ("${String(stage['name'] ?? '')}").`,
      }
    );
  }
}

const runtimes = new WeakMap<FeatureHost, FlowRuntime>();

/** The flows of a mock (made on first use). */
export function flowRuntime(host: FeatureHost): FlowRuntime {
  let runtime = runtimes.get(host);
  if (!runtime) runtimes.set(host, (runtime = new FlowRuntime(host)));
  return runtime;
}
