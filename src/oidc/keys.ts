import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { WorldRecord } from '../contract/entity-model.js';
import type { OidcModel } from './model.js';

export type SigningAlgorithm = 'RS256' | 'ES256' | 'HS256';

/** A certificate-key pair's private key, as the mock keeps it: apart from the record, never shown by any read. */
interface KeyPair {
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  /** The private key as a JWK, exported once when the key is made: what a dump keeps (dumps are made synchronously). */
  privateJwk: JWK;
  publicJwk: JWK;
  kid: string;
  /** The record's `key_data` when the key was read or made: a key uploaded since replaces it. */
  source: string;
}

/** What a dump keeps of a key pair: the private key as a JWK. */
export interface SavedKeyPair {
  alg: 'RS256' | 'ES256';
  jwk: JWK;
  kid: string;
  source: string;
}

function isSavedKeyPair(value: unknown): value is SavedKeyPair {
  if (typeof value !== 'object' || value === null) return false;
  const { alg, jwk, kid, source } = value as Record<string, unknown>;
  const isJwk = typeof jwk === 'object' && jwk !== null && typeof (jwk as JWK).kty === 'string' && typeof (jwk as JWK).d === 'string';
  return (alg === 'RS256' || alg === 'ES256') && isJwk && typeof kid === 'string' && typeof source === 'string';
}

/** How a provider signs (authentik/providers/oauth2/models.py `OAuth2Provider.jwt_key`, `encode`). */
export interface Signer {
  alg: SigningAlgorithm;
  sign(payload: Record<string, unknown>): Promise<string>;
  /** The public key for the JWKS (none for HS256: the client secret is the key). */
  publicJwk?: JWK;
}

/**
 * The private keys of the world's certificate-key pairs, made when a provider first signs with one: a key the
 * record's `key_data` holds (a PKCS#8 PEM uploaded through the API) is used as it is; else a fresh key pair is made
 * (RSA 2048, or P-256 when the record's `private_key_type` says EC) from the platform's randomness, never the seed.
 * Kept by the record's pk, beside the world as token keys are; `toJSON`/`load` carry them in a dump.
 */
export class SigningKeys {
  private readonly pairs = new Map<string, Promise<KeyPair>>();
  /** The pairs made so far, as a dump keeps them. */
  private readonly saved = new Map<string, SavedKeyPair>();

  constructor(private readonly model: OidcModel) {}

  /** authentik's rule: the provider's signing key (RS256 for RSA, ES256 for EC), else HS256 with the client secret. */
  async signerFor(provider: WorldRecord): Promise<Signer> {
    const certificate = this.model.certificate(provider['signing_key']);
    if (!certificate) {
      const secret = new TextEncoder().encode(String(provider['client_secret'] ?? ''));
      return { alg: 'HS256', sign: (payload) => signJwt(payload, { alg: 'HS256', typ: 'JWT' }, secret) };
    }
    const pair = await this.pairFor(certificate);
    return {
      alg: pair.alg,
      publicJwk: { kty: pair.publicJwk.kty, alg: pair.alg, use: 'sig', kid: pair.kid, ...publicParts(pair.publicJwk) },
      sign: (payload) => signJwt(payload, { alg: pair.alg, kid: pair.kid, typ: 'JWT' }, pair.privateKey),
    };
  }

  /** The key pairs made so far, for a dump (private keys: the dump file is as secret as the token keys it holds). */
  toJSON(): Record<string, SavedKeyPair> {
    return Object.fromEntries(this.saved);
  }

  /**
   * Key pairs from a dump (`toJSON`), replacing all others (a world loaded whole). An entry that is not a key pair this
   * mock wrote is left out, and one whose key does not import is dropped when that is found: its certificate gets a
   * new key when next used, as one never used does.
   */
  load(saved: unknown): void {
    this.clear();
    if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) return;
    for (const [pk, kept] of Object.entries(saved)) {
      if (!isSavedKeyPair(kept)) continue;
      const { alg, jwk, kid, source } = kept;
      this.saved.set(pk, kept);
      const imported = importJWK(jwk, alg, { extractable: true }).then(async (key) => ({
        alg,
        privateKey: key as CryptoKey,
        privateJwk: jwk,
        publicJwk: publicParts(jwk),
        kid,
        source,
      }));
      this.pairs.set(pk, imported);
      imported.catch(() => {
        if (this.pairs.get(pk) !== imported) return;
        this.pairs.delete(pk);
        this.saved.delete(pk);
      });
    }
  }

  /** No keys (the world starts again). */
  clear(): void {
    this.pairs.clear();
    this.saved.clear();
  }

  private pairFor(certificate: WorldRecord): Promise<KeyPair> {
    const pk = String(this.model.pkOf('certificates', certificate));
    const source = typeof certificate['key_data'] === 'string' ? certificate['key_data'] : '';
    const known = this.pairs.get(pk);
    // A key uploaded since (a new key_data) replaces the one made before; so does one from a dump that did not import.
    if (known)
      return known.then(
        (pair) => (pair.source === source ? pair : this.replace(pk, certificate, source)),
        () => this.replace(pk, certificate, source),
      );
    return this.replace(pk, certificate, source);
  }

  private replace(pk: string, certificate: WorldRecord, source: string): Promise<KeyPair> {
    const made = makePair(certificate, source);
    this.pairs.set(pk, made);
    made.then(
      (pair) => {
        if (this.pairs.get(pk) === made) this.saved.set(pk, { alg: pair.alg, jwk: pair.privateJwk, kid: pair.kid, source: pair.source });
      },
      // A failure is not kept: the next request tries again.
      () => {
        if (this.pairs.get(pk) === made) this.pairs.delete(pk);
      },
    );
    return made;
  }
}

async function makePair(certificate: WorldRecord, source: string): Promise<KeyPair> {
  const imported = source.includes('PRIVATE KEY') ? await importPem(source) : undefined;
  const alg = imported?.alg ?? (/^(ec|ecdsa|ellipticcurve)$/i.test(String(certificate['private_key_type'] ?? '')) ? 'ES256' : 'RS256');
  const privateKey = imported?.key ?? (await generateKeyPair(alg, { extractable: true })).privateKey;
  const pem = await exportPKCS8(privateKey);
  const privateJwk = await exportJWK(privateKey);
  return { alg, privateKey, privateJwk, publicJwk: publicParts(privateJwk), kid: await keyId(pem), source };
}

/** A PKCS#8 PEM as an RSA key, else an EC P-256 key; undefined when it is neither (a key the mock then makes). */
async function importPem(pem: string): Promise<{ alg: 'RS256' | 'ES256'; key: CryptoKey } | undefined> {
  for (const alg of ['RS256', 'ES256'] as const) {
    try {
      return { alg, key: await importPKCS8(pem, alg, { extractable: true }) };
    } catch {
      // not this kind of key
    }
  }
  return undefined;
}

/**
 * The JWKS `kid`: authentik's is `md5(key_data)` hex (authentik/crypto/models.py `CertificateKeyPair.kid`). Web
 * Crypto has no MD5, so the mock takes the first 128 bits of SHA-256 over the same PEM: the same 32 hex digits, and,
 * as in authentik, nothing a client can check without the private key.
 */
async function keyId(pem: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pem)));
  return [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The public members of a JWK (RSA `n`, `e`; EC `crv`, `x`, `y`). */
function publicParts(jwk: JWK): JWK {
  const { kty, n, e, crv, x, y } = jwk;
  return kty === 'EC' ? { kty, crv, x, y } : { kty, n, e };
}

function signJwt(
  payload: Record<string, unknown>,
  header: { alg: string; kid?: string; typ: string },
  key: CryptoKey | Uint8Array,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}
