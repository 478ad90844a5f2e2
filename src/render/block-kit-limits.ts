/**
 * Slack's Block Kit limits for messages (REFERENCE.md, Slack), and a validator that reports what Slack would
 * reject. The renderer's tests use it on every message; the fake Slack Web API answers with its `error` codes.
 */
export const BLOCK_KIT_LIMITS = {
  /** Blocks per message (modals and App Home allow 100). */
  blocksPerMessage: 50,
  /**
   * Characters of a message's blocks before Slack answers `msg_blocks_too_long` (about 13k). Measured here as the
   * length of `JSON.stringify(blocks)`, which counts more than Slack's text-only count: stricter, so safe.
   */
  messageBlocksChars: 13_000,
  /** Characters of the top-level `text` fallback Slack accepts. */
  messageTextChars: 40_000,
  sectionTextChars: 3000,
  sectionFields: 10,
  sectionFieldChars: 2000,
  headerTextChars: 150,
  contextElements: 10,
  /** Characters of one context text element (Slack documents none lower than the section's). */
  contextTextChars: 3000,
  actionsElements: 25,
  buttonTextChars: 75,
  buttonValueChars: 2000,
  actionIdChars: 255,
  blockIdChars: 255,
} as const;

/** One thing Slack would refuse, with the error code its Web API would answer. */
export interface BlockKitViolation {
  /** Where, as a path into the message: `blocks[3].fields[2].text`. */
  path: string;
  message: string;
  error: 'no_text' | 'msg_too_long' | 'invalid_blocks' | 'msg_blocks_too_long';
}

type Report = (path: string, message: string, error?: BlockKitViolation['error']) => void;

const L = BLOCK_KIT_LIMITS;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkText(value: unknown, path: string, max: number, report: Report, only?: 'plain_text' | 'mrkdwn'): void {
  if (!isRecord(value)) return report(path, 'must be a text object');
  if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
    return report(`${path}.type`, `must be plain_text or mrkdwn, not ${JSON.stringify(value.type)}`);
  }
  if (only && value.type !== only) report(`${path}.type`, `must be ${only}`);
  if (typeof value.text !== 'string' || value.text.length === 0)
    return report(`${path}.text`, 'must be a non-empty string');
  if (value.text.length > max) report(`${path}.text`, `is ${value.text.length} characters, limit ${max}`);
}

function checkButton(element: unknown, path: string, seenActionIds: Set<string>, report: Report): void {
  if (!isRecord(element) || element.type !== 'button') return report(path, 'must be a button');
  checkText(element.text, `${path}.text`, L.buttonTextChars, report, 'plain_text');
  if (typeof element.action_id !== 'string' || element.action_id.length === 0) {
    report(`${path}.action_id`, 'must be a non-empty string');
  } else {
    if (element.action_id.length > L.actionIdChars)
      report(`${path}.action_id`, `is longer than ${L.actionIdChars} characters`);
    if (seenActionIds.has(element.action_id))
      report(`${path}.action_id`, `repeats ${element.action_id} in the same block`);
    seenActionIds.add(element.action_id);
  }
  if (element.value !== undefined) {
    if (typeof element.value !== 'string') report(`${path}.value`, 'must be a string');
    else if (element.value.length > L.buttonValueChars) {
      report(`${path}.value`, `is ${element.value.length} characters, limit ${L.buttonValueChars}`);
    }
  }
}

function checkBlock(block: unknown, path: string, report: Report): void {
  if (!isRecord(block)) return report(path, 'must be an object');
  switch (block.type) {
    case 'header':
      return checkText(block.text, `${path}.text`, L.headerTextChars, report, 'plain_text');
    case 'divider':
      return;
    case 'section': {
      if (block.text === undefined && block.fields === undefined) return report(path, 'needs text or fields');
      if (block.text !== undefined) checkText(block.text, `${path}.text`, L.sectionTextChars, report);
      if (block.fields === undefined) return;
      if (!Array.isArray(block.fields) || block.fields.length === 0)
        return report(`${path}.fields`, 'must be a non-empty array');
      if (block.fields.length > L.sectionFields)
        report(`${path}.fields`, `has ${block.fields.length} fields, limit ${L.sectionFields}`);
      block.fields.forEach((field: unknown, index) =>
        checkText(field, `${path}.fields[${index}]`, L.sectionFieldChars, report),
      );
      return;
    }
    case 'context': {
      if (!Array.isArray(block.elements) || block.elements.length === 0)
        return report(`${path}.elements`, 'must be a non-empty array');
      if (block.elements.length > L.contextElements) {
        report(`${path}.elements`, `has ${block.elements.length} elements, limit ${L.contextElements}`);
      }
      block.elements.forEach((element: unknown, index) =>
        checkText(element, `${path}.elements[${index}]`, L.contextTextChars, report),
      );
      return;
    }
    case 'actions': {
      if (!Array.isArray(block.elements) || block.elements.length === 0)
        return report(`${path}.elements`, 'must be a non-empty array');
      if (block.elements.length > L.actionsElements) {
        report(`${path}.elements`, `has ${block.elements.length} elements, limit ${L.actionsElements}`);
      }
      const seen = new Set<string>();
      block.elements.forEach((element: unknown, index) =>
        checkButton(element, `${path}.elements[${index}]`, seen, report),
      );
      return;
    }
    default:
      report(`${path}.type`, `unsupported block type ${JSON.stringify(block.type)}`);
  }
}

/**
 * Everything in a `{ text, blocks }` message that Slack would reject: a missing fallback text, too many blocks,
 * blocks too long in total, and per block the text, field, element, button and id limits of
 * {@link BLOCK_KIT_LIMITS}. Knows the block types Quorum sends (header, section, context, divider, actions with
 * buttons). An empty list means the message is valid.
 */
export function validateBlockMessage(message: unknown): BlockKitViolation[] {
  const violations: BlockKitViolation[] = [];
  const report: Report = (path, text, error = 'invalid_blocks') => violations.push({ path, message: text, error });
  if (!isRecord(message)) {
    report('', 'must be an object with text and blocks', 'no_text');
    return violations;
  }
  if (typeof message.text !== 'string' || message.text.trim().length === 0) {
    report('text', 'a plain-text fallback is required', 'no_text');
  } else if (message.text.length > L.messageTextChars) {
    report('text', `is ${message.text.length} characters, limit ${L.messageTextChars}`, 'msg_too_long');
  }
  if (!Array.isArray(message.blocks)) {
    report('blocks', 'must be an array');
    return violations;
  }
  if (message.blocks.length > L.blocksPerMessage)
    report('blocks', `has ${message.blocks.length} blocks, limit ${L.blocksPerMessage}`);
  const size = JSON.stringify(message.blocks).length;
  if (size > L.messageBlocksChars) {
    report('blocks', `total ${size} characters, limit about ${L.messageBlocksChars}`, 'msg_blocks_too_long');
  }
  const blockIds = new Set<string>();
  message.blocks.forEach((block: unknown, index) => {
    const path = `blocks[${index}]`;
    checkBlock(block, path, report);
    if (isRecord(block) && block.block_id !== undefined) {
      if (typeof block.block_id !== 'string' || block.block_id.length === 0 || block.block_id.length > L.blockIdChars) {
        report(`${path}.block_id`, `must be a string of 1 to ${L.blockIdChars} characters`);
      } else if (blockIds.has(block.block_id)) {
        report(`${path}.block_id`, `repeats ${block.block_id}`);
      } else {
        blockIds.add(block.block_id);
      }
    }
  });
  return violations;
}
