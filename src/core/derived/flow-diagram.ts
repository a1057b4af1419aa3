/**
 * A flow's diagram, drawn as authentik draws it (authentik/flows/api/flows_diagram.py, `FlowDiagram.build`): mermaid
 * `graph TD` from the flow's authentication requirement, the policies bound to it, its stage bindings in order and
 * the policies bound to each. Derived from the contract: an action on one record whose answer's only field is
 * `diagram`; its stage and policy bindings are the binding models the record's bound fields come from
 * (derived-fields.ts: `Flow.stages` through FlowStageBinding, `Flow.policies` through PolicyBinding).
 */
import type { BoundRecords } from '../../contract/derived-fields.js';
import { properties, type WorldRecord } from '../../contract/entity-model.js';
import { verboseName } from '../../contract/naming.js';
import type { Resource } from '../../contract/resources.js';
import type { OperationSpec } from '../../contract/types.js';
import type { World } from '../../world/world.js';
import { json } from '../http.js';
import type { Feature } from '../extensions.js';
import { findRecord } from '../operations.js';
import { successShape } from './shared.js';

/** One element of the diagram (`DiagramElement`); `action` undefined is Python's None. */
interface Element {
  id: string;
  description: string;
  action?: string;
  sources?: Element[];
  style: [string, string];
}

const BOX: [string, string] = ['[', ']'];
const DOUBLE: [string, string] = ['[[', ']]'];
const ROUND: [string, string] = ['([', '])'];
const HEXAGON: [string, string] = ['{{', '}}'];

const element = (id: string, description: string, action?: string, sources?: Element[], style = BOX): Element => ({
  id,
  description,
  ...(action !== undefined ? { action } : {}),
  ...(sources !== undefined ? { sources } : {}),
  style,
});

/** `DiagramElement.__str__`. */
function draw(el: Element): string {
  let text = `${el.id}${el.style[0]}"${el.description.replaceAll('"', '#quot;')}"${el.style[1]}`;
  if (el.action !== undefined) text = el.action !== '' ? `--${el.action}--> ${text}` : `--> ${text}`;
  return el.sources && el.sources.length > 0 ? el.sources.map((s) => `${s.id} ${text}`).join('\n') : text;
}

/** How the flow's bindings are found in the world. */
interface Bindings {
  world: World;
  stages?: BoundRecords;
  policies?: BoundRecords;
}

/** The bindings of a record through a binding model, in order; those without what they bind (`policy`) left out. */
function boundTo(bindings: Bindings, through: BoundRecords | undefined, entityName: string, target: WorldRecord): WorldRecord[] {
  if (!through) return [];
  const { via } = through;
  return bindings.world.renderer
    .boundTo(through.binding, entityName, target)
    .filter((b) => b[via.field] !== null && b[via.field] !== undefined);
}

/** `Stage (Password Stage)\n<name>`: the bound record's kind (its verbose name) and name. */
function label(bindings: Bindings, kind: string, through: BoundRecords, binding: WorldRecord): string {
  const record = bindings.world.table(through.via.target).get(binding[through.via.field]);
  const type = typeof record?.['verbose_name'] === 'string' ? record['verbose_name'] : verboseName(through.via.target);
  return `${kind} (${type})\n${String(record?.['name'] ?? '')}`;
}

function policyElements(
  bindings: Bindings,
  [entityName, target]: [string, WorldRecord],
  id: (i: number) => string,
  action: (b: WorldRecord) => string,
  parents: Element[],
): Element[] {
  return boundTo(bindings, bindings.policies, entityName, target).map((b, i) =>
    element(id(i), label(bindings, 'Policy', bindings.policies!, b), action(b), parents, HEXAGON),
  );
}

function stageElements(bindings: Bindings, flow: [string, WorldRecord], flowElement: Element): Element[] {
  const elements: Element[] = [];
  const stages: Element[] = [];
  let parents = [flowElement];
  const stageBindings = bindings.stages;
  boundTo(bindings, stageBindings, ...flow).forEach((binding, s) => {
    const stagePolicies = policyElements(
      bindings,
      [stageBindings!.binding.entity, binding],
      (p) => `stage_${s}_policy_${p}`,
      () => '',
      parents,
    );
    elements.push(...stagePolicies);
    const stage = element(
      `stage_${s}`,
      label(bindings, 'Stage', stageBindings!, binding),
      stagePolicies.length > 0 ? 'Policy passed' : '',
      stagePolicies,
      ROUND,
    );
    stages.push(stage);
    parents = [stage];
    // A denied stage policy skips to the next stage: drawn once the next stage is known.
    for (const source of s > 0 ? (stages[s - 1]!.sources ?? []) : [])
      elements.push(element(stage.id, stage.description, 'Policy denied', [source], stage.style));
  });
  if (stages.length > 0) elements.push(element('done', 'End of the flow', '', [stages.at(-1)!], DOUBLE));
  return [...stages, ...elements];
}

function authRequirement(flow: WorldRecord): Element[] {
  const requirement = flow['authentication'];
  if (typeof requirement !== 'string' || requirement === 'none') return [];
  const auth = element('flow_auth_requirement', `Flow authentication requirement\n${requirement}`);
  return [
    auth,
    element('done', 'End of the flow', 'Requirement not fulfilled', [auth], DOUBLE),
    element('flow_start', 'placeholder', 'Requirement fulfilled', [auth]),
  ];
}

export function flowDiagram(world: World, entityName: string, flow: WorldRecord): string {
  const bindings = bindingsOf(world, entityName);
  const flowRecord: [string, WorldRecord] = [entityName, flow];
  const all: Array<string | Element> = ['graph TD', ...authRequirement(flow)];
  const pre = element('flow_pre', 'Pre-flow policies', undefined, undefined, DOUBLE);
  const flowPolicies = policyElements(
    bindings,
    flowRecord,
    (i) => `flow_policy_${i}`,
    (b) => `Binding ${Number(b['order'] ?? 0)}`,
    [pre],
  );
  if (flowPolicies.length > 0) all.push(pre, ...flowPolicies, element('done', 'End of the flow', 'Policy denied', flowPolicies, DOUBLE));
  const flowElement = element(
    'flow_start',
    `Flow\n${String(flow['name'] ?? '')}`,
    flowPolicies.length > 0 ? '' : undefined,
    flowPolicies,
    DOUBLE,
  );
  all.push(flowElement);
  const stages = stageElements(bindings, flowRecord, flowElement);
  all.push(...stages);
  if (stages.length < 1) all.push(element('done', 'End of the flow', '', [flowElement], DOUBLE));
  return all.map((e) => (typeof e === 'string' ? e : draw(e))).join('\n');
}

/** The record's bound fields: the one whose binding model binds users too is the policies', the other the stages'. */
function bindingsOf(world: World, entityName: string): Bindings {
  const bindings: Bindings = { world };
  const users = world.userEntity?.name;
  for (const field of Object.keys(properties(world.entity(entityName).schema))) {
    const derived = world.renderer.derived.of(entityName, field);
    if (derived?.kind !== 'through') continue;
    if (derived.binding.links.some((l) => l.target === users)) bindings.policies = derived;
    else bindings.stages = derived;
  }
  return bindings;
}

function isDiagram(world: World, operation: OperationSpec, resource: Resource | undefined): boolean {
  const shape = operation.method === 'GET' ? successShape(world, operation) : undefined;
  const fields = shape ? Object.keys(shape.fields) : [];
  return !!resource && fields.length === 1 && fields[0] === 'diagram' && operation.path.startsWith(`${resource.path}{`);
}

export const flowDiagramAnswer: Feature = (host) =>
  host.actions.add({
    answers: (operation, world) => isDiagram(world, operation, itemResource(world, operation)),
    answer: (call, resource) => {
      const flow = findRecord(call, resource!);
      const shape = successShape(call.world, call.operation)!;
      return json(shape.status, { diagram: flowDiagram(call.world, resource!.entity, flow) });
    },
  });

/** The resource whose record an item action (`/x/{key}/action/`) acts on. */
function itemResource(world: World, operation: OperationSpec): Resource | undefined {
  const role = world.roles.get(operation.operationId);
  return role?.kind === 'action' && role.onItem ? role.resource : undefined;
}
