import type { Block } from './block-kit-types.js';

/** How much one message may hold. */
export interface PageLimits {
  maxBlocks: number;
  /** Characters of `JSON.stringify(blocks)`. */
  maxChars: number;
}

/** Characters of `JSON.stringify(blocks)` for these blocks. */
export function blocksSize(blocks: readonly Block[]): number {
  return JSON.stringify(blocks).length;
}

/** A page being filled, with its JSON size kept up to date: `[` + blocks joined by `,` + `]`. */
class Page {
  readonly blocks: Block[] = [];
  private chars = 2;

  constructor(
    head: readonly Block[],
    readonly headLength = head.length,
  ) {
    head.forEach((block) => this.add(block));
  }

  get hasBody(): boolean {
    return this.blocks.length > this.headLength;
  }

  fits(more: readonly Block[], limits: PageLimits): boolean {
    const extra =
      more.reduce((sum, block) => sum + blocksSize([block]) - 2 + 1, 0) - (this.blocks.length === 0 ? 1 : 0);
    return this.blocks.length + more.length <= limits.maxBlocks && this.chars + extra <= limits.maxChars;
  }

  add(block: Block): void {
    this.chars += blocksSize([block]) - 2 + (this.blocks.length > 0 ? 1 : 0);
    this.blocks.push(block);
  }

  /** The blocks without dividers at the start of the body or at the end. */
  trimmed(): Block[] {
    const body = this.blocks.slice(this.headLength);
    while (body[0]?.type === 'divider') body.shift();
    while (body.at(-1)?.type === 'divider') body.pop();
    return [...this.blocks.slice(0, this.headLength), ...body];
  }
}

/**
 * Splits groups of blocks (one group per finding) into pages within `limits`. The first page starts with
 * `firstHead`, every other with `continuationHead()`. A group goes whole onto the current page, or whole onto a
 * fresh page, or, when it is larger than a page, block by block. Each block must fit an empty page by itself.
 */
export function paginateBlocks(
  firstHead: readonly Block[],
  groups: ReadonlyArray<readonly Block[]>,
  continuationHead: () => Block[],
  limits: PageLimits,
  /** Room kept free on the first page, in characters, for a note added after paging. */
  firstPageReserve = 0,
): Block[][] {
  const pages = [new Page(firstHead)];
  const limitsOf = (page: Page): PageLimits =>
    page === pages[0] ? { ...limits, maxChars: limits.maxChars - firstPageReserve } : limits;
  let current = pages[0] as Page;
  const place = (blocks: readonly Block[]): boolean => {
    if (!current.fits(blocks, limitsOf(current)) && current.hasBody) {
      current = new Page(continuationHead());
      pages.push(current);
    }
    if (!current.fits(blocks, limitsOf(current))) return false;
    blocks.forEach((block) => current.add(block));
    return true;
  };
  for (const group of groups) {
    if (!place(group)) group.forEach((block) => place([block]) || current.add(block));
  }
  return pages.map((page) => page.trimmed());
}
