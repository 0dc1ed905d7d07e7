// Signing in: with the built-in identity provider (username and password, to this API), or with the
// Cognito user pool (email and password; sign-up is confirmed with an emailed code). Either way the
// login's tokens start a session (api.js), and the password is forgotten at once.

import { config, post, startSession } from "./api.js";
import * as cognito from "./cognito.js";
import { $, action, toast } from "./ui.js";

const usingCognito = config.identity === "cognito";

function credentials() {
  // Email addresses are matched as typed by Cognito: one spelling for everyone.
  const typed = $("auth-username").value.trim();
  const username = usingCognito ? typed.toLowerCase() : typed;
  const password = $("auth-password").value;
  if (!username || !password) {
    throw new Error(usingCognito ? "Enter your email address and a password." : "Enter a username and a password.");
  }
  return { username, password };
}

async function logIn({ username, password }) {
  const tokens = usingCognito ? await cognito.logIn(username, password) : await post("/auth/login", { username, password });
  await startSession(tokens);
  $("auth-password").value = "";
}

/** Where a Cognito sign-up waits for its code: the address, and the password to log in with after. */
let pending = null;

function askForCode(creds) {
  pending = creds;
  $("auth-form").hidden = true;
  $("confirm-form").hidden = false;
  $("confirm-intro").textContent = `We sent a code to ${creds.username}. Enter it to finish signing up.`;
  $("confirm-code").focus();
}

/** Wires the sign-in forms; `loggedIn` runs after every successful login. */
export function setUpAuth(loggedIn) {
  if (usingCognito) {
    $("auth-username-label").textContent = "Email address";
    Object.assign($("auth-username"), { type: "email", autocomplete: "email" });
    $("password-policy").hidden = true;
  } else {
    $("password-policy").textContent = `Passwords: ${config.password_policy}.`;
  }

  $("auth-form").addEventListener(
    "submit",
    action(async () => {
      const creds = credentials();
      try {
        await logIn(creds);
      } catch (e) {
        if (e.kind === "UserNotConfirmedException") return askForCode(creds);
        throw e;
      }
      await loggedIn(creds.username);
    }),
  );
  $("signup").addEventListener(
    "click",
    action(async () => {
      const creds = credentials();
      if (usingCognito) {
        await cognito.signUp(creds.username, creds.password);
        return askForCode(creds);
      }
      await post("/auth/signup", creds);
      await logIn(creds);
      await loggedIn(creds.username);
    }),
  );
  $("confirm-form").addEventListener(
    "submit",
    action(async () => {
      const code = $("confirm-code").value.trim();
      if (!code) throw new Error("Enter the code from the email.");
      await cognito.confirm(pending.username, code);
      toast("Email address confirmed.");
      const creds = pending;
      pending = null;
      $("confirm-code").value = "";
      $("confirm-form").hidden = true;
      $("auth-form").hidden = false;
      await logIn(creds);
      await loggedIn(creds.username);
    }),
  );
}

/** Shows the sign-in forms. */
export function showAuth() {
  $("auth").hidden = false;
  $("app").hidden = true;
  $("account").hidden = true;
  $("auth-form").hidden = false;
  $("confirm-form").hidden = true;
}
