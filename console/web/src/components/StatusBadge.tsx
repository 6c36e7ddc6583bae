import type { JobStatus } from '../api/types';
import { STATUS_LABEL } from '../lib/labels';

export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`badge status-badge status-${status}`} data-testid="status-badge" data-status={status}>
      <span className="dot" aria-hidden="true" />
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}
