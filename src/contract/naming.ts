/** `users` → `user`, `policies` → `policy`: enough English for DRF field names. */
export function singular(word: string): string {
  if (/ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|us)$/.test(word)) return word;
  if (/(xes|ches|shes|sses)$/.test(word)) return word.slice(0, -2);
  return word.replace(/s$/, '');
}

/** `access_token` → `AccessToken`. */
export function pascalCase(word: string): string {
  return word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** Lower-case letters and digits only, for comparing names spelled differently (`oauth2_provider` ~ `OAuth2Provider`). */
export function squash(word: string): string {
  return word.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** `GroupOAuthSourceConnection` → `group o auth source connection`, the way Django spells a model's verbose name. */
export function verboseName(entity: string): string {
  return entity.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}
