import { describe, expect, it } from 'vitest';
import { JOB_STATUSES } from './enums';
import { IDLE_POLL_INTERVAL_MS, POLL_INTERVAL_MS, isActiveStatus, jobsRefetchInterval } from './polling';

describe('jobsRefetchInterval', () => {
  it('polls every 2000 ms while a job is queued', () => {
    expect(jobsRefetchInterval([{ status: 'completed' }, { status: 'queued' }])).toBe(2000);
  });

  it('polls every 2000 ms while a job is processing', () => {
    expect(jobsRefetchInterval([{ status: 'processing' }, { status: 'failed' }])).toBe(2000);
  });

  it('slows to every 10 s (never stops) when every job is terminal, partial included', () => {
    expect(
      jobsRefetchInterval([{ status: 'completed' }, { status: 'failed' }, { status: 'partial' }]),
    ).toBe(10_000);
    expect(jobsRefetchInterval([{ status: 'partial' }])).toBe(IDLE_POLL_INTERVAL_MS);
  });

  it('polls an empty list: uploads arrive from outside the page', () => {
    expect(jobsRefetchInterval([])).toBe(2000);
  });

  it('uses a 2 s interval, 10 s when idle', () => {
    expect(POLL_INTERVAL_MS).toBe(2000);
    expect(IDLE_POLL_INTERVAL_MS).toBe(10_000);
  });
});

describe('isActiveStatus', () => {
  it('is true for exactly queued and processing', () => {
    expect(JOB_STATUSES.filter(isActiveStatus)).toEqual(['queued', 'processing']);
  });
});
