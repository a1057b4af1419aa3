/** The demo console's files, served under /_mock/ui/ (a placeholder until the console is written). */
export interface ConsoleAsset {
  contentType: string;
  body: string;
}

const ASSETS: Record<string, ConsoleAsset> = {
  '': { contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>authentik-mock</title><p>console</p>' },
};

/** The file at `name` (the part after /_mock/ui/; '' is the page itself), or undefined. */
export function consoleAsset(name: string): ConsoleAsset | undefined {
  return Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
}
