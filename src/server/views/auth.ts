import { html } from '../html.ts';
import type { Session } from '../sessions.ts';
import { csrfField, page } from './layout.ts';

export function loginPage(session: Session, opts: { next: string; user: string; error: string | null; setupAvailable: boolean }): string {
  return page({ session }, 'Log in', html`
<div class="login card">
  <h1>Log in</h1>
  ${opts.error ? html`<p class="errors" role="alert">${opts.error}</p>` : ''}
  <form method="post" action="/login">
    ${csrfField(session)}
    <input type="hidden" name="next" value="${opts.next}">
    <label for="user">User name</label>
    <input id="user" name="user" autocomplete="username" required value="${opts.user}">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <p><button type="submit">Log in</button></p>
  </form>
  ${opts.setupAvailable ? html`<p class="help">No admin password is set yet: <a href="/setup">set one up</a>.</p>` : ''}
</div>`);
}

export function noPasswordPage(session: Session): string {
  return page({ session }, 'Log in', html`
<div class="login card">
  <h1>No admin password is set</h1>
  <p>Set <code>KAMFLOW_ADMIN_PASSWORD_HASH</code> to a hash made with
  <code>printf '%s' 'your password' | npx tsx src/server/hash-password.ts</code>, or set
  <code>KAMFLOW_SETUP_TOKEN</code> to use the first-run setup page, then restart the server.</p>
</div>`);
}

export function setupPage(session: Session, error: string | null, user: string): string {
  return page({ session }, 'First-run setup', html`
<div class="login card">
  <h1>First-run setup</h1>
  <p>You are choosing the password of the admin user <strong class="setup-user">${user}</strong>
  (KAMFLOW_ADMIN_USER on the server); log in with that name afterwards.</p>
  <p class="help">At least 12 characters. The setup token is the value of KAMFLOW_SETUP_TOKEN on the server.</p>
  ${error ? html`<p class="errors" role="alert">${error}</p>` : ''}
  <form method="post" action="/setup">
    ${csrfField(session)}
    <label for="setupUser">User name</label>
    <input id="setupUser" name="user" autocomplete="username" value="${user}" readonly>
    <label for="setupToken">Setup token</label>
    <input id="setupToken" name="setupToken" type="password" required>
    <label for="password">New password</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
    <label for="confirm">Repeat the password</label>
    <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" required>
    <p><button type="submit">Save password</button></p>
  </form>
</div>`);
}

export function messagePage(session: Session | null, title: string, message: string, advice: string | null = null): string {
  return page({ session }, title, html`
<div class="card">
  <h1>${title}</h1>
  <p>${message}</p>
  ${advice ? html`<p>${advice}</p>` : ''}
  <p><a href="/">Back to the console</a></p>
</div>`);
}
