// When the jobs list (and an open job) is re-fetched: every 2 s while any
// loaded job is still queued or processing, or while the list is empty (jobs
// come from outside the page, by upload: the empty state says they show up
// by themselves); every 10 s once every loaded job is terminal (completed,
// failed, partial), so that new uploads still show up. The list answers
// 304 to an unchanged ETag, so an idle poll costs next to nothing.
import { ACTIVE_JOB_STATUSES } from './enums';
import type { JobStatus } from './types';

export const POLL_INTERVAL_MS = 2000;
export const IDLE_POLL_INTERVAL_MS = 10_000;

export function isActiveStatus(status: JobStatus): boolean {
  return (ACTIVE_JOB_STATUSES as readonly string[]).includes(status);
}

export function jobsRefetchInterval(jobs: readonly { status: JobStatus }[]): number {
  return jobs.length === 0 || jobs.some((job) => isActiveStatus(job.status))
    ? POLL_INTERVAL_MS
    : IDLE_POLL_INTERVAL_MS;
}
