import { useJob, useJobs } from '../api/hooks';
import { isFiltered, type ViewState } from '../lib/viewState';
import { EmptyState } from './EmptyState';
import { ErrorBanner } from './ErrorBanner';
import { JobCard } from './JobCard';
import { LiveIndicator } from './LiveIndicator';
import { RetryFailed } from './RetryFailed';
import { StatusTabs } from './StatusTabs';

interface Props {
  view: ViewState;
  onChange: (next: ViewState) => void;
  onClearFilters: () => void;
}

/** The job a shared link opens when it is not on the loaded pages. */
function LinkedJob({ jobId, onToggle }: { jobId: string; onToggle: () => void }) {
  const job = useJob(jobId);
  if (job.isError) return <ErrorBanner what={`job ${jobId}`} error={job.error} />;
  if (!job.data) return null;
  return (
    <div className="linked-job">
      <JobCard job={job.data} expanded onToggle={onToggle} />
    </div>
  );
}

export function JobList({ view, onChange, onClearFilters }: Props) {
  const jobs = useJobs(view);
  const toggle = (id: string) => onChange({ ...view, job: view.job === id ? '' : id });
  const counts = jobs.data?.counts ?? null;

  const header = (
    <div className="list-head">
      <StatusTabs value={view.status} counts={counts} onChange={(status) => onChange({ ...view, status })} />
      <div className="list-head-side">
        <RetryFailed failed={counts?.failed ?? 0} />
        <LiveIndicator updatedAt={jobs.dataUpdatedAt} failed={jobs.isRefetchError} />
      </div>
    </div>
  );

  if (jobs.isPending) {
    return (
      <>
        {header}
        <p className="muted loading" data-testid="loading">
          Loading jobs…
        </p>
      </>
    );
  }
  if (jobs.isLoadingError) {
    return <ErrorBanner what="the jobs" error={jobs.error} onRetry={() => void jobs.refetch()} />;
  }

  const { items, total } = jobs.data;
  const linked = view.job !== '' && !items.some((j) => j.id === view.job);
  return (
    <>
      {header}
      {jobs.isRefetchError && <ErrorBanner what="the latest jobs" error={jobs.error} />}
      {linked && <LinkedJob jobId={view.job} onToggle={() => toggle(view.job)} />}
      {items.length === 0 ? (
        <EmptyState filtered={isFiltered(view)} onClearFilters={onClearFilters} />
      ) : (
        <>
          <p className="muted count" data-testid="job-count">
            Showing {items.length} of {total} job{total === 1 ? '' : 's'}
          </p>
          <div className="job-list">
            {items.map((job) => (
              <JobCard key={job.id} job={job} expanded={view.job === job.id} onToggle={() => toggle(job.id)} />
            ))}
          </div>
        </>
      )}
      {jobs.hasNextPage && (
        <div className="load-more-row">
          <button
            type="button"
            className="btn btn-secondary"
            data-testid="load-more"
            disabled={jobs.isFetchingNextPage}
            onClick={() => void jobs.fetchNextPage()}
          >
            {jobs.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
