import { deflateSync } from 'node:zlib';

/** Encodes an operation the way authentik's docs do: base64 of the zlib-deflated JSON. */
export function encodeApiKey(operation: object): string {
  return deflateSync(Buffer.from(JSON.stringify(operation))).toString('base64');
}

/** A raw `.api.mdx` page for an operation object that carries `method` and `path`. */
export function rawPage(operation: { operationId: string } & object): string {
  const id = operation.operationId.replace(/_/g, '-');
  return [
    '---',
    `id: ${id}`,
    `title: "${operation.operationId}"`,
    'description: "Synthesised"',
    `sidebar_label: "${operation.operationId}"`,
    'hide_title: true',
    'hide_table_of_contents: true',
    `api: ${encodeApiKey(operation)}`,
    'sidebar_class_name: "get api-method"',
    'info_path: docs/developer-docs/api/reference/authentik',
    'custom_edit_url: null',
    '---',
    '',
    `import ApiTabs from "@theme/ApiTabs";`,
    '',
    `<Heading as={"h1"} className={"openapi__heading"} children={"${operation.operationId}"}></Heading>`,
    '',
  ].join('\n');
}

const VIEWER_HEADER = [
  'Files',
  'authentik/website/docs/developer-docs/api/reference/page.api.mdx',
  'Someone 0123abcd first pass',
  '2024-10-22 15:10:13 -05:00',
  '',
];

/** The page as copied from a source viewer: a few header lines before the front-matter. */
export function viewerCopy(raw: string): string {
  const lines = raw.split('\n');
  return [...VIEWER_HEADER, `${lines.length} lines`, '3 KiB', 'Plaintext', '', raw].join('\n');
}

/** The viewer copy with a line holding only `|` between every two lines. */
export function pipeCopy(raw: string): string {
  const lines = raw.split('\n');
  const header = [`${lines.length} lines`, '3 KiB', 'Plaintext', `${lines.length} lines`, '3 KiB', 'Plaintext'];
  return [...header, lines.flatMap((line, i) => (i === 0 ? [line] : ['|', line])).join('\n')].join('\n');
}
