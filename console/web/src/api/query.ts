// JobFilters → the query string of GET /api/v1/jobs (docs/console.md):
// status, asset_type, q, created_from, created_to, sort, limit, offset; a
// filter that is 'all', empty or unset is left out, and so is the default
// sort (newest).
import type { JobFilters } from './types';

export function jobsQueryString(filters: JobFilters): string {
  const params = new URLSearchParams();
  if (filters.status !== undefined && filters.status !== 'all') params.set('status', filters.status);
  if (filters.assetType !== undefined && filters.assetType !== 'all') {
    params.set('asset_type', filters.assetType);
  }
  const query = filters.query?.trim();
  if (query) params.set('q', query);
  if (filters.createdFrom) params.set('created_from', filters.createdFrom);
  if (filters.createdTo) params.set('created_to', filters.createdTo);
  if (filters.sort !== undefined && filters.sort !== 'newest') params.set('sort', filters.sort);
  if (filters.limit !== undefined) params.set('limit', String(filters.limit));
  if (filters.offset !== undefined) params.set('offset', String(filters.offset));
  const qs = params.toString();
  return qs === '' ? '' : `?${qs}`;
}

/** limit/offset of the paged lists (dead letters). */
export function pageQueryString(limit: number, offset: number): string {
  return `?${new URLSearchParams({ limit: String(limit), offset: String(offset) }).toString()}`;
}
