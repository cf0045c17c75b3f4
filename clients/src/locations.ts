// The `scopes` answer as Storage Browser locations, and which location a Storage Browser credentials request is
// for. Pure: no I/O. Messages name fields, never values that could be secrets (there are none here).
import { invalidResponse, toVendCredentialsError, VendCredentialsError } from './errors.js';

/** The Storage Browser for S3's permission vocabulary (@aws-amplify/ui-react-storage LocationPermissions). */
export type LocationPermission = 'list' | 'get' | 'write' | 'delete';
const PERMISSIONS: readonly LocationPermission[] = ['list', 'get', 'write', 'delete'];

/** A location as the Storage Browser lists it (its LocationData); `id` is the scope's name (any catalog's). */
export interface VendLocation {
  id: string;
  bucket: string;
  /** Ends in '/': every key of the location starts with it. */
  prefix: string;
  permissions: LocationPermission[];
  type: 'PREFIX';
}

// S3 bucket naming rules (the service validates the same; a bad answer is refused here too, fail closed).
const BUCKET = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The locations of the scopes the caller can get now, from the `scopes` query's result (a GraphQL result with
 * `data.scopes`, or what Amplify threw). Scopes that are unavailable or declare no location are not locations.
 * Throws VendCredentialsError: the service's error for a refusal, InvalidResponse for an unusable answer.
 */
export function locationsFromScopes(result: unknown): VendLocation[] {
  const errors = (result as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0) throw toVendCredentialsError(result, 'scopes');
  const scopes = (result as { data?: { scopes?: unknown } | null } | null)?.data?.scopes;
  if (!Array.isArray(scopes)) throw invalidResponse('No scopes in the answer.');
  const locations: VendLocation[] = [];
  for (const entry of scopes) {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (e.available !== true || e.location === null || e.location === undefined) continue;
    locations.push(location(e.name, e.location));
  }
  return locations;
}

function location(name: unknown, raw: unknown): VendLocation {
  const l = (raw ?? {}) as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') throw invalidResponse('Field name is missing.');
  if (typeof l.bucket !== 'string' || !BUCKET.test(l.bucket)) throw invalidResponse('Field location.bucket is not a bucket name.');
  if (typeof l.prefix !== 'string' || !isFolderPrefix(l.prefix)) throw invalidResponse('Field location.prefix is not a folder prefix.');
  if (!Array.isArray(l.permissions) || l.permissions.length === 0) throw invalidResponse('Field location.permissions is missing.');
  const permissions = l.permissions.map((p: unknown) => (typeof p === 'string' ? p.toLowerCase() : ''));
  if (!permissions.every((p): p is LocationPermission => (PERMISSIONS as readonly string[]).includes(p))) {
    throw invalidResponse('Field location.permissions has an unknown permission.');
  }
  return { id: name, bucket: l.bucket, prefix: l.prefix, permissions: [...new Set(permissions)], type: 'PREFIX' };
}

/** One or more segments, each ending in '/', none empty, '.' or '..' (resolvers/location.py, the same rule). */
export function isFolderPrefix(prefix: string): boolean {
  const segments = prefix.split('/');
  return segments.length > 1 && segments.pop() === '' && segments.every((s) => s !== '' && s !== '.' && s !== '..');
}

/** What the Storage Browser asks credentials for: `s3://<bucket>/<prefix>*` (a prefix) or `s3://<bucket>/<key>`. */
export interface RequestedLocation {
  bucket: string;
  path: string;
}

const S3_URI = /^s3:\/\/([^/]+)\/(.*)$/;

/** The bucket and path of a Storage Browser credentials scope, or undefined when it is not an S3 URI. */
export function parseS3Scope(scope: string): RequestedLocation | undefined {
  const match = S3_URI.exec(scope);
  if (match === null) return undefined;
  const path = match[2]!.endsWith('*') ? match[2]!.slice(0, -1) : match[2]!;
  return { bucket: match[1]!, path };
}

/**
 * The location that grants `permissions` on `scope`: same bucket, a prefix the requested path starts with, and
 * every requested permission; the most specific one when several do. The Storage Browser asks for the location's
 * own prefix, or for a folder under it as the user navigates, always with the location's permissions.
 * Throws VendCredentialsError (ScopeNotFound) when none does: no credentials for a place the caller was not offered.
 */
export function locationFor(locations: readonly VendLocation[], scope: string, permissions: readonly string[]): VendLocation {
  const requested = parseS3Scope(scope);
  const found = requested === undefined
    ? []
    : locations.filter(
        (l) =>
          l.bucket === requested.bucket &&
          requested.path.startsWith(l.prefix) &&
          permissions.every((p) => (l.permissions as readonly string[]).includes(p)),
      );
  const best = found.sort((a, b) => b.prefix.length - a.prefix.length)[0];
  if (best === undefined) {
    throw new VendCredentialsError('ScopeNotFound', 'None of your scopes grants that location with those permissions.');
  }
  return best;
}

export interface LocationsPage {
  items: VendLocation[];
  nextToken: string | undefined;
}

export interface LocationsPageOptions {
  exclude?: { exactPermissions?: readonly string[]; type?: string | readonly string[] };
  nextToken?: string;
  pageSize?: number;
}

/**
 * A page of `locations` as the Storage Browser's listLocations returns it: `exclude` drops locations with exactly
 * those permissions (the browser leaves out write-only ones) or of those types; `nextToken` is the offset of the
 * page (an unknown token is an empty last page, as Amplify's own adapter answers it).
 */
export function pageOfLocations(locations: readonly VendLocation[], options: LocationsPageOptions = {}): LocationsPage {
  const { exclude, nextToken, pageSize } = options;
  const exact = exclude?.exactPermissions === undefined ? undefined : [...new Set(exclude.exactPermissions)].sort().join(',');
  const types = exclude?.type === undefined ? [] : typeof exclude.type === 'string' ? [exclude.type] : exclude.type;
  const kept = locations.filter(
    (l) => !types.includes(l.type) && (exact === undefined || [...l.permissions].sort().join(',') !== exact),
  );
  const start = nextToken === undefined ? 0 : /^\d+$/.test(nextToken) ? Number(nextToken) : kept.length;
  if (pageSize === undefined || !(Number.isInteger(pageSize) && pageSize > 0)) {
    return { items: kept.slice(start), nextToken: undefined };
  }
  const end = start + pageSize;
  return { items: kept.slice(start, end), nextToken: end < kept.length ? String(end) : undefined };
}
