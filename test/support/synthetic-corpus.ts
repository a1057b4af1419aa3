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
      .replace(/"title":"(Widget|WidgetRequest|PatchedWidgetRequest|PaginatedWidgetList|UsedBy|ColorEnum)"/g, (_m, t: string) => `"title":"${t.replace('Widget', `Widget${resource}`)}${t === 'UsedBy' || t === 'ColorEnum' ? resource : ''}"`);
    for (const operation of JSON.parse(text) as PageOperation[]) {
      if (out.length < count) out.push(operation);
    }
  }
  return out;
}
