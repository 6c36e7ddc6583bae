import { describe, expect, it } from 'vitest';
import { formatAbsoluteTime, formatRelativeTime, isoToLocalInput, localInputToIso, secondsSince } from './time';

const now = Date.parse('2026-11-28T12:00:00.000Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

describe('formatRelativeTime', () => {
  it('says just now under 45 s, either way', () => {
    expect(formatRelativeTime(ago(0), now)).toBe('just now');
    expect(formatRelativeTime(ago(44), now)).toBe('just now');
    expect(formatRelativeTime(ago(-30), now)).toBe('just now');
  });

  it('counts minutes, hours, days, months and years', () => {
    expect(formatRelativeTime(ago(45), now)).toBe('1 minute ago');
    expect(formatRelativeTime(ago(5 * 60 + 10), now)).toBe('5 minutes ago');
    expect(formatRelativeTime(ago(3600), now)).toBe('1 hour ago');
    expect(formatRelativeTime(ago(3 * 3600 + 59 * 60), now)).toBe('3 hours ago');
    expect(formatRelativeTime(ago(86400), now)).toBe('1 day ago');
    expect(formatRelativeTime(ago(29 * 86400), now)).toBe('29 days ago');
    expect(formatRelativeTime(ago(65 * 86400), now)).toBe('2 months ago');
    expect(formatRelativeTime(ago(800 * 86400), now)).toBe('2 years ago');
  });

  it('speaks of the future when the clock is behind', () => {
    expect(formatRelativeTime(ago(-2 * 3600), now)).toBe('in 2 hours');
  });

  it('shows a dash for a missing or bad date', () => {
    expect(formatRelativeTime(null, now)).toBe('—');
    expect(formatRelativeTime(undefined, now)).toBe('—');
    expect(formatRelativeTime('not a date', now)).toBe('—');
  });
});

describe('formatAbsoluteTime', () => {
  it('gives the year and something for a real date, nothing for a bad one', () => {
    expect(formatAbsoluteTime('2026-11-28T06:00:00.000Z')).toMatch(/2026/);
    expect(formatAbsoluteTime('nope')).toBe('');
    expect(formatAbsoluteTime(null)).toBe('');
  });
});

describe('datetime-local inputs', () => {
  it('round-trips a minute in the viewer zone', () => {
    const iso = new Date(2026, 2, 1, 10, 30).toISOString();
    expect(isoToLocalInput(iso)).toBe('2026-03-01T10:30');
    expect(localInputToIso('2026-03-01T10:30')).toBe(iso);
  });

  it('is empty for empty or bad values', () => {
    expect(isoToLocalInput('')).toBe('');
    expect(localInputToIso('')).toBe('');
    expect(localInputToIso('not a time')).toBe('');
  });
});

describe('secondsSince', () => {
  it('counts whole seconds and never goes negative', () => {
    expect(secondsSince(1000, 4999)).toBe(3);
    expect(secondsSince(5000, 1000)).toBe(0);
  });
});
