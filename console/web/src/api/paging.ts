// Offset paging of the list routes ({items, total, limit, offset}): the pages
// loaded so far merged into one list, and the offset of the next page.
// Newest-first lists shift when jobs arrive, so a later page may repeat an
// item of an earlier one: the first occurrence wins.

export interface Page {
  total: number;
  offset: number;
}

export interface Merged<T> {
  items: T[];
  total: number;
  /** Offset of the next page, undefined when everything is loaded. */
  nextOffset: number | undefined;
}

export function mergePages<P extends Page, T>(
  pages: readonly P[],
  itemsOf: (page: P) => readonly T[],
  keyOf: (item: T) => string,
): Merged<T> {
  const seen = new Set<string>();
  const items: T[] = [];
  for (const page of pages) {
    for (const item of itemsOf(page)) {
      const key = keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      items.push(item);
    }
  }
  const last = pages[pages.length - 1];
  return { items, total: last?.total ?? 0, nextOffset: last ? nextOffset(last, itemsOf(last).length) : undefined };
}

/** The offset after `page`, or undefined when it was the last one. */
export function nextOffset(page: Page, count: number): number | undefined {
  const next = page.offset + count;
  return count > 0 && next < page.total ? next : undefined;
}
