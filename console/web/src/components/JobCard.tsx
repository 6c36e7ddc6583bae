import { isActiveStatus } from '../api/polling';
import type { Job } from '../api/types';
import { formatBytes } from '../lib/format';
import { assetTypeEmoji, assetTypeLabel } from '../lib/labels';
import { ChevronIcon } from './Icons';
import { JobDetails } from './JobDetails';
import { ProgressBar } from './ProgressBar';
import { RelativeTime } from './RelativeTime';
import { ScanBadge } from './ScanBadge';
import { StatusBadge } from './StatusBadge';

/** The virus, when the scan found one: it leads the card, before any other error. */
function InfectedNotice({ job }: { job: Job }) {
  if (job.scanStatus !== 'INFECTED') return null;
  return (
    <p className="job-infected" data-testid="job-infected">
      <span aria-hidden="true">🦠</span> Virus found: <strong>{job.scanSignature ?? 'unnamed signature'}</strong>. No
      other stage ran on this file.
    </p>
  );
}

/** What a screen reader hears when the job moves on (status, stage, progress by tens). */
function statusAnnouncement(job: Job): string {
  const name = job.title ?? job.assetId;
  if (job.status === 'processing') {
    return `${name}: processing${job.stage ? `, ${job.stage}` : ''}, ${Math.floor(job.progress / 10) * 10}%`;
  }
  return `${name}: ${job.status}`;
}

export function JobCard({ job, expanded, onToggle }: { job: Job; expanded: boolean; onToggle: () => void }) {
  const detailsId = `job-details-${job.id}`;
  const facts = [
    job.mimeType,
    formatBytes(job.fileSize),
    `${job.assetCount} output${job.assetCount === 1 ? '' : 's'}`,
    job.userId,
    job.brandKitId,
  ].filter((f): f is string => Boolean(f));

  return (
    <article
      className={`job-card status-${job.status}`}
      data-testid="job-card"
      data-status={job.status}
      data-job-id={job.id}
    >
      <div className="job-head">
        <div className="job-type" title={assetTypeLabel(job.assetType)}>
          <span className="job-emoji" aria-hidden="true">
            {assetTypeEmoji(job.assetType)}
          </span>
          <span className="job-type-label">{assetTypeLabel(job.assetType)}</span>
        </div>
        <div className="job-main">
          <h3 className="job-title">{job.title ?? job.assetId}</h3>
          <div className="job-ids">
            <span>
              asset <code>{job.assetId}</code>
            </span>
            <span>
              job <code>{job.id}</code>
            </span>
            {job.kind === 'regenerate' && (
              <span className="kind-regenerate">
                ♻️ regenerate{job.regenerateTypes ? `: ${job.regenerateTypes.join(', ')}` : ''}
              </span>
            )}
          </div>
        </div>
        <div className="job-badges">
          <StatusBadge status={job.status} />
          {job.scanStatus && <ScanBadge status={job.scanStatus} signature={job.scanSignature} />}
        </div>
        <button
          type="button"
          className="btn btn-ghost expand-toggle"
          data-testid="expand-toggle"
          aria-expanded={expanded}
          aria-controls={detailsId}
          onClick={onToggle}
        >
          {expanded ? 'Hide' : 'Details'} <ChevronIcon className={expanded ? 'chevron open' : 'chevron'} />
        </button>
      </div>

      {job.status === 'processing' && (
        <ProgressBar value={job.progress} label={`Job ${job.id} progress`} />
      )}

      <div className="job-meta">
        <RelativeTime iso={job.createdAt} prefix="created " />
        {job.completedAt && <RelativeTime iso={job.completedAt} prefix="finished " />}
        {isActiveStatus(job.status) && job.stage && <span className="stage">stage: {job.stage}</span>}
        {facts.map((f) => (
          <span key={f}>{f}</span>
        ))}
      </div>

      <InfectedNotice job={job} />
      {job.errorMessage && (
        <p className="job-error" data-testid="job-error">
          {job.errorMessage}
        </p>
      )}
      <span className="sr-only" aria-live="polite" data-testid="job-live">
        {statusAnnouncement(job)}
      </span>

      {expanded && (
        <div id={detailsId}>
          <JobDetails job={job} />
        </div>
      )}
    </article>
  );
}
