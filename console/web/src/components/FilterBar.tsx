import { useEffect, useState } from 'react';
import { ASSET_TYPES } from '../api/enums';
import { JOB_SORTS, type AssetType, type JobSort } from '../api/types';
import { ASSET_TYPE_LABEL } from '../lib/labels';
import { isoToLocalInput, localInputToIso } from '../lib/time';
import type { ViewState } from '../lib/viewState';
import { RefreshIcon } from './Icons';

interface Props {
  value: ViewState;
  onChange: (next: ViewState) => void;
  onRefresh: () => void;
  refreshing: boolean;
  /** The filters apply to jobs only. */
  showFilters: boolean;
}

const SORT_LABEL: Record<JobSort, string> = {
  newest: 'Newest first',
  oldest: 'Oldest first',
  updated: 'Recently updated',
};

const isAssetType = (v: string): v is AssetType => (ASSET_TYPES as readonly string[]).includes(v);
const isSort = (v: string): v is JobSort => (JOB_SORTS as readonly string[]).includes(v);

/** The search box: the list follows 300 ms after the last key stroke. */
function SearchField({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = window.setTimeout(() => onSearch(text), 300);
    return () => window.clearTimeout(timer);
  }, [text, value, onSearch]);
  return (
    <label className="field search-field">
      <span>Search</span>
      <input
        type="search"
        data-testid="filter-search"
        placeholder="Asset id, job id or file name"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </label>
  );
}

function TimeField({ label, testId, iso, onChange }: { label: string; testId: string; iso: string; onChange: (iso: string) => void }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="datetime-local"
        data-testid={testId}
        value={isoToLocalInput(iso)}
        onChange={(e) => onChange(localInputToIso(e.target.value))}
      />
    </label>
  );
}

export function FilterBar({ value, onChange, onRefresh, refreshing, showFilters }: Props) {
  return (
    <div className="filter-bar">
      {showFilters && (
        <>
          <SearchField value={value.query} onSearch={(query) => onChange({ ...value, query, job: '' })} />
          <label className="field">
            <span>Asset type</span>
            <select
              data-testid="filter-type"
              value={value.assetType}
              onChange={(e) => {
                const v = e.target.value;
                onChange({ ...value, assetType: isAssetType(v) ? v : 'all' });
              }}
            >
              <option value="all">All</option>
              {ASSET_TYPES.map((t) => (
                <option key={t} value={t}>
                  {ASSET_TYPE_LABEL[t]}
                </option>
              ))}
            </select>
          </label>
          <TimeField label="Created from" testId="filter-from" iso={value.createdFrom} onChange={(createdFrom) => onChange({ ...value, createdFrom })} />
          <TimeField label="Created to" testId="filter-to" iso={value.createdTo} onChange={(createdTo) => onChange({ ...value, createdTo })} />
          <label className="field">
            <span>Sort</span>
            <select
              data-testid="filter-sort"
              value={value.sort}
              onChange={(e) => {
                const v = e.target.value;
                onChange({ ...value, sort: isSort(v) ? v : 'newest' });
              }}
            >
              {JOB_SORTS.map((s) => (
                <option key={s} value={s}>
                  {SORT_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      <button
        type="button"
        className="btn btn-secondary refresh"
        data-testid="refresh"
        onClick={onRefresh}
        aria-busy={refreshing}
      >
        <RefreshIcon className={refreshing ? 'spin' : undefined} /> Refresh
      </button>
    </div>
  );
}
