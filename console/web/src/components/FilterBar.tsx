import { ASSET_TYPES, JOB_STATUSES } from '../api/enums';
import type { AssetType, JobStatus } from '../api/types';
import { ASSET_TYPE_LABEL, STATUS_LABEL } from '../lib/labels';
import { RefreshIcon } from './Icons';

export interface FilterState {
  status: JobStatus | 'all';
  assetType: AssetType | 'all';
}

interface Props {
  value: FilterState;
  onChange: (next: FilterState) => void;
  onRefresh: () => void;
  refreshing: boolean;
  /** The status/type filters apply to jobs only. */
  showFilters: boolean;
}

const isStatus = (v: string): v is JobStatus => (JOB_STATUSES as readonly string[]).includes(v);
const isAssetType = (v: string): v is AssetType => (ASSET_TYPES as readonly string[]).includes(v);

export function FilterBar({ value, onChange, onRefresh, refreshing, showFilters }: Props) {
  return (
    <div className="filter-bar">
      {showFilters && (
        <>
          <label className="field">
            <span>Status</span>
            <select
              data-testid="filter-status"
              value={value.status}
              onChange={(e) => {
                const v = e.target.value;
                onChange({ ...value, status: isStatus(v) ? v : 'all' });
              }}
            >
              <option value="all">All</option>
              {JOB_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
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
