/** 32 bits of a string (FNV-1a) mixed with `salt`, then avalanched so that neighbouring inputs give unrelated words. */
function hash32(text: string, salt: number): number {
  let hash = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35) >>> 0;
  return (hash ^ (hash >>> 16)) >>> 0;
}

/**
 * A UUID (version 4 layout) that depends only on `text`: the same on every run, unrelated for other texts. For ids
 * that must not repeat yet be reproducible (created ids, the harness's second keys); never for secrets.
 */
export function stableUuid(text: string): string {
  const hex = [0, 1, 2, 3]
    .map((word) =>
      hash32(text, Math.imul(word + 1, 0x9e3779b9))
        .toString(16)
        .padStart(8, '0'),
    )
    .join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
