// A Cognito user pool, called from the page (its app client has no secret: nothing here is secret):
// sign up, confirm with the emailed code, and log in by SRP — the password never leaves the browser.
// Refreshing and revoking happen on the API's side, from its session cookie (see api.js).

import { config } from "./api.js";
import * as srp from "./srp.js";

/** A refusal from Cognito, in words a person can act on. */
export class CognitoError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

const WORDS = {
  UsernameExistsException: "An account with this email address exists already. Log in instead.",
  CodeMismatchException: "That code is not right. Check the email and try again.",
  ExpiredCodeException: "That code has expired. Sign up again to get a new one.",
  NotAuthorizedException: "Wrong email address or password.",
  UserNotFoundException: "Wrong email address or password.",
  UserNotConfirmedException: "Confirm your email address first: enter the code we sent you.",
  TooManyRequestsException: "Too many attempts. Wait a minute and try again.",
  // The pool's web ACL refusing an address that sent too much (infra/README.md, "WAF").
  ForbiddenException: "Too many attempts from your network. Wait a few minutes and try again.",
  LimitExceededException: "Too many attempts. Wait a minute and try again.",
};

async function call(action, body) {
  let response;
  try {
    response = await fetch(config.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
      credentials: "omit",
    });
  } catch {
    throw new CognitoError("Network", "Cannot reach the sign-in service. Check your connection.");
  }
  const answer = await response.json().catch(() => ({}));
  if (response.ok) return answer;
  const kind = String(answer.__type || "").split("#").pop();
  // Password policy refusals say what the policy wants; pass those words on.
  const message = WORDS[kind] || answer.message || answer.Message || `Sign-in failed (${response.status}).`;
  throw new CognitoError(kind, message);
}

/** Creates an account; Cognito emails a code to confirm it with. */
export async function signUp(email, password) {
  await call("SignUp", {
    ClientId: config.client_id,
    Username: email,
    Password: password,
    UserAttributes: [{ Name: "email", Value: email }],
  });
}

/** Confirms an account with the emailed code. */
export async function confirm(email, code) {
  await call("ConfirmSignUp", { ClientId: config.client_id, Username: email, ConfirmationCode: code });
}

/** Logs in by SRP; resolves to the tokens (access, id, refresh, expires_in). */
export async function logIn(email, password) {
  const { a, A } = srp.start();
  const challenge = await call("InitiateAuth", {
    AuthFlow: "USER_SRP_AUTH",
    ClientId: config.client_id,
    AuthParameters: { USERNAME: email, SRP_A: A },
  });
  if (challenge.ChallengeName !== "PASSWORD_VERIFIER") {
    throw new CognitoError(challenge.ChallengeName, "This account needs a step this page does not offer yet.");
  }
  const p = challenge.ChallengeParameters;
  const claim = await srp.passwordClaim({
    poolId: config.user_pool_id,
    userId: p.USER_ID_FOR_SRP,
    password,
    a,
    A,
    B: p.SRP_B,
    salt: p.SALT,
    secretBlock: p.SECRET_BLOCK,
    now: new Date(),
  });
  const answer = await call("RespondToAuthChallenge", {
    ClientId: config.client_id,
    ChallengeName: "PASSWORD_VERIFIER",
    Session: challenge.Session,
    ChallengeResponses: {
      USERNAME: p.USERNAME || p.USER_ID_FOR_SRP,
      PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK,
      PASSWORD_CLAIM_SIGNATURE: claim.signature,
      TIMESTAMP: claim.timestamp,
    },
  });
  const result = answer.AuthenticationResult;
  if (!result) throw new CognitoError(answer.ChallengeName, "This account needs a step this page does not offer yet.");
  return {
    access_token: result.AccessToken,
    id_token: result.IdToken,
    refresh_token: result.RefreshToken,
    expires_in: result.ExpiresIn,
  };
}
