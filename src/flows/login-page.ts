/**
 * The login page at `/if/flow/{slug}/` (authentik's FlowInterfaceView, authentik/flows/views/interface.py: an unknown
 * slug is a 404): a page and one ES module that drive the executor, under a strict CSP. The files are the Node side's
 * to read and give (`login-page/` in the package, see adapters/express.ts): this module only serves what it is given,
 * so browser bundles carry none of them.
 */
import type { FeatureHost, SiteRoute } from '../core/extensions.js';
import { httpError } from '../core/http.js';
import { escapeHtml, notFoundPage, unhandledMethod } from './pages.js';
import { flowRuntime, type FlowRuntime } from './runtime.js';

export interface LoginPageFiles {
  html: string;
  js: string;
  css: string;
}

/** Where the page's module and style sheet are served (authentik serves its own files under /static/). */
export const LOGIN_ASSETS = '/static/authentik-mock/';

const PAGE = /^\/if\/flow\/([^/]+)\/$/;
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; base-uri 'none'; frame-ancestors 'self'";

function loginPageRoute(runtime: FlowRuntime, files: LoginPageFiles): SiteRoute {
  const assets: Record<string, { type: string; body: string }> = {
    'flow.js': { type: 'text/javascript; charset=utf-8', body: files.js },
    'flow.css': { type: 'text/css; charset=utf-8', body: files.css },
  };
  const headers = (type: string) => ({
    'content-type': type,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  return {
    matches: (path) => PAGE.test(path) || path.startsWith(LOGIN_ASSETS),
    handle(context) {
      // The page is Django's `FlowInterfaceView` (a TemplateView), the files are served beside it: a 405 and OPTIONS
      // are Django's answers, not DRF's.
      const unhandled = unhandledMethod(context.method, ['GET']);
      if (unhandled) return unhandled;
      if (context.path.startsWith(LOGIN_ASSETS)) {
        const name = context.path.slice(LOGIN_ASSETS.length);
        const asset = Object.hasOwn(assets, name) ? assets[name]! : undefined;
        if (!asset) throw httpError(404, 'Not found.');
        return { status: 200, headers: headers(asset.type), body: asset.body };
      }
      let slug: string;
      try {
        slug = decodeURIComponent(PAGE.exec(context.path)![1]!);
      } catch {
        return notFoundPage();
      }
      const executor = runtime.models.flowBySlug(slug) && runtime.executorPath(slug);
      if (!executor) return notFoundPage();
      return {
        status: 200,
        headers: headers('text/html; charset=utf-8'),
        body: files.html.replace('{{executor}}', escapeHtml(executor)),
      };
    },
  };
}

const installed = new WeakSet<FeatureHost>();

/** Serves the login page from these files (once per mock). */
export function installLoginPage(host: FeatureHost, files: LoginPageFiles): void {
  if (installed.has(host)) return;
  installed.add(host);
  host.site.add(loginPageRoute(flowRuntime(host), files));
}
