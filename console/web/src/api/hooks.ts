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
import { jobsRefetchInterval } from './polling';
import { jobsQueryString, pageQueryString } from './query';
import type { RawAsset, RawDeadLetterList, RawJobDetail, RawJobList, RawRegenerateResponse } from './raw';
import {
  transformAsset,
  transformDeadLetterList,
  transformJobDetail,
  transformJobList,
  transformRegenerate,
} from './transform';
import type {
  Asset,
  DeadLetter,
  DeadLetterListResponse,
  JobFilters,
  JobListResponse,
  RegenerateResponse,
  RegenerateType,
} from './types';

export const PAGE_SIZE = 20;

export const queryKeys = {
  jobs: (status: JobFilters['status'], assetType: JobFilters['assetType']) =>
    ['jobs', { status: status ?? 'all', assetType: assetType ?? 'all' }] as const,
  job: (jobId: string) => ['job', jobId] as const,
  jobAssets: (jobId: string) => ['job', jobId, 'assets'] as const,
  deadLetters: ['dead-letters'] as const,
};

const jobsOf = (page: JobListResponse) => page.jobs;
const deadLettersOf = (page: DeadLetterListResponse) => page.deadLetters;
const deadLetterKey = (d: DeadLetter) => `${d.topic}/${d.partition}/${d.offset}`;

/**
 * The jobs list, newest first, PAGE_SIZE a page; fetchNextPage() loads more.
 * Polls every 2 s while any loaded job is queued or processing, or while the
 * loaded list is empty.
 */
export function useJobs(filters: JobFilters = {}) {
  const { status, assetType } = filters;
  return useInfiniteQuery({
    queryKey: queryKeys.jobs(status, assetType),
    queryFn: async ({ pageParam }) =>
      transformJobList(
        await apiJson<RawJobList>(
          `/jobs${jobsQueryString({ status, assetType, limit: PAGE_SIZE, offset: pageParam })}`,
        ),
      ),
    initialPageParam: 0,
    getNextPageParam: (last) => nextOffset(last, last.jobs.length),
    select: (data: InfiniteData<JobListResponse, number>) => mergePages(data.pages, jobsOf, (j) => j.id),
    refetchInterval: (query) =>
      query.state.data ? jobsRefetchInterval(query.state.data.pages.flatMap(jobsOf)) : false,
  });
}

/** One job with its stages and errors; polls while it is queued or processing. */
export function useJob(jobId: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.job(jobId),
    queryFn: async () => transformJobDetail(await apiJson<RawJobDetail>(`/jobs/${enc(jobId)}`)),
    enabled: options.enabled ?? true,
    refetchInterval: (query) => (query.state.data ? jobsRefetchInterval([query.state.data]) : false),
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
      transformRegenerate(
        await apiJson<RawRegenerateResponse>(`/jobs/${enc(jobId)}/regenerate`, {
          method: 'POST',
          body: JSON.stringify({ types }),
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
  });
}
