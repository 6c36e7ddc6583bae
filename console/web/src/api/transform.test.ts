import { describe, expect, it } from 'vitest';
import type { RawAsset, RawDeadLetter, RawJob, RawJobDetail } from './raw';
import {
  transformAsset,
  transformDeadLetter,
  transformDeadLetterList,
  transformJob,
  transformJobDetail,
  transformJobList,
  transformReplay,
  transformRegenerate,
} from './transform';

const rawJob: RawJob = {
  id: 'job-1',
  user_id: 'user-1',
  brand_kit_id: 'proj-1',
  asset_type: 'VIDEO',
  status: 'processing',
  progress: 40,
  error_message: 'ASSET_PROCESSING_FAILED: boom',
  created_at: '2026-11-28T06:00:00.000Z',
  updated_at: '2026-11-28T06:00:05.000Z',
  completed_at: '2026-11-28T06:00:09.000Z',
  asset_id: 'asset-1',
  title: 'Holiday clip',
  mime_type: 'video/mp4',
  file_size: 123456,
  kind: 'regenerate',
  regenerate_types: ['thumbnail', 'preview'],
  stage: 'thumbnail',
  scan_status: 'INFECTED',
  scan_signature: 'Eicar-Signature',
  asset_count: 3,
};

const nullJob: RawJob = {
  ...rawJob,
  brand_kit_id: null,
  error_message: null,
  completed_at: null,
  title: null,
  file_size: null,
  regenerate_types: null,
  stage: null,
  scan_status: null,
  scan_signature: null,
};

const rawAsset: RawAsset = {
  id: 'asset-1.thumbnail-small',
  job_id: 'job-1',
  user_id: 'user-1',
  asset_type: 'thumbnail',
  url: '/api/v1/assets/asset-1.thumbnail-small/content',
  width: 200,
  height: 150,
  file_size: 4711,
  is_public: true,
  viral_score: 0.5,
  created_at: '2026-11-28T06:00:09.000Z',
  name: 'thumbnail-small',
  size: 'small',
  content_type: 'image/webp',
  key: 'derived/asset-1/thumbnail_small.webp',
  duration: 10,
};

describe('transformJob', () => {
  it('maps every field to camelCase', () => {
    expect(transformJob(rawJob)).toStrictEqual({
      id: 'job-1',
      userId: 'user-1',
      brandKitId: 'proj-1',
      assetType: 'VIDEO',
      status: 'processing',
      progress: 40,
      errorMessage: 'ASSET_PROCESSING_FAILED: boom',
      createdAt: '2026-11-28T06:00:00.000Z',
      updatedAt: '2026-11-28T06:00:05.000Z',
      completedAt: '2026-11-28T06:00:09.000Z',
      assetId: 'asset-1',
      title: 'Holiday clip',
      mimeType: 'video/mp4',
      fileSize: 123456,
      kind: 'regenerate',
      regenerateTypes: ['thumbnail', 'preview'],
      stage: 'thumbnail',
      scanStatus: 'INFECTED',
      scanSignature: 'Eicar-Signature',
      assetCount: 3,
    });
  });

  it('keeps nulls as nulls', () => {
    const job = transformJob(nullJob);
    for (const key of [
      'brandKitId',
      'errorMessage',
      'completedAt',
      'title',
      'fileSize',
      'regenerateTypes',
      'stage',
      'scanStatus',
      'scanSignature',
    ] as const) {
      expect(job[key], key).toBeNull();
    }
  });

  it('leaves no snake_case key behind', () => {
    const keys = Object.keys(transformJob(rawJob));
    expect(keys.filter((k) => k.includes('_'))).toEqual([]);
    expect(keys).toHaveLength(Object.keys(rawJob).length);
  });
});

describe('transformJobDetail', () => {
  it('adds stages and errors', () => {
    const raw: RawJobDetail = {
      ...rawJob,
      status: 'partial',
      stages: [
        { name: 'scan', outcome: 'ok', ms: 12 },
        { name: 'preview', outcome: 'error', ms: 840.5 },
      ],
      errors: [{ stage: 'preview', code: 'ASSET_PROCESSING_FAILED', message: 'ffmpeg failed' }],
    };
    const detail = transformJobDetail(raw);
    expect(detail.status).toBe('partial');
    expect(detail.assetCount).toBe(3);
    expect(detail.stages).toStrictEqual([
      { name: 'scan', outcome: 'ok', ms: 12 },
      { name: 'preview', outcome: 'error', ms: 840.5 },
    ]);
    expect(detail.errors).toStrictEqual([
      { stage: 'preview', code: 'ASSET_PROCESSING_FAILED', message: 'ffmpeg failed' },
    ]);
  });
});

describe('transformJobList', () => {
  it('maps the jobs and keeps total/limit/offset', () => {
    const counts = { queued: 1, processing: 2, completed: 30, failed: 4, partial: 5 };
    const list = transformJobList({ jobs: [rawJob, nullJob], total: 42, limit: 20, offset: 20, counts });
    expect(list.total).toBe(42);
    expect(list.counts).toStrictEqual(counts);
    expect(list.limit).toBe(20);
    expect(list.offset).toBe(20);
    expect(list.jobs.map((j) => j.brandKitId)).toEqual(['proj-1', null]);
  });
});

describe('transformReplay', () => {
  it('maps the replay answer to camelCase', () => {
    expect(transformReplay({ topic: 'asset.uploads', ce_id: 'c1', job_id: 'job-1', asset_id: 'a1' })).toStrictEqual({
      topic: 'asset.uploads',
      ceId: 'c1',
      jobId: 'job-1',
      assetId: 'a1',
    });
  });
});

describe('transformAsset', () => {
  it('maps every field to camelCase', () => {
    expect(transformAsset(rawAsset)).toStrictEqual({
      id: 'asset-1.thumbnail-small',
      jobId: 'job-1',
      userId: 'user-1',
      assetType: 'thumbnail',
      url: '/api/v1/assets/asset-1.thumbnail-small/content',
      width: 200,
      height: 150,
      fileSize: 4711,
      isPublic: true,
      viralScore: 0.5,
      createdAt: '2026-11-28T06:00:09.000Z',
      name: 'thumbnail-small',
      size: 'small',
      contentType: 'image/webp',
      key: 'derived/asset-1/thumbnail_small.webp',
      duration: 10,
    });
  });

  it('keeps nulls as nulls and false as false', () => {
    const asset = transformAsset({
      ...rawAsset,
      asset_type: 'waveform_peaks',
      width: null,
      height: null,
      viral_score: null,
      size: null,
      duration: null,
      is_public: false,
    });
    expect(asset.width).toBeNull();
    expect(asset.height).toBeNull();
    expect(asset.viralScore).toBeNull();
    expect(asset.size).toBeNull();
    expect(asset.duration).toBeNull();
    expect(asset.isPublic).toBe(false);
    expect(asset.assetType).toBe('waveform_peaks');
  });
});

describe('transformDeadLetter', () => {
  const raw: RawDeadLetter = {
    topic: 'asset.dlq',
    partition: 2,
    offset: 3,
    key: 'asset-9',
    headers: { 'x-dlq-error-code': 'ASSET_INVALID_METADATA', 'x-dlq-error-message': 'missing createdBy' },
    value: '{"assetId":"asset-9"}',
    received_at: '2026-11-28T06:01:00.000Z',
    replay: { possible: false, reason: 'the worker would refuse it again: missing createdBy' },
  };

  it('maps every field and keeps header names as they are', () => {
    expect(transformDeadLetter(raw)).toStrictEqual({
      topic: 'asset.dlq',
      partition: 2,
      offset: 3,
      key: 'asset-9',
      headers: { 'x-dlq-error-code': 'ASSET_INVALID_METADATA', 'x-dlq-error-message': 'missing createdBy' },
      value: '{"assetId":"asset-9"}',
      receivedAt: '2026-11-28T06:01:00.000Z',
      replay: { possible: false, reason: 'the worker would refuse it again: missing createdBy' },
    });
  });

  it('keeps a null key and value', () => {
    const d = transformDeadLetter({ ...raw, key: null, value: null });
    expect(d.key).toBeNull();
    expect(d.value).toBeNull();
  });

  it('maps the list', () => {
    const list = transformDeadLetterList({ dead_letters: [raw], total: 7, limit: 20, offset: 0 });
    expect(list.deadLetters).toHaveLength(1);
    expect(list.deadLetters[0]?.receivedAt).toBe('2026-11-28T06:01:00.000Z');
    expect(list.total).toBe(7);
  });
});

describe('transformRegenerate', () => {
  it('maps the 202 answer', () => {
    expect(transformRegenerate({ job_id: 'job-2', asset_id: 'asset-1', types: ['all'] })).toStrictEqual({
      jobId: 'job-2',
      assetId: 'asset-1',
      types: ['all'],
    });
  });
});
