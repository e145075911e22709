import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** Claims of a Supabase access token (GoTrue) or API key. */
export interface SupabaseClaims extends JWTPayload {
  role: string;
  exp: number;
  sub?: string;
  email?: string;
  session_id?: string;
}

export type TokenVerifier = (token: string) => Promise<SupabaseClaims>;

export class InvalidTokenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTokenError';
  }
}

/**
 * Verifies Supabase JWTs: HS256 with the project secret (legacy and local stack), or the
 * project's asymmetric keys from `/auth/v1/.well-known/jwks.json`. `alg: none` and any
 * algorithm other than the expected ones are rejected.
 */
export function createTokenVerifier(opts: { secret: string } | { jwksUrl: string }): TokenVerifier {
  const key = 'secret' in opts ? new TextEncoder().encode(opts.secret) : createRemoteJWKSet(new URL(opts.jwksUrl));
  const algorithms = 'secret' in opts ? ['HS256'] : ['ES256', 'RS256'];
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], { algorithms }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw new InvalidTokenError('Token has expired', { cause: err });
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw new InvalidTokenError('Failed to validate JWT signature', { cause: err });
      throw new InvalidTokenError('The token provided is not a valid JWT', { cause: err });
    }
    if (typeof payload.role !== 'string' || typeof payload.exp !== 'number') {
      throw new InvalidTokenError('Fields `role` and `exp` are required in JWT');
    }
    return payload as SupabaseClaims;
  };
}

/** Signs an HS256 token as Supabase does (API keys of the local stack, tests). */
export async function signSupabaseJwt(secret: string, claims: SupabaseClaims): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}
