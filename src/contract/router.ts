import type { HttpMethod, OperationSpec } from './types.js';

interface RouteNode {
  literal: Map<string, RouteNode>;
  param?: { name: string; node: RouteNode };
  operations: Map<HttpMethod, OperationSpec>;
}

const newNode = (): RouteNode => ({ literal: new Map(), operations: new Map() });

const MATCHES_KEPT = 4096;
const MAX_KEPT_PATH = 512;

/** A match is shared by every request for its path: nobody may change it. */
function frozen(match: RouteMatch): RouteMatch {
  if (match.kind === 'operation') Object.freeze(match.pathParams);
  if (match.kind === 'method-not-allowed') Object.freeze(match.allowed);
  return Object.freeze(match);
}

export type RouteMatch =
  | { kind: 'operation'; operation: OperationSpec; pathParams: Readonly<Record<string, string>> }
  | { kind: 'method-not-allowed'; allowed: readonly HttpMethod[] }
  | { kind: 'not-found' };

/** Segment trie over `server + path` templates: literal segments win over `{param}` ones, as in Django's URL order. */
export class Router {
  private readonly root = newNode();

  add(operation: OperationSpec): void {
    this.forget();
    let node = this.root;
    for (const segment of segments(joinPath(operation.server, operation.path))) {
      const param = /^\{([^}]+)\}$/.exec(segment)?.[1];
      if (param === undefined) {
        let next = node.literal.get(segment);
        if (!next) node.literal.set(segment, (next = newNode()));
        node = next;
      } else {
        node.param ??= { name: param, node: newNode() };
        node = node.param.node;
      }
    }
    node.operations.set(operation.method, operation);
  }

  /**
   * Recent matches by method, then path (no key string made per request): the same paths are asked again and again
   * (at most MATCHES_KEPT in all).
   */
  private readonly matches = new Map<string, Map<string, RouteMatch>>();
  private keptCount = 0;

  match(method: string, pathname: string): RouteMatch {
    const kept = this.matches.get(method)?.get(pathname);
    if (kept) return kept;
    const match = frozen(this.find(method, pathname));
    // Junk paths (not found, or long) are not kept: they would only fill the Map.
    if (match.kind !== 'not-found' && pathname.length <= MAX_KEPT_PATH) {
      if (this.keptCount >= MATCHES_KEPT) this.forget();
      let paths = this.matches.get(method);
      if (!paths) this.matches.set(method, (paths = new Map()));
      paths.set(pathname, match);
      this.keptCount++;
    }
    return match;
  }

  private forget(): void {
    this.matches.clear();
    this.keptCount = 0;
  }

  private find(method: string, pathname: string): RouteMatch {
    const parts = segments(pathname);
    const params: Array<[string, string]> = [];
    const node = this.walk(this.root, parts, 0, params);
    if (!node) return { kind: 'not-found' };
    const operation = node.operations.get(method.toUpperCase() as HttpMethod);
    if (!operation) return { kind: 'method-not-allowed', allowed: [...node.operations.keys()] };
    return { kind: 'operation', operation, pathParams: Object.fromEntries(params) };
  }

  private walk(node: RouteNode, parts: string[], i: number, params: Array<[string, string]>): RouteNode | undefined {
    if (i === parts.length) return node.operations.size > 0 ? node : undefined;
    const part = parts[i]!;
    const literal = node.literal.get(part);
    const viaLiteral = literal && this.walk(literal, parts, i + 1, params);
    if (viaLiteral) return viaLiteral;
    if (!node.param || part === '') return undefined;
    params.push([node.param.name, part]);
    const viaParam = this.walk(node.param.node, parts, i + 1, params);
    if (!viaParam) params.pop();
    return viaParam;
  }
}

export function joinPath(server: string, path: string): string {
  return `${server.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** `/api/v3/core/users/` → ['api','v3','core','users','']: the trailing slash is a segment, so it must match. */
function segments(path: string): string[] {
  const parts = path.split('/').slice(1);
  // Most paths have nothing to decode: asked on every request.
  return path.includes('%') ? parts.map((s) => safeDecode(s)) : parts;
}

/** A path segment decoded, or as it is when it is not valid percent-encoding (then it names nothing). */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
