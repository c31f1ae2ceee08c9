// Signs in to the Redaktion workspace of the server at URL as NAME with the one-time PASSWORD,
// chooses a password of its own, and prints the session's Cookie header value: what
// `cargo xtask test` gives schemathesis so the workspace's API is checked signed in.
// Usage: node tests/sign-in.mjs URL NAME PASSWORD
const [url, name, password] = process.argv.slice(2);
const login = await fetch(`${url}/api/v1/redaktion/anmelden`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name, password }),
});
if (!login.ok) throw new Error(`sign-in: ${login.status} ${await login.text()}`);
const cookie = login.headers.get('set-cookie').split(';')[0];
const { csrf } = await login.json();
const change = await fetch(`${url}/api/v1/redaktion/passwort`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', cookie, 'x-fokus-csrf': csrf },
  body: JSON.stringify({ current: password, new: 'Verträge und Formate prüfen' }),
});
if (!change.ok) throw new Error(`password: ${change.status} ${await change.text()}`);
console.log(cookie);
