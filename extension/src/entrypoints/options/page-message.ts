/** The options page's message line: how the last action went (connect, disconnect, the first sync, a setting). */
export interface PageMessage {
  kind: 'ok' | 'error';
  text: string;
}
