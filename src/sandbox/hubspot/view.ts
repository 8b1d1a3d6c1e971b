import type { Request } from 'express';
import { DEFAULT_READ, modifiedProperty, type HsObjectType } from './properties.ts';
import type { HsObject, HubSpotStore } from './store.ts';

/** `properties` as the SDK sends it (repeated) or as the docs describe it (comma-separated). */
export function listParam(value: unknown): string[] {
  const parts = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return parts.flatMap((p) => (typeof p === 'string' ? p.split(',') : [])).map((p) => p.trim()).filter((p) => p !== '');
}

export function boolParam(value: unknown): boolean {
  return value === 'true' || value === true;
}

/**
 * An object as the API returns it: requested properties that exist (null when unset; unknown
 * names are silently left out, as HubSpot does), string values only.
 */
export function view(store: HubSpotStore, type: HsObjectType, obj: HsObject, requested: string[]): Record<string, unknown> {
  const names = requested.length > 0 ? requested : DEFAULT_READ[type];
  const properties: Record<string, string | null> = {};
  for (const name of names) {
    if (!store.property(type, name)) continue;
    properties[name] = obj.properties[name] ?? null;
  }
  if (requested.length > 0) {
    // HubSpot adds these three to any explicit property list.
    const modified = modifiedProperty(type);
    properties['createdate'] = obj.properties['createdate'] ?? null;
    properties[modified] = obj.properties[modified] ?? null;
    properties['hs_object_id'] = obj.id;
  }
  return {
    id: obj.id,
    properties,
    createdAt: new Date(obj.createdAt).toISOString(),
    updatedAt: new Date(obj.updatedAt).toISOString(),
    archived: obj.archived,
    ...(obj.archived && obj.archivedAt !== null ? { archivedAt: new Date(obj.archivedAt).toISOString() } : {}),
  };
}

export function requestedProperties(req: Request): string[] {
  return listParam(req.query['properties']);
}
