import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, isFiltered, parseViewState, viewStateSearch } from './viewState';

describe('viewState', () => {
  it('reads the defaults from an empty query and writes them as nothing', () => {
    expect(parseViewState('')).toStrictEqual(DEFAULT_VIEW);
    expect(viewStateSearch(DEFAULT_VIEW)).toBe('');
  });

  it('round-trips every field', () => {
    const v = {
      tab: 'dead-letters' as const,
      status: 'failed' as const,
      assetType: 'VIDEO' as const,
      query: 'camera photo',
      createdFrom: '2026-03-01T10:00:00.000Z',
      createdTo: '2026-03-02T10:00:00.000Z',
      sort: 'oldest' as const,
      job: 'job-123',
    };
    expect(parseViewState(viewStateSearch(v))).toStrictEqual(v);
  });

  it('reads unknown or bad values as the defaults', () => {
    expect(parseViewState('?tab=x&status=done&type=thumbnail&sort=up&from=yesterday')).toStrictEqual(
      DEFAULT_VIEW,
    );
  });

  it('says when a filter is set', () => {
    expect(isFiltered(DEFAULT_VIEW)).toBe(false);
    expect(isFiltered({ ...DEFAULT_VIEW, sort: 'oldest', job: 'x' })).toBe(false);
    expect(isFiltered({ ...DEFAULT_VIEW, query: 'x' })).toBe(true);
    expect(isFiltered({ ...DEFAULT_VIEW, createdTo: '2026-03-01T10:00:00.000Z' })).toBe(true);
  });
});
