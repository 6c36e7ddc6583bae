// TanStack Query hooks over the console API (docs/console.md).
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import { apiJson, enc } from './client';
import { mergePages, nextOffset } from './paging';
import { IDLE_POLL_INTERVAL_MS, POLL_INTERVAL_MS, isActiveStatus, jobsRefetchInterval } from './polling';
import { jobsQueryString, pageQueryString } from './query';
import type {
  RawAsset,
  RawDeadLetterList,
  RawJobDetail,
  RawJobList,
  RawRegenerateResponse,
  RawReplayResponse,
} from './raw';
import {
  transformAsset,
  transformDeadLetterList,
  transformJobDetail,
  transformJobList,
  transformRegenerate,
  transformReplay,
} from './transform';
import type {
  Asset,
  DeadLetter,
  DeadLetterListResponse,
  JobFilters,
  JobListResponse,
  RegenerateResponse,
  RegenerateType,
  ReplayResponse,
} from './types';

export const PAGE_SIZE = 20;

export const queryKeys = {
  jobs: (filters: JobFilters) => ['jobs', jobsQueryString(filters)] as const,
  job: (jobId: string) => ['job', jobId] as const,
  jobAssets: (jobId: string) => ['job', jobId, 'assets'] as const,
  deadLetters: ['dead-letters'] as const,
};

const jobsOf = (page: JobListResponse) => page.jobs;
const deadLettersOf = (page: DeadLetterListResponse) => page.deadLetters;
const deadLetterKey = (d: DeadLetter) => `${d.topic}/${d.partition}/${d.offset}`;

/**
 * The jobs list (filtered, searched, sorted), PAGE_SIZE a page;
 * fetchNextPage() loads more. Polls every 2 s while any loaded job is queued
 * or processing, or while the loaded list is empty, every 10 s otherwise.
 * The counts per status are the first page's.
 */
export function useJobs(filters: Omit<JobFilters, 'limit' | 'offset'> = {}) {
  return useInfiniteQuery({
    queryKey: queryKeys.jobs(filters),
    queryFn: async ({ pageParam }) =>
      transformJobList(
        await apiJson<RawJobList>(`/jobs${jobsQueryString({ ...filters, limit: PAGE_SIZE, offset: pageParam })}`),
      ),
    initialPageParam: 0,
    getNextPageParam: (last) => nextOffset(last, last.jobs.length),
    select: (data: InfiniteData<JobListResponse, number>) => ({
      ...mergePages(data.pages, jobsOf, (j) => j.id),
      counts: data.pages[0]?.counts ?? null,
    }),
    refetchInterval: (query) =>
      query.state.data ? jobsRefetchInterval(query.state.data.pages.flatMap(jobsOf)) : POLL_INTERVAL_MS,
  });
}

/** One job with its stages and errors; polls while it is queued or processing. */
export function useJob(jobId: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.job(jobId),
    queryFn: async () => transformJobDetail(await apiJson<RawJobDetail>(`/jobs/${enc(jobId)}`)),
    enabled: options.enabled ?? true,
    refetchInterval: (query) =>
      query.state.data && isActiveStatus(query.state.data.status) ? jobsRefetchInterval([query.state.data]) : false,
  });
}

/** A job's outputs. */
export function useJobAssets(jobId: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.jobAssets(jobId),
    queryFn: async () =>
      (await apiJson<RawAsset[]>(`/jobs/${enc(jobId)}/assets`)).map(transformAsset),
    enabled: options.enabled ?? true,
  });
}

/** PATCH an output's is_public; the answer replaces it in its job's list. */
export function useSetVisibility() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ assetId, isPublic }: { assetId: string; isPublic: boolean }) =>
      transformAsset(
        await apiJson<RawAsset>(`/assets/${enc(assetId)}`, {
          method: 'PATCH',
          body: JSON.stringify({ is_public: isPublic }),
        }),
      ),
    onSuccess: (asset: Asset) => {
      queryClient.setQueryData<Asset[]>(queryKeys.jobAssets(asset.jobId), (list) =>
        list?.map((a) => (a.id === asset.id ? asset : a)),
      );
    },
  });
}

/** POST a regenerate request; it becomes a job of its own, so the lists reload. */
export function useRegenerate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ jobId, types }: { jobId: string; types: RegenerateType[] }): Promise<RegenerateResponse> =>
      regenerateRequest(jobId, types),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
}

const regenerateRequest = async (jobId: string, types: RegenerateType[]) =>
  transformRegenerate(
    await apiJson<RawRegenerateResponse>(`/jobs/${enc(jobId)}/regenerate`, {
      method: 'POST',
      body: JSON.stringify({ types }),
    }),
  );

/** The ids of every failed job (100 a request, at most 500). */
async function failedJobIds(): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < 500; offset += 100) {
    const page = await apiJson<RawJobList>(`/jobs${jobsQueryString({ status: 'failed', limit: 100, offset })}`);
    ids.push(...page.jobs.map((j) => j.id));
    if (offset + page.jobs.length >= page.total || page.jobs.length === 0) break;
  }
  return ids;
}

export interface BulkRetryResult {
  requested: number;
  failed: { jobId: string; message: string }[];
}

/** Regenerate (types `all`) every failed job, one request after the other. */
export function useRetryFailed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (): Promise<BulkRetryResult> => {
      const result: BulkRetryResult = { requested: 0, failed: [] };
      for (const jobId of await failedJobIds()) {
        try {
          await regenerateRequest(jobId, ['all']);
          result.requested++;
        } catch (e) {
          result.failed.push({ jobId, message: e instanceof Error ? e.message : String(e) });
        }
      }
      return result;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
}

/** Publish a dead-lettered upload or regenerate request again. */
export function useReplay() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (letter: DeadLetter): Promise<ReplayResponse> =>
      transformReplay(
        await apiJson<RawReplayResponse>(`/dead-letters/${letter.partition}/${letter.offset}/replay`, {
          method: 'POST',
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
}

/** The dead letters (asset.dlq), PAGE_SIZE a page. */
export function useDeadLetters(options: { enabled?: boolean } = {}) {
  return useInfiniteQuery({
    queryKey: queryKeys.deadLetters,
    queryFn: async ({ pageParam }) =>
      transformDeadLetterList(
        await apiJson<RawDeadLetterList>(`/dead-letters${pageQueryString(PAGE_SIZE, pageParam)}`),
      ),
    initialPageParam: 0,
    getNextPageParam: (last) => nextOffset(last, last.deadLetters.length),
    select: (data: InfiniteData<DeadLetterListResponse, number>) =>
      mergePages(data.pages, deadLettersOf, deadLetterKey),
    enabled: options.enabled ?? true,
    refetchInterval: IDLE_POLL_INTERVAL_MS,
  });
}
