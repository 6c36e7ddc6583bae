// When the jobs list (and an open job) is re-fetched: every 2 s while any
// loaded job is still queued or processing, or while the list is empty (jobs
// come from outside the page, by upload: the empty state says they show up
// by themselves); not at all once every loaded job is terminal (completed,
// failed, partial).
import { ACTIVE_JOB_STATUSES } from './enums';
import type { JobStatus } from './types';

export const POLL_INTERVAL_MS = 2000;

export function isActiveStatus(status: JobStatus): boolean {
  return (ACTIVE_JOB_STATUSES as readonly string[]).includes(status);
}

export function jobsRefetchInterval(jobs: readonly { status: JobStatus }[]): number | false {
  return jobs.length === 0 || jobs.some((job) => isActiveStatus(job.status)) ? POLL_INTERVAL_MS : false;
}
