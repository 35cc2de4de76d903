import { html as honoHtml, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString;

/**
 * Hono's escaping template (every interpolated string is escaped, arrays are joined,
 * `undefined`/`false` print nothing). Typed synchronous: the pages never interpolate a
 * promise.
 */
export const html = (strings: TemplateStringsArray, ...values: unknown[]): Html =>
  honoHtml(strings, ...values) as Html;

export { raw };
