// JobFilters → the query string of GET /api/v1/jobs (docs/console.md):
// status, asset_type, limit, offset; a filter that is 'all' or unset is left out.
import type { JobFilters } from './types';

export function jobsQueryString(filters: JobFilters): string {
  const params = new URLSearchParams();
  if (filters.status !== undefined && filters.status !== 'all') params.set('status', filters.status);
  if (filters.assetType !== undefined && filters.assetType !== 'all') {
    params.set('asset_type', filters.assetType);
  }
  if (filters.limit !== undefined) params.set('limit', String(filters.limit));
  if (filters.offset !== undefined) params.set('offset', String(filters.offset));
  const qs = params.toString();
  return qs === '' ? '' : `?${qs}`;
}

/** limit/offset of the paged lists (dead letters). */
export function pageQueryString(limit: number, offset: number): string {
  return `?${new URLSearchParams({ limit: String(limit), offset: String(offset) }).toString()}`;
}
