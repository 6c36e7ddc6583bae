import { describe, expect, it } from 'vitest';
import { mergePages, nextOffset } from './paging';

interface P {
  items: { id: string }[];
  total: number;
  offset: number;
}
const page = (offset: number, total: number, ids: string[]): P => ({
  offset,
  total,
  items: ids.map((id) => ({ id })),
});
const merge = (pages: P[]) => mergePages(pages, (p) => p.items, (i) => i.id);

describe('nextOffset', () => {
  it('is the offset after the page while more remain', () => {
    expect(nextOffset({ offset: 0, total: 45 }, 20)).toBe(20);
    expect(nextOffset({ offset: 20, total: 45 }, 20)).toBe(40);
  });

  it('is undefined on the last page or an empty one', () => {
    expect(nextOffset({ offset: 40, total: 45 }, 5)).toBeUndefined();
    expect(nextOffset({ offset: 0, total: 20 }, 20)).toBeUndefined();
    expect(nextOffset({ offset: 0, total: 5 }, 0)).toBeUndefined();
  });
});

describe('mergePages', () => {
  it('concatenates pages and reports total and next offset', () => {
    const m = merge([page(0, 3, ['a', 'b']), page(2, 3, ['c'])]);
    expect(m.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(m.total).toBe(3);
    expect(m.nextOffset).toBeUndefined();
  });

  it('drops a repeat of an item an earlier page had', () => {
    const m = merge([page(0, 5, ['a', 'b']), page(2, 5, ['b', 'c'])]);
    expect(m.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(m.nextOffset).toBe(4);
  });

  it('is empty with no pages', () => {
    expect(merge([])).toEqual({ items: [], total: 0, nextOffset: undefined });
  });
});
