/** Types of block-kit.js (plain JavaScript, served to the browser as is). */
export declare const SUPPORTED_BLOCKS: readonly string[];
export declare function escapeHtml(text: string): string;
export declare function mrkdwn(text: string): string;
export declare function textObject(object: unknown): string;
export declare function element(item: unknown, blockId: string | undefined, unsupported: string[]): string;
export declare function block(item: unknown, unsupported: string[]): string;
/** Blocks to HTML, with what was drawn as the "unsupported" fallback. */
export declare function renderBlocks(blocks: unknown): { html: string; unsupported: string[] };
/** Tells the renderer the workspace's people, so mentions show names. */
export declare function setUserNames(users: ReadonlyArray<{ id: string; name: string }>): void;
