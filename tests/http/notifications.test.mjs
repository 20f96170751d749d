// notifications.test.mjs - granting a role notifies the grantee: the
// notification shows on /notifications and in the header badge; marking read;
// nobody reads or marks someone else's notifications.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, tokenFor, demo, uniq, show, signIn, decodeEntities, translated, ADMIN_EMAIL } from './lib.mjs';

const DIR = 'directrice.casa@amal.ma';
let d;
before(async () => { d = await demo(); });

/** A value inside a notification: isolated, so that its direction is its own. */
const iso = (s) => `\u2068${s}\u2069`;

function badge(html) {
  const m = html.match(/class="badge"[^>]*>\s*(\d+)/);
  return m ? parseInt(m[1], 10) : 0;
}

describe('notifications', () => {
  let user;
  let password;
  let grantee;

  before(async () => {
    password = 'Notified-pass-2026';
    const res = await api('POST', '/api/v1/users', {
      username: uniq('notif.'), name: 'Imane Notifiée', password, language: 'fr',
      roles: [{ role: 'staff', node_id: d.eps1.id }],
    }, { token: tokenFor(DIR) });
    assert.equal(res.status, 201, show(res));
    user = res.json();
    grantee = await signIn(user.username, password);
  });

  test('granting a role through the page notifies the grantee (page and badge)', async () => {
    const beforePage = await grantee.get('/notifications');
    assert.equal(beforePage.status, 200, show(beforePage));
    const home0 = await grantee.get('/');
    const count0 = badge(home0.text);

    const dir = await signIn(DIR);
    const page = await dir.get(`/admin/users/${user.id}`);
    assert.equal(page.status, 200, show(page));
    const grant = await dir.post(`/admin/users/${user.id}/roles`, { role: 'quality_referent', role_node: String(d.eps1.id), expires: '' });
    assert.equal(grant.status, 303, show(grant));
    const u = (await api('GET', `/api/v1/users/${user.id}`, undefined, { token: tokenFor(DIR) })).json();
    assert.ok(u.roles.some((r) => r.role === 'quality_referent' && r.node_id === d.eps1.id), JSON.stringify(u.roles));

    const home1 = await grantee.get('/');
    assert.equal(badge(home1.text), count0 + 1, 'the badge counts one more unread notification');
    const list = await grantee.get('/notifications');
    assert.equal(list.status, 200);
    // "You were given the role Quality referent at <EPS>." in French
    const expected = translated('fr', 'You were given the role %s at %s.', iso(translated('fr', 'role.quality_referent')), iso(d.eps1.name));
    assert.ok(decodeEntities(list.text).includes(expected), `the page shows "${expected}"`);
    const api1 = await grantee.api('GET', '/api/v1/notifications');
    assert.equal(api1.status, 200, show(api1));
    assert.ok((api1.json().items || []).some((n) => n.text === expected), JSON.stringify(api1.json().items));
  });

  test('the notification is in the reader\'s language', async () => {
    const ar = await signIn(user.username, password, { lang: 'ar' });
    const res = await ar.get('/notifications?lang=ar');
    assert.equal(res.status, 200, show(res));
    // the sentence and the role are translated, the place named as Arabic
    // readers know it (name_ar), each value isolated
    assert.ok(d.eps1.name_ar, 'the EPS has an Arabic name');
    const expected = translated('ar', 'You were given the role %s at %s.', iso(translated('ar', 'role.quality_referent')), iso(d.eps1.name_ar));
    assert.ok(decodeEntities(res.text).includes(expected), `the page shows "${expected}"`);
    const byApi = await ar.api('GET', '/api/v1/notifications?lang=ar');
    assert.equal(byApi.status, 200, show(byApi));
    assert.ok(byApi.json().items.some((n) => n.text === expected), JSON.stringify(byApi.json().items));
  });

  test('somebody else cannot mark it read (404), the owner can', async () => {
    const items = (await grantee.api('GET', '/api/v1/notifications')).json().items;
    const n = items.find((x) => !x.read_at && x.unread !== false) || items[0];
    assert.ok(n && n.id, JSON.stringify(items));
    const other = await signIn('educateur.casa');
    const res = await other.post(`/notifications/${n.id}/read`, {});
    assert.equal(res.status, 404, show(res));
    const resApi = await api('POST', `/api/v1/notifications/${n.id}/read`, {}, { token: tokenFor('educateur.casa') });
    assert.equal(resApi.status, 404, show(resApi));
    const before1 = badge((await grantee.get('/')).text);
    assert.ok(before1 >= 1);
    const own = await grantee.post(`/notifications/${n.id}/read`, {});
    assert.equal(own.status, 303, show(own));
    const after = badge((await grantee.get('/')).text);
    assert.equal(after, before1 - 1);
    // a write like any other: audited (visible to the platform's administrators)
    const audit = (await api('GET', '/api/v1/audit?entity=notification&limit=200', undefined,
      { token: tokenFor(ADMIN_EMAIL) })).json();
    assert.ok(audit.items.some((a) => a.entity_id === n.id && a.action === 'read'), JSON.stringify(audit.items.slice(0, 3)));
  });

  test('mark all as read empties the badge', async () => {
    const res = await grantee.post('/notifications/read-all', {});
    assert.equal(res.status, 303, show(res));
    assert.equal(badge((await grantee.get('/')).text), 0);
  });
});
