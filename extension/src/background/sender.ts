/**
 * Whether a runtime message comes from this extension (its pages or its content scripts). Chromium and Firefox set
 * `sender.id` to the sending extension's id; a message from another extension or a page allowed by
 * `externally_connectable` carries another id or none.
 */
export function isOwnSender(sender: { id?: string | undefined }, ownId: string): boolean {
  return typeof sender.id === 'string' && sender.id.length > 0 && sender.id === ownId;
}
