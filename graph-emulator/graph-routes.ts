/** Every Graph endpoint the emulator answers, and how a request finds its route in the version it called. */
import type { ApiVersion } from './http-types.js';
import { AUTOPILOT_ROUTES } from './routes/autopilot.js';
import { DIRECTORY_ROUTES } from './routes/directory.js';
import { IMPORTED_ROUTES } from './routes/imported.js';
import { LIFECYCLE_ROUTES } from './routes/lifecycle.js';
import type { Route } from './routes/route.js';

export type { Route } from './routes/route.js';

export const ROUTES: Route[] = [
  ...IMPORTED_ROUTES,
  ...AUTOPILOT_ROUTES,
  ...DIRECTORY_ROUTES,
  ...LIFECYCLE_ROUTES,
];

export type RouteLookup =
  | { kind: 'found'; route: Route; match: RegExpMatchArray }
  /** The route exists, in another API version only. */
  | { kind: 'other_version'; route: Route }
  /** No route has this path: `segment` is the first segment the emulator does not know. */
  | { kind: 'unknown'; segment: string };

/** The literal words of every route's path; a segment that is none of them (and no id) is the unknown one. */
const KNOWN_SEGMENTS = new Set(
  ROUTES.flatMap((r) => r.pattern.source.toLowerCase().match(/[a-z][a-z$]+/g) ?? []),
);
const looksLikeId = (segment: string) => /^[0-9a-f-]{8,}$/i.test(segment) || segment.includes('(');

export function findRoute(method: string, path: string, version: ApiVersion): RouteLookup {
  const lower = path.toLowerCase();
  let elsewhere: Route | undefined;
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = lower.match(route.pattern);
    if (!match) continue;
    if (route.versions.includes(version)) return { kind: 'found', route, match };
    elsewhere ??= route;
  }
  if (elsewhere) return { kind: 'other_version', route: elsewhere };
  const segments = path.split('/').filter(Boolean);
  return {
    kind: 'unknown',
    segment:
      segments.find((s) => !looksLikeId(s) && !KNOWN_SEGMENTS.has(s.toLowerCase())) ?? segments[0] ?? '',
  };
}
