import { describe, expect, it } from 'vitest';
import { jobsQueryString, pageQueryString } from './query';

describe('jobsQueryString', () => {
  it('puts every filter in the query', () => {
    expect(jobsQueryString({ status: 'queued', assetType: 'IMAGE', limit: 20, offset: 40 })).toBe(
      '?status=queued&asset_type=IMAGE&limit=20&offset=40',
    );
  });

  it("leaves out filters that are 'all'", () => {
    expect(jobsQueryString({ status: 'all', assetType: 'all', limit: 20, offset: 0 })).toBe(
      '?limit=20&offset=0',
    );
  });

  it('leaves out filters that are unset', () => {
    expect(jobsQueryString({ assetType: 'AUDIO' })).toBe('?asset_type=AUDIO');
    expect(jobsQueryString({ status: 'partial' })).toBe('?status=partial');
  });

  it('is empty without any filter', () => {
    expect(jobsQueryString({})).toBe('');
    expect(jobsQueryString({ status: 'all', assetType: 'all' })).toBe('');
  });

  it('puts search, time range and a non-default sort in the query', () => {
    expect(
      jobsQueryString({
        query: '  camera photo ',
        createdFrom: '2026-03-01T10:00:00.000Z',
        createdTo: '2026-03-02T10:00:00.000Z',
        sort: 'oldest',
      }),
    ).toBe(
      '?q=camera+photo&created_from=2026-03-01T10%3A00%3A00.000Z&created_to=2026-03-02T10%3A00%3A00.000Z&sort=oldest',
    );
  });

  it('leaves out an empty search and the default sort', () => {
    expect(jobsQueryString({ query: '   ', createdFrom: '', sort: 'newest' })).toBe('');
  });

  it('keeps offset 0', () => {
    expect(jobsQueryString({ offset: 0 })).toBe('?offset=0');
  });
});

describe('pageQueryString', () => {
  it('has limit and offset', () => {
    expect(pageQueryString(20, 60)).toBe('?limit=20&offset=60');
  });
});
