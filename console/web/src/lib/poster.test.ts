import { describe, expect, it } from 'vitest';
import type { OutputType, ThumbnailSize } from '../api/types';
import { posterFor } from './poster';

const a = (id: string, assetType: OutputType, contentType: string, size: ThumbnailSize | null = null) => ({
  id,
  assetType,
  contentType,
  size,
});

describe('posterFor', () => {
  const small = a('t-s', 'thumbnail', 'image/webp', 'small');
  const large = a('t-l', 'thumbnail', 'image/webp', 'large');
  const clip = a('p', 'preview', 'video/mp4');
  const wave = a('w', 'waveform', 'image/png');
  const peaks = a('k', 'waveform_peaks', 'application/json');
  const audio = a('au', 'preview', 'audio/mpeg');

  it("gives a video clip the job's largest thumbnail", () => {
    expect(posterFor(clip, [small, clip, large])?.id).toBe('t-l');
  });

  it('gives waveform peaks and an audio clip the waveform image', () => {
    expect(posterFor(peaks, [peaks, wave])?.id).toBe('w');
    expect(posterFor(audio, [audio, wave])?.id).toBe('w');
  });

  it('gives none to an image, or when the job has no picture', () => {
    expect(posterFor(small, [small, large])).toBeNull();
    expect(posterFor(clip, [clip])).toBeNull();
  });
});
