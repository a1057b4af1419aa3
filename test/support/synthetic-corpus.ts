import { widgetOperations, type PageOperation } from './synthetic-operations.js';

/**
 * A corpus shaped like the full reference: many resources, each with its own titled components, all sharing the
 * error and pagination components. Resource i renames Widget → Widget{i} and /widgets/widgets/ → /area{i%12}/res{i}/.
 */
export function syntheticOperations(count: number): PageOperation[] {
  const out: PageOperation[] = [];
  for (let resource = 0; out.length < count; resource++) {
    const text = JSON.stringify(widgetOperations)
      .replaceAll('/widgets/widgets/', `/area${resource % 12}/res${resource}/`)
      .replaceAll('widgets_widgets_', `area${resource % 12}_res${resource}_`)
      .replace(
        /"title":"(Widget|WidgetRequest|PatchedWidgetRequest|PaginatedWidgetList|UsedBy|ColorEnum)"/g,
        (_m, t: string) => `"title":"${t.replace('Widget', `Widget${resource}`)}${t === 'UsedBy' || t === 'ColorEnum' ? resource : ''}"`,
      );
    for (const operation of JSON.parse(text) as PageOperation[]) {
      if (out.length < count) out.push(operation);
    }
  }
  return out;
}

/**
 * An OpenAPI document whose components embed each other (component i embeds i+1, i+2 and i+7): a DAG as deep as
 * `components`. Copying shared components, or generating embedded records inside records, grows exponentially here.
 */
export function interlinkedOpenApiDocument(components: number, operations: number): string {
  const schemas: Record<string, unknown> = {};
  for (let i = 0; i < components; i++) {
    const properties: Record<string, unknown> = { pk: { type: 'integer', readOnly: true }, name: { type: 'string', maxLength: 64 } };
    for (const j of [i + 1, i + 2, i + 7]) if (j < components) properties[`c${j}`] = { $ref: `#/components/schemas/C${j}` };
    schemas[`C${i}`] = { type: 'object', properties, required: ['pk', 'name'] };
  }
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < operations; i++) {
    const schema = { $ref: `#/components/schemas/C${i % components}` };
    const responses = {
      '200': { description: '', content: { 'application/json': { schema } } },
      '403': {
        description: '',
        content: { 'application/json': { schema: { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] } } },
      },
    };
    paths[`/r${i}/{id}/`] = {
      get: {
        operationId: `r${i}_retrieve`,
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'integer' } }],
        responses,
      },
    };
  }
  return JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'authentik', version: '2024.8' },
    servers: [{ url: '/api/v3/' }],
    security: [{ authentik: [] }],
    paths,
    components: { schemas },
  });
}
