// snake_case API JSON (raw.ts) → the page's camelCase types (types.ts).
// Every field is mapped one to one; nulls stay null.
import type {
  RawAsset,
  RawDeadLetter,
  RawDeadLetterList,
  RawJob,
  RawJobDetail,
  RawJobList,
  RawRegenerateResponse,
  RawReplayResponse,
} from './raw';
import type {
  Asset,
  DeadLetter,
  DeadLetterListResponse,
  Job,
  JobDetail,
  JobListResponse,
  RegenerateResponse,
  ReplayResponse,
} from './types';

export function transformJob(data: RawJob): Job {
  return {
    id: data.id,
    userId: data.user_id,
    brandKitId: data.brand_kit_id,
    assetType: data.asset_type,
    status: data.status,
    progress: data.progress,
    errorMessage: data.error_message,
    createdAt: data.created_at,
    updatedAt: data.updated_at,
    completedAt: data.completed_at,
    assetId: data.asset_id,
    title: data.title,
    mimeType: data.mime_type,
    fileSize: data.file_size,
    kind: data.kind,
    regenerateTypes: data.regenerate_types,
    stage: data.stage,
    scanStatus: data.scan_status,
    scanSignature: data.scan_signature,
    assetCount: data.asset_count,
  };
}

export function transformJobDetail(data: RawJobDetail): JobDetail {
  return {
    ...transformJob(data),
    stages: data.stages.map((s) => ({ name: s.name, outcome: s.outcome, ms: s.ms })),
    errors: data.errors.map((e) => ({ stage: e.stage, code: e.code, message: e.message })),
  };
}

export function transformJobList(data: RawJobList): JobListResponse {
  return {
    jobs: data.jobs.map(transformJob),
    total: data.total,
    limit: data.limit,
    offset: data.offset,
    counts: { ...data.counts },
  };
}

export function transformReplay(data: RawReplayResponse): ReplayResponse {
  return { topic: data.topic, ceId: data.ce_id, jobId: data.job_id, assetId: data.asset_id };
}

export function transformAsset(data: RawAsset): Asset {
  return {
    id: data.id,
    jobId: data.job_id,
    userId: data.user_id,
    assetType: data.asset_type,
    url: data.url,
    width: data.width,
    height: data.height,
    fileSize: data.file_size,
    isPublic: data.is_public,
    viralScore: data.viral_score,
    createdAt: data.created_at,
    name: data.name,
    size: data.size,
    contentType: data.content_type,
    key: data.key,
    duration: data.duration,
  };
}

export function transformDeadLetter(data: RawDeadLetter): DeadLetter {
  return {
    topic: data.topic,
    partition: data.partition,
    offset: data.offset,
    key: data.key,
    headers: { ...data.headers },
    value: data.value,
    receivedAt: data.received_at,
    replay: { possible: data.replay.possible, reason: data.replay.reason },
  };
}

export function transformDeadLetterList(data: RawDeadLetterList): DeadLetterListResponse {
  return {
    deadLetters: data.dead_letters.map(transformDeadLetter),
    total: data.total,
    limit: data.limit,
    offset: data.offset,
  };
}

export function transformRegenerate(data: RawRegenerateResponse): RegenerateResponse {
  return { jobId: data.job_id, assetId: data.asset_id, types: [...data.types] };
}
