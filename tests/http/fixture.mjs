// fixture.mjs - what the demo data hold, written down here from
// src/cli/demo.c and docs/API.md ("Scope and roles") rather than asked of the
// server: where each known login holds its role, and what each role may do.
// Node ids are found by their names in the root admin's listing (lib.mjs
// demo()); nothing here comes from the user's own /api/v1/me, so a server
// that reports a wrong scope cannot make the scope tests agree with it.

export const AMAL = "Association Amal pour l'enfance";
export const NOUR = 'Association Nour Solidarité';
export const CASA = "Village d'enfants Casablanca - Aïn Chock";
export const TANGER = "Village d'enfants Tanger";
export const FES = 'Foyer Nour Fès';

/** Every known demo login: its roles as [role, names of the nodes from the
 *  root down to the node where the role is held] (an empty list: the root). */
export const DEMO_ROLES = {
  'admin@jouda.ma': [['admin', []]],
  'admin@amal.ma': [['admin', [AMAL]]],
  'conseil@amal.ma': [['quality_advisor', [AMAL]]],
  'directrice.casa@amal.ma': [['director', [AMAL, CASA]]],
  'referent.casa@amal.ma': [['quality_referent', [AMAL, CASA]]],
  'mere.fatima': [['staff', [AMAL, CASA, 'Maison 1']]],
  'educateur.casa': [['staff', [AMAL, CASA]]],
  'directeur.tanger@amal.ma': [['director', [AMAL, TANGER]]],
  'observateur@entraide.ma': [['observer', []]],
  'inspecteur@entraide.ma': [['inspector', [AMAL, CASA]]],
  'admin@nour.ma': [['admin', [NOUR]]],
  'directrice@nour.ma': [['director', [NOUR, FES]]],
};

/** The permissions the routes of the HTTP tests need. */
export const PERMS = ['org.read', 'org.manage', 'user.read', 'user.manage', 'user.password',
  'audit.read', 'attach.read', 'attach.write', 'quality.read', 'quality.write'];

/** What each role gives over the subtree of the node where it is held
 *  (docs/API.md): the permission of every route is one of PERMS, or
 *  'authenticated' (anybody signed in; the object itself says whose it is). */
export const ROLE_PERMS = {
  admin: PERMS,
  quality_advisor: ['org.read', 'user.read', 'attach.read', 'quality.read', 'quality.write'],
  observer: ['org.read', 'quality.read'],
  director: ['org.read', 'org.manage', 'user.read', 'user.manage', 'user.password', 'audit.read',
    'attach.read', 'attach.write', 'quality.read', 'quality.write'],
  quality_referent: ['org.read', 'user.read', 'attach.read', 'attach.write', 'quality.read', 'quality.write'],
  staff: ['org.read', 'attach.read', 'attach.write', 'quality.read', 'quality.write'],
  inspector: ['org.read', 'quality.read'],
};

/** The node at the end of a path of names from the root, in the demo `d`
 *  (lib.mjs demo()). Throws when a name is missing. */
export function nodeAt(d, names) {
  let node = d.root;
  if (!node) throw new Error('demo: the root admin does not see the root node');
  for (const name of names) {
    const next = d.children(node.id).find((n) => n.name === name);
    if (!next) throw new Error(`demo: no node "${name}" under "${node.name}" (${node.id})`);
    node = next;
  }
  return node;
}

/** A demo login as the fixture describes it:
 *  {login, roles: [{role, node}], scope (Set of node ids it may read),
 *   can(perm, nodeId), anywhere(perm), scopeOf(perm) (Set of node ids)}. */
export function demoActor(d, login) {
  const spec = DEMO_ROLES[login];
  if (!spec) throw new Error(`fixture: ${login} is not a known demo login`);
  const roles = spec.map(([role, names]) => {
    if (!ROLE_PERMS[role]) throw new Error(`fixture: unknown role ${role}`);
    return { role, node: nodeAt(d, names) };
  });
  const scopes = new Map(); // perm -> Set of node ids
  const scopeOf = (perm) => {
    if (!scopes.has(perm)) {
      const s = new Set();
      for (const r of roles) {
        if (perm !== 'authenticated' && !ROLE_PERMS[r.role].includes(perm)) continue;
        for (const n of d.subtree(r.node.id)) s.add(n.id);
      }
      scopes.set(perm, s);
    }
    return scopes.get(perm);
  };
  return {
    login,
    roles,
    scope: scopeOf('org.read'),
    scopeOf,
    can: (perm, nodeId) => perm === 'authenticated' || scopeOf(perm).has(nodeId),
    anywhere: (perm) => perm === 'authenticated' || roles.some((r) => ROLE_PERMS[r.role].includes(perm)),
    wholePlatform: roles.some((r) => r.node.id === d.root.id),
  };
}
