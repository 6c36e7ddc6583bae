// A still picture for an output that is not one itself: a video preview
// clip shows the job's largest thumbnail; an audio clip or the waveform
// peaks (JSON) show the job's waveform image. null when the job has none.
import type { Asset } from '../api/types';
import { mediaKind } from './labels';

const SIZE_RANK = { small: 1, medium: 2, large: 3 } as const;

type PosterFields = Pick<Asset, 'id' | 'assetType' | 'contentType' | 'size'>;

export function posterFor<T extends PosterFields>(asset: T, siblings: readonly T[]): T | null {
  const kind = mediaKind(asset);
  if (kind === 'image') return null;
  const images = siblings.filter((a) => a.id !== asset.id && mediaKind(a) === 'image');
  if (kind === 'video') {
    const thumbs = images.filter((a) => a.assetType === 'thumbnail');
    thumbs.sort((a, b) => (b.size ? SIZE_RANK[b.size] : 0) - (a.size ? SIZE_RANK[a.size] : 0));
    return thumbs[0] ?? null;
  }
  if (kind === 'audio' || asset.assetType === 'waveform_peaks') {
    return images.find((a) => a.assetType === 'waveform') ?? null;
  }
  return null;
}
