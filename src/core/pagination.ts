import { DETAILS } from '../contract/authentik-messages.js';
import { httpError } from './http.js';

export const DEFAULT_PAGE_SIZE = 100;

export interface Pagination {
  next: number;
  previous: number;
  count: number;
  current: number;
  total_pages: number;
  start_index: number;
  end_index: number;
}

/** `page_size` that is not a positive integer falls back to the default, as in DRF. */
export function pageSize(raw: string | undefined): number {
  return raw !== undefined && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : DEFAULT_PAGE_SIZE;
}

/**
 * One page of `items` the way authentik's paginator shows it: next/previous are page numbers (0 for none), an empty
 * list has one page and indexes 0, and a page that is not a positive integer or past the end throws a 404.
 */
export function paginate<T>(
  items: readonly T[],
  rawPage: string | undefined,
  rawPageSize: string | undefined,
): { page: T[]; pagination: Pagination } {
  const size = pageSize(rawPageSize);
  const count = items.length;
  const totalPages = Math.max(1, Math.ceil(count / size));
  const current = rawPage === undefined || rawPage === '' ? 1 : /^\d+$/.test(rawPage) ? Number(rawPage) : NaN;
  if (!(current >= 1) || current > totalPages) throw httpError(404, DETAILS.invalidPage);
  const page = items.slice((current - 1) * size, current * size);
  const start = count === 0 ? 0 : (current - 1) * size + 1;
  return {
    page,
    pagination: {
      next: current < totalPages ? current + 1 : 0,
      previous: current > 1 ? current - 1 : 0,
      count,
      current,
      total_pages: totalPages,
      start_index: start,
      end_index: count === 0 ? 0 : start + page.length - 1,
    },
  };
}
