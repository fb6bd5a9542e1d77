/** Shopify global ids: `gid://shopify/<Type>/<numeric id>`. */
export function toGid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

/** Parses a GID into its type and numeric id; null when the text is not a Shopify GID with a numeric id. */
export function parseGid(gid: string): { type: string; id: number } | null {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(?:\?.*)?$/.exec(gid);
  if (m === null) return null;
  const id = Number(m[2]);
  return Number.isSafeInteger(id) ? { type: m[1] as string, id } : null;
}
