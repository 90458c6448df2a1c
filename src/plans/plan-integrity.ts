import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { ExitCode, UserError } from '../errors.js';
import { readRegularFile } from '../util/regular-file.js';
import { sha256Of } from '../util/canonical-json.js';

/**
 * A plan file is the approval of an upgrade, so it carries a digest of its canonical content (`plan --out` writes it,
 * `apply` checks and shows it, resume compares it with the copy the run recorded) and, for teams that approve plans
 * in CI, an optional ed25519 signature over that digest (node:crypto, no extra dependency).
 */

export interface PlanSignature {
  algorithm: 'ed25519';
  /** SPKI DER of the signing key, base64: says which key signed; trust comes only from --verify-key. */
  publicKey: string;
  /** Signature of the digest string, base64. */
  value: string;
}

export interface PlanIntegrity {
  digest: string;
  signature?: PlanSignature;
}

type WithIntegrity = { integrity?: PlanIntegrity | undefined };

/** `sha256:<hex>` of the canonical plan without its integrity block. */
export function planDigest(plan: object): string {
  const { integrity: _ignored, ...content } = plan as WithIntegrity & Record<string, unknown>;
  return sha256Of(content);
}

/** The plan with its digest (and signature, when a key is given) filled in. */
export function sealPlan<P extends object>(plan: P, signingKey?: KeyObject): P & { integrity: PlanIntegrity } {
  const digest = planDigest(plan);
  const integrity: PlanIntegrity = { digest };
  if (signingKey) {
    integrity.signature = {
      algorithm: 'ed25519',
      publicKey: createPublicKey(signingKey).export({ type: 'spki', format: 'der' }).toString('base64'),
      value: sign(null, Buffer.from(digest), signingKey).toString('base64'),
    };
  }
  return { ...plan, integrity };
}

export type IntegrityCheck = { status: 'verified' | 'signed'; digest: string } | { status: 'unsealed'; digest: string };

/**
 * Checks a plan read from a file. A recorded digest that does not match the content means the file was edited after
 * `plan --out` wrote it: refused. With `verifyKey` the plan must carry a valid signature by exactly that key.
 */
export function checkPlanIntegrity(plan: object, origin: string, verifyKey?: KeyObject): IntegrityCheck {
  const digest = planDigest(plan);
  const integrity = (plan as WithIntegrity).integrity;
  if (!integrity) {
    if (verifyKey) throw new UserError(`${origin} is not signed, and --verify-key requires a signed plan`, ExitCode.blocked, 'sign it with: istio-upgrade plan … --out plan.json --sign-key KEY');
    return { status: 'unsealed', digest };
  }
  if (integrity.digest !== digest) {
    throw new UserError(
      `${origin} was changed after it was written: its content has digest ${digest}, the plan records ${integrity.digest}`,
      ExitCode.blocked,
      'a reviewed plan is applied exactly as written: make a new plan (istio-upgrade plan … --out FILE) instead of editing one',
    );
  }
  if (!verifyKey) return { status: 'verified', digest };
  const sig = integrity.signature;
  if (!sig) throw new UserError(`${origin} is not signed, and --verify-key requires a signed plan`, ExitCode.blocked, 'sign it with: istio-upgrade plan … --out plan.json --sign-key KEY');
  const ok = (() => {
    try {
      return sig.algorithm === 'ed25519' && verify(null, Buffer.from(digest), verifyKey, Buffer.from(sig.value, 'base64'));
    } catch {
      return false;
    }
  })();
  if (!ok) throw new UserError(`${origin}: the signature does not verify with --verify-key (signed by another key, or altered)`, ExitCode.blocked);
  return { status: 'signed', digest };
}

/** An ed25519 key from a PEM file (private for --sign-key, public or private for --verify-key). */
export async function readEd25519Key(path: string, flag: string, kind: 'private' | 'public'): Promise<KeyObject> {
  const pem = await readRegularFile(path, { what: `${flag} key`, maxBytes: 64 * 1024, fix: `pass a PEM file (openssl genpkey -algorithm ed25519 -out key.pem${kind === 'public' ? '; openssl pkey -in key.pem -pubout -out key.pub' : ''})` });
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    throw new UserError(`${flag} ${path} is not a ${kind} key in PEM form: create one with openssl genpkey -algorithm ed25519 -out key.pem`, ExitCode.usage);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UserError(`${flag} ${path} is a ${key.asymmetricKeyType ?? 'unknown'} key; plans are signed with ed25519 keys`, ExitCode.usage);
  return key;
}
