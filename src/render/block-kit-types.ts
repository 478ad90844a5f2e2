/** The subset of Slack Block Kit that Quorum's messages use (see https://api.slack.com/reference/block-kit). */

export interface PlainTextObject {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface MrkdwnObject {
  type: 'mrkdwn';
  text: string;
}

export type TextObject = PlainTextObject | MrkdwnObject;

export interface HeaderBlock {
  type: 'header';
  text: PlainTextObject;
  block_id?: string;
}

export interface SectionBlock {
  type: 'section';
  text?: MrkdwnObject;
  fields?: MrkdwnObject[];
  block_id?: string;
}

export interface ContextBlock {
  type: 'context';
  elements: TextObject[];
  block_id?: string;
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

export interface ButtonElement {
  type: 'button';
  text: PlainTextObject;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
  /** Slack's own "are you sure?" dialog before the click is sent. */
  confirm?: ConfirmDialog;
}

export interface ConfirmDialog {
  title: PlainTextObject;
  text: MrkdwnObject;
  confirm: PlainTextObject;
  deny: PlainTextObject;
  style?: 'primary' | 'danger';
}

export interface ActionsBlock {
  type: 'actions';
  elements: ButtonElement[];
  block_id?: string;
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** One `chat.postMessage` payload: `text` is the notification and accessibility fallback, always set. */
export interface BlockMessage {
  text: string;
  blocks: Block[];
}
