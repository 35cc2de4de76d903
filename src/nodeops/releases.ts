import { z } from 'zod';
import type { HttpClient } from './http.js';

/**
 * A release feed with the GitHub releases API shape (docs.github.com/rest/releases):
 * `GET /repos/{owner}/{repo}/releases/latest` answers one release, `…/releases` a list,
 * newest first. Drafts and pre-releases are not "the latest release".
 */
const Release = z
  .object({
    tag_name: z.string().max(200),
    draft: z.boolean().optional(),
    prerelease: z.boolean().optional(),
  })
  .loose();

export interface ReleaseFeed {
  /** The latest release's tag; undefined when the feed cannot be read or has none. */
  latest(url: string): Promise<string | undefined>;
}

export function createReleaseFeed(http: HttpClient): ReleaseFeed {
  return {
    async latest(url) {
      try {
        const r = await http.call(url, { idempotent: true });
        if (r.status !== 200) return undefined;
        const list = Array.isArray(r.json)
          ? z.array(Release).parse(r.json)
          : [Release.parse(r.json)];
        return list.find((x) => !x.draft && !x.prerelease)?.tag_name;
      } catch {
        return undefined;
      }
    },
  };
}
