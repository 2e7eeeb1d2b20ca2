import { createHash, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Clock } from '../../app';
import { AppError } from '../../errors';
import type { SigningKey } from './keys';

export type Audience = 'customer' | 'staff';

/** Who is calling, as proven by an access token. */
export interface Principal {
  audience: Audience;
  id: number;
  roles: string[];
}

const ISSUER = 'power-channel';

export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newRefreshToken = () => `rt_${randomBytes(32).toString('base64url')}`;
export const newFamilyId = (): string => randomUUID();

/**
 * Short-lived HS256 access tokens. Each carries the id of the key that signed it, so a new key can
 * take over signing while tokens signed by the previous one stay valid until they expire.
 */
export function createAccessTokens(keys: SigningKey[], ttlSeconds: number, clock: Clock) {
  if (keys.length === 0) throw new Error('at least one signing key is required');
  // Key objects made once: given a string, jsonwebtoken first tries (and fails) to read it as a
  // public key on every call, which cost more than the HMAC itself.
  const byKid = new Map(keys.map((key) => [key.kid, createSecretKey(Buffer.from(key.secret))]));
  const signer = { kid: keys[0]!.kid, secret: byKid.get(keys[0]!.kid)! };

  return {
    ttlSeconds,
    issue(principal: Principal): string {
      const now = Math.floor(clock.now().getTime() / 1000);
      return jwt.sign({ roles: principal.roles, iat: now, exp: now + ttlSeconds }, signer.secret, {
        algorithm: 'HS256',
        keyid: signer.kid,
        subject: String(principal.id),
        audience: principal.audience,
        issuer: ISSUER,
      });
    },
    /** Checks signature, issuer, audience and expiry; every failure is an AppError with a stable code. */
    verify(token: string, audience: Audience): Principal {
      const decoded = jwt.decode(token, { complete: true });
      const secret = decoded?.header.kid ? byKid.get(decoded.header.kid) : undefined;
      if (!decoded || !secret) throw new AppError('UNAUTHENTICATED', 'Invalid access token');
      let payload: jwt.JwtPayload;
      try {
        payload = jwt.verify(token, secret, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          clockTimestamp: Math.floor(clock.now().getTime() / 1000),
        }) as jwt.JwtPayload;
      } catch (err) {
        if (err instanceof jwt.TokenExpiredError) throw new AppError('TOKEN_EXPIRED', 'Access token expired');
        throw new AppError('UNAUTHENTICATED', 'Invalid access token');
      }
      if (payload.aud !== audience) throw new AppError('WRONG_AUDIENCE', `This endpoint is not for ${payload.aud} tokens`);
      return { audience, id: Number(payload.sub), roles: Array.isArray(payload.roles) ? (payload.roles as string[]) : [] };
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
