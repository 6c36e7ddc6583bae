import { JOB_STATUSES } from '../api/enums';
import type { JobStatus, StatusCounts } from '../api/types';
import { STATUS_LABEL } from '../lib/labels';

type Choice = JobStatus | 'all';

/** All / Queued / Processing / … with the number of jobs in each (Bull Board style). */
export function StatusTabs({
  value,
  counts,
  onChange,
}: {
  value: Choice;
  counts: StatusCounts | null;
  onChange: (status: Choice) => void;
}) {
  const all = counts ? JOB_STATUSES.reduce((n, s) => n + counts[s], 0) : null;
  const tabs: { id: Choice; label: string; count: number | null }[] = [
    { id: 'all', label: 'All', count: all },
    ...JOB_STATUSES.map((s) => ({ id: s, label: STATUS_LABEL[s], count: counts ? counts[s] : null })),
  ];
  return (
    <div className="status-tabs" role="group" aria-label="Status">
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          className={value === t.id ? `status-tab active status-${t.id}` : `status-tab status-${t.id}`}
          data-testid="status-tab"
          data-status={t.id}
          data-count={t.count ?? ''}
          aria-pressed={value === t.id}
          onClick={() => onChange(t.id)}
        >
          {t.label}
          {t.count !== null && <span className="status-count">{t.count}</span>}
        </button>
      ))}
    </div>
  );
}
