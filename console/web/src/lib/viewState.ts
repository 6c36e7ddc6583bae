// What the page shows, kept in its URL so that a reload keeps it and a link
// can be shared: /dashboard/assets?tab=dead-letters, ?status=failed&type=VIDEO
// &q=photo&from=…&to=…&sort=oldest&job=job-123 (the open job). Defaults are
// left out; unknown or bad values read as the default.
import { ASSET_TYPES, JOB_STATUSES } from '../api/enums';
import { JOB_SORTS, type AssetType, type JobSort, type JobStatus } from '../api/types';

export type TabId = 'jobs' | 'dead-letters';

export interface ViewState {
  tab: TabId;
  status: JobStatus | 'all';
  assetType: AssetType | 'all';
  query: string;
  /** ISO 8601, '' when unset. */
  createdFrom: string;
  createdTo: string;
  sort: JobSort;
  /** The open (expanded) job, '' when none. */
  job: string;
}

export const DEFAULT_VIEW: ViewState = {
  tab: 'jobs',
  status: 'all',
  assetType: 'all',
  query: '',
  createdFrom: '',
  createdTo: '',
  sort: 'newest',
  job: '',
};

const oneOf = <T extends string>(list: readonly T[], v: string | null, fallback: T): T =>
  v !== null && (list as readonly string[]).includes(v) ? (v as T) : fallback;

const isoOrEmpty = (v: string | null): string =>
  v !== null && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString() : '';

export function parseViewState(search: string): ViewState {
  const p = new URLSearchParams(search);
  return {
    tab: oneOf<TabId>(['jobs', 'dead-letters'], p.get('tab'), 'jobs'),
    status: oneOf<JobStatus | 'all'>(JOB_STATUSES, p.get('status'), 'all'),
    assetType: oneOf<AssetType | 'all'>(ASSET_TYPES, p.get('type'), 'all'),
    query: p.get('q') ?? '',
    createdFrom: isoOrEmpty(p.get('from')),
    createdTo: isoOrEmpty(p.get('to')),
    sort: oneOf<JobSort>(JOB_SORTS, p.get('sort'), 'newest'),
    job: p.get('job') ?? '',
  };
}

/** '?…' or '' for the defaults. */
export function viewStateSearch(v: ViewState): string {
  const p = new URLSearchParams();
  if (v.tab !== 'jobs') p.set('tab', v.tab);
  if (v.status !== 'all') p.set('status', v.status);
  if (v.assetType !== 'all') p.set('type', v.assetType);
  if (v.query !== '') p.set('q', v.query);
  if (v.createdFrom !== '') p.set('from', v.createdFrom);
  if (v.createdTo !== '') p.set('to', v.createdTo);
  if (v.sort !== 'newest') p.set('sort', v.sort);
  if (v.job !== '') p.set('job', v.job);
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

/** Any filter set (the empty state then offers to clear them). */
export function isFiltered(v: ViewState): boolean {
  return (
    v.status !== 'all' ||
    v.assetType !== 'all' ||
    v.query.trim() !== '' ||
    v.createdFrom !== '' ||
    v.createdTo !== ''
  );
}
