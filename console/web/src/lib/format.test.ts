import { describe, expect, it } from 'vitest';
import { absoluteUrl, formatBytes, formatDuration, formatMs } from './format';

describe('formatBytes', () => {
  it('scales to the right unit', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4711)).toBe('4.6 KB');
    expect(formatBytes(123456)).toBe('121 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });

  it('is empty for an unknown size', () => {
    expect(formatBytes(null)).toBe('');
  });
});

describe('formatMs', () => {
  it('shows ms under a second, seconds above', () => {
    expect(formatMs(42)).toBe('42 ms');
    expect(formatMs(1520)).toBe('1.52 s');
  });
});

describe('formatDuration', () => {
  it('shows m:ss', () => {
    expect(formatDuration(10)).toBe('0:10');
    expect(formatDuration(75.4)).toBe('1:15');
    expect(formatDuration(null)).toBe('');
  });
});

describe('absoluteUrl', () => {
  it('resolves the console route against the origin and keeps presigned URLs', () => {
    expect(absoluteUrl('/api/v1/assets/a.thumbnail-small/content', 'http://127.0.0.1:8080')).toBe(
      'http://127.0.0.1:8080/api/v1/assets/a.thumbnail-small/content',
    );
    const s3 = 'https://bucket.example/derived/a/thumbnail_small.webp?X-Amz-Signature=abc';
    expect(absoluteUrl(s3, 'http://127.0.0.1:8080')).toBe(s3);
  });
});
