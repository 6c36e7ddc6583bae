import { useJobs } from '../api/hooks';
import { EmptyState } from './EmptyState';
import { ErrorBanner } from './ErrorBanner';
import type { FilterState } from './FilterBar';
import { JobCard } from './JobCard';

export function JobList({ filters, onClearFilters }: { filters: FilterState; onClearFilters: () => void }) {
  const jobs = useJobs(filters);

  if (jobs.isPending) {
    return (
      <p className="muted loading" data-testid="loading">
        Loading jobs…
      </p>
    );
  }
  if (jobs.isLoadingError) {
    return <ErrorBanner what="the jobs" error={jobs.error} onRetry={() => void jobs.refetch()} />;
  }

  const { items, total } = jobs.data;
  if (items.length === 0) {
    const filtered = filters.status !== 'all' || filters.assetType !== 'all';
    return <EmptyState filtered={filtered} onClearFilters={onClearFilters} />;
  }

  return (
    <>
      {jobs.isRefetchError && <ErrorBanner what="the latest jobs" error={jobs.error} />}
      <p className="muted count" data-testid="job-count">
        Showing {items.length} of {total} job{total === 1 ? '' : 's'}
      </p>
      <div className="job-list">
        {items.map((job) => (
          <JobCard key={job.id} job={job} />
        ))}
      </div>
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
