'use strict';
// The page of s1resolve serve: a single page driven by the URL fragment.
//   #/                 counts by decision
//   #/explain/KEY      the group of a key, drawn, and each member's decision in words
//   #/suppliers        the suppliers (DCC) or one's own (a supplier)
//   #/supplier/ID?decision=D&reason=R   a supplier's installations, filtered, and its CSV list
// It reads only the JSON API of the same service (docs/SERVE.md).
(function () {
  const outcomes = JSON.parse(document.body.dataset.outcomes);
  const colour = {}, titles = {};
  for (const d of outcomes.decisions) { colour[d.name] = d.colour; titles[d.name] = d.title; }
  const main = document.getElementById('main');
  const TOKEN = 's1resolve-token';

  // el builds an element: attributes (on* are listeners), then children.
  // num writes a count as the reports do: 1,234,567.
  const num = (n) => Number(n).toLocaleString('en-GB');

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    setAttrs(e, attrs);
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }
  function sv(tag, attrs, ...kids) {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    setAttrs(e, attrs);
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }
  function setAttrs(e, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, v === true ? '' : v);
    }
  }
  function badge(decision) {
    const b = el('span', {class: 'badge', title: titles[decision] || ''}, decision || 'no decision');
    b.style.backgroundColor = colour[decision] || '#718096';
    return b;
  }
  function keyLink(key, text) {
    return el('a', {href: '#/explain/' + encodeURIComponent(key)}, text || key);
  }

  class Stop extends Error {}
  class APIError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  // api fetches a path of the API with the tab's token; a 401 asks for one.
  async function api(path) {
    const headers = {};
    const t = sessionStorage.getItem(TOKEN);
    if (t) headers['Authorization'] = 'Bearer ' + t;
    const r = await fetch(path, {headers, cache: 'no-store', credentials: 'omit'});
    if (r.status === 401) {
      sessionStorage.removeItem(TOKEN);
      askToken();
      throw new Stop();
    }
    if (!r.ok) {
      let msg = r.statusText;
      try { msg = (await r.json()).error; } catch (e) { /* not JSON */ }
      throw new APIError(r.status, msg);
    }
    return r;
  }
  async function json(path) { return (await api(path)).json(); }

  function askToken() {
    document.getElementById('login').hidden = false;
    main.replaceChildren(el('p', {class: 'muted'}, 'This service needs an access token.'));
    document.getElementById('token').focus();
  }
  document.getElementById('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = document.getElementById('token').value.trim();
    if (!t) return;
    sessionStorage.setItem(TOKEN, t);
    document.getElementById('token').value = '';
    document.getElementById('login').hidden = true;
    route();
  });
  const forget = document.getElementById('forget');
  forget.addEventListener('click', () => { sessionStorage.removeItem(TOKEN); route(); });

  document.getElementById('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const k = document.getElementById('key').value.trim();
    if (k) location.hash = '#/explain/' + encodeURIComponent(k);
  });

  function showError(e) {
    if (e instanceof Stop) return;
    main.replaceChildren(el('p', {class: 'error', role: 'alert'}, e.message));
  }

  async function route() {
    forget.hidden = !sessionStorage.getItem(TOKEN);
    document.getElementById('key').value = '';
    const h = location.hash.replace(/^#/, '') || '/';
    const [path, query] = h.split('?');
    const params = new URLSearchParams(query || '');
    const parts = path.split('/');
    try {
      if (parts[1] === 'explain' && parts.length > 2) await showExplain(decodeURIComponent(parts.slice(2).join('/')));
      else if (parts[1] === 'supplier' && parts.length > 2) await showSupplier(decodeURIComponent(parts.slice(2).join('/')), params);
      else if (parts[1] === 'suppliers') await showSuppliers();
      else await showHome();
    } catch (e) { showError(e); }
  }
  window.addEventListener('hashchange', route);

  // Home: the counts by decision.
  async function showHome() {
    const s = await json('/api/summary');
    const max = Math.max(1, ...Object.values(s.decisions));
    const rows = outcomes.decisions.slice().sort((a, b) => a.rank - b.rank).map((d) => {
      const n = s.decisions[d.name] || 0;
      const bar = el('span', {class: 'bar'});
      bar.style.width = (n * 300 / max) + 'px';
      bar.style.backgroundColor = d.colour;
      return el('tr', {}, el('td', {}, badge(d.name)), el('td', {}, d.title), el('td', {class: 'n'}, num(n)), el('td', {}, bar));
    });
    main.replaceChildren(
      el('h2', {id: 'decided'}, num(s.installations) + ' installations decided'),
      el('p', {class: 'muted'}, 'Store written ' + s.store_written + '. Search a key above to see its group and why each member was decided as it was.'),
      el('table', {id: 'decisions'}, el('tr', {}, el('th', {}, 'decision'), el('th', {}, ''), el('th', {}, 'installations'), el('th', {}, '')), ...rows),
      el('p', {}, el('a', {href: '#/suppliers'}, 'Responsible Suppliers and their lists')));
  }

  // Explain: the groups of a key.
  async function showExplain(key) {
    document.getElementById('key').value = key;
    let x;
    try {
      x = await json('/api/explain?key=' + encodeURIComponent(key));
    } catch (e) {
      if (e instanceof APIError && (e.status === 404 || e.status === 400)) {
        main.replaceChildren(el('h2', {}, key), el('p', {class: 'error', role: 'alert', id: 'notfound'}, e.message));
        return;
      }
      throw e;
    }
    const out = [el('h2', {id: 'what'}, x.what + ': ' + x.found + ' installation(s)')];
    if (x.rejected) {
      out[0].textContent = x.what + ' was rejected';
      out.push(el('p', {}, 'It has no decision and takes no part in any group. Its ' + x.rejected.rows + ' row(s) are listed in ' +
        x.rejected.rejects + '; the first, ' + x.rejected.file + ' line ' + x.rejected.line + ': ' + x.rejected.error));
    }
    for (const g of x.groups) out.push(group(g, x));
    main.replaceChildren(...out);
  }

  function group(g, x) {
    const sec = el('section', {class: 'group'}, el('p', {class: 'heading'}, g.heading), graph(g), legend(g));
    for (const c of [['by decision', g.by_decision], ['by SMSO', g.by_smso]]) {
      if (!c[1]) continue;
      sec.append(el('table', {class: 'counts'}, el('tr', {}, el('th', {}, c[0]), el('th', {}, 'members')),
        ...c[1].map((n) => el('tr', {}, el('td', {}, n.label), el('td', {class: 'n'}, num(n.n))))));
    }
    for (const m of g.members) sec.append(member(m, x));
    if (g.more > 0) sec.append(el('p', {class: 'muted'}, '… and ' + g.more + ' more members, not shown.'));
    return sec;
  }

  function legend(g) {
    const seen = new Set(g.members.map((m) => m.decision).filter(Boolean));
    const items = outcomes.decisions.filter((d) => seen.has(d.name)).map((d) => {
      const s = el('span', {class: 'swatch'});
      s.style.backgroundColor = d.colour;
      return el('span', {}, s, d.name);
    });
    if (g.smets2 > 0) items.push(el('span', {}, '◇ SMETS2+ installation (no decision)'));
    if (g.members.some((m) => !m.visible)) items.push(el('span', {}, 'dashed: details withheld (another supplier\'s installation, or SMETS2+)'));
    return el('div', {class: 'legend'}, ...items);
  }

  // graph draws the members (top row) linked to the MPxNs they hold
  // (bottom row): two members sharing an MPxN meet at its box.
  function graph(g) {
    const step = 130, top = 48, bottom = 160;
    const n = Math.max(g.members.length, g.mpxns.length, 1);
    const width = n * step + 20, height = 190;
    const mx = (i, count) => 10 + step / 2 + i * step + (n - count) * step / 2;
    const svg = sv('svg', {width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': g.heading, class: 'group-graph'});
    svg.append(sv('title', {}, g.heading));
    g.mpxns.forEach((l, j) => {
      for (const i of l.members) {
        svg.append(sv('line', {class: 'edge', x1: mx(i, g.members.length), y1: top + 18, x2: mx(j, g.mpxns.length), y2: bottom - 11},
          sv('title', {}, g.members[i].label + ' holds ' + (l.mpxn || 'an MPxN withheld'))));
      }
    });
    g.mpxns.forEach((l, j) => {
      const x = mx(j, g.mpxns.length);
      const label = l.mpxn || '(withheld)';
      const box = sv('g', {class: 'key'}, sv('rect', {x: x - 52, y: bottom - 11, width: 104, height: 22, rx: 4}),
        sv('text', {x, y: bottom + 4, 'text-anchor': 'middle'}, label));
      svg.append(l.mpxn ? sv('a', {href: '#/explain/' + encodeURIComponent(l.mpxn)}, box) : box);
    });
    g.members.forEach((m, i) => {
      const x = mx(i, g.members.length), y = top;
      const fill = m.smets2 ? '#ffffff' : (colour[m.decision] || '#718096');
      const stroke = m.asked ? '#1a202c' : '#4a5568';
      const attrs = {fill, stroke, 'stroke-width': m.asked ? 3 : 1.5};
      if (!m.visible) attrs['stroke-dasharray'] = '4 3';
      const shape = m.smets2
        ? sv('path', Object.assign({d: `M${x} ${y - 18} L${x + 18} ${y} L${x} ${y + 18} L${x - 18} ${y} Z`}, attrs))
        : sv('circle', Object.assign({cx: x, cy: y, r: 17}, attrs));
      const label = m.label.length > 18 ? m.label.slice(0, 17) + '…' : m.label;
      const node = sv('g', {class: 'node', 'data-index': m.index}, shape,
        sv('title', {}, m.label + (m.decision ? ': ' + m.decision : ' (SMETS2+)')),
        m.smets2 ? sv('text', {x, y: y + 4, 'text-anchor': 'middle'}, 'S2+') : null,
        sv('text', {x, y: y - 26, 'text-anchor': 'middle', class: 'label'}, label));
      svg.append(m.visible && m.key ? sv('a', {href: '#/explain/' + encodeURIComponent(m.key), class: 'member-link'}, node) : node);
    });
    return el('div', {class: 'graph'}, svg);
  }

  function member(m, x) {
    const a = el('article', {class: 'member' + (m.asked ? ' asked' : ''), id: 'member-' + m.index});
    const name = m.visible && m.key ? keyLink(m.key, m.label) : el('span', {}, m.label);
    if (m.smets2) {
      a.append(el('h3', {}, 'SMETS2+ ', name));
      if (!m.visible) { a.append(el('p', {class: 'muted'}, 'A SMETS2+ installation of the premises; its details are withheld.')); return a; }
      a.append(el('p', {class: 'why'}, 'No decision: a SMETS2+ installation takes part in its group\'s step 2 only (its date and communicating flag count).'),
        facts([['installed', m.install_date], ['communicating', m.communicating], ['MPAN', mpxn(m.mpan)], ['MPRN', mpxn(m.mprn)],
          ['read from', m.file + ' line ' + m.line]]));
      return a;
    }
    a.append(el('h3', {}, name, badge(m.decision)));
    if (!m.visible) {
      a.append(el('p', {class: 'muted'}, 'Another supplier\'s installation: only its existence and decision are shown.'));
      return a;
    }
    const r = m.row;
    a.querySelector('h3').append(el('span', {class: 'muted'}, ' ' + r.reason + (r.clause ? ', clause ' + r.clause : '') + ' (step ' + m.step + ')'));
    a.append(el('p', {class: 'why'}, el('strong', {}, 'Why: '), m.why));
    a.append(facts([['cohort', r.cohort], ['installed', m.install_date], ['communicating', m.communicating],
      ['MPAN', mpxn(r.mpan)], ['MPRN', mpxn(r.mprn)],
      ['supplier', r.supplier_id ? el('a', {href: '#/supplier/' + encodeURIComponent(r.supplier_id)}, r.supplier_id) : '-'],
      ['notify supplier', r.notify_supplier], ['group', (r.group_id || '(withheld)') + ', ' + r.group_size + ' member(s)']]));
    if (m.registrations) {
      a.append(el('ul', {class: 'registrations'}, ...m.registrations.map((g) => el('li', {}, g.withheld
        ? g.mpxn + ' is registered to another supplier (withheld)'
        : g.registered
        ? g.mpxn + ' is registered to ' + g.supplier + ' (' + g.status + '), ' + x.registration + ' line ' + g.line
        : g.mpxn + ' is not in the registration data (' + x.registration + ')'))));
    }
    if (m.devices && m.devices.length) {
      a.append(el('table', {class: 'devices'},
        el('tr', {}, ...['device', 'GUID', 'state', 'group', 'row'].map((h) => el('th', {}, h))),
        ...m.devices.map((d) => el('tr', {}, el('td', {}, d.type), el('td', {}, keyLink(d.guid)), el('td', {}, d.state || ''),
          el('td', {}, d.group || ''), el('td', {}, d.file + ' line ' + d.line)))));
    }
    return a;
  }
  function mpxn(k) { return k ? keyLink(k) : '-'; }
  function facts(pairs) {
    const dl = el('dl', {class: 'facts'});
    for (const [k, v] of pairs) dl.append(el('dt', {}, k), el('dd', {}, v === undefined || v === '' ? '-' : v));
    return dl;
  }

  // Suppliers.
  async function showSuppliers() {
    const s = await json('/api/summary');
    if (s.suppliers.length === 1) { location.replace('#/supplier/' + encodeURIComponent(s.suppliers[0].supplier_id)); return; }
    main.replaceChildren(el('h2', {}, 'Responsible Suppliers'),
      s.suppliers.length === 0 ? el('p', {class: 'muted'}, 'The store has no registration data: no installation has a Responsible Supplier.') :
        el('table', {id: 'suppliers'}, el('tr', {}, ...['supplier', 'status', 'installations', 'on its list'].map((h) => el('th', {}, h))),
          ...s.suppliers.map((p) => el('tr', {}, el('td', {}, el('a', {href: '#/supplier/' + encodeURIComponent(p.supplier_id)}, p.supplier_id)),
            el('td', {}, p.status), el('td', {class: 'n'}, num(p.installations)), el('td', {class: 'n'}, num(p.listed))))));
  }

  async function showSupplier(id, params) {
    const decision = params.get('decision') || '', reason = params.get('reason') || '';
    const select = (name, options, value) => el('select', {name, id: 'filter-' + name, onchange: refilter},
      el('option', {value: ''}, 'any ' + name), ...options.map((o) => el('option', {value: o, selected: o === value}, o)));
    function refilter() {
      const q = new URLSearchParams();
      for (const f of ['decision', 'reason']) { const v = document.getElementById('filter-' + f).value; if (v) q.set(f, v); }
      location.hash = '#/supplier/' + encodeURIComponent(id) + (q.toString() ? '?' + q : '');
    }
    const q = new URLSearchParams({supplier: id});
    if (decision) q.set('decision', decision);
    if (reason) q.set('reason', reason);
    const [first, sum] = await Promise.all([json('/api/installations?' + q), json('/api/summary')]);
    const me = sum.suppliers.find((p) => p.supplier_id === id);
    const body = el('tbody', {});
    const more = el('button', {type: 'button', class: 'plain', id: 'more'}, 'More');
    let next = '';
    function add(page) {
      for (const r of page.installations) {
        body.append(el('tr', {}, el('td', {}, keyLink(r.smso + '/' + r.installation_id)), el('td', {}, r.cohort), el('td', {}, badge(r.decision)),
          el('td', {}, r.reason), el('td', {}, r.clause), el('td', {}, r.mpan ? keyLink(r.mpan) : '-'), el('td', {}, r.mprn ? keyLink(r.mprn) : '-'),
          el('td', {}, r.notify_supplier)));
      }
      next = page.next;
      more.hidden = !next;
    }
    more.addEventListener('click', async () => {
      try { const qq = new URLSearchParams(q); qq.set('cursor', next); add(await json('/api/installations?' + qq)); } catch (e) { showError(e); }
    });
    add(first);
    const download = el('button', {type: 'button', id: 'download'}, 'Download the supplier list (CSV)');
    download.addEventListener('click', async () => {
      try {
        const r = await api('/api/suppliers/' + encodeURIComponent(id) + '/installations.csv');
        const name = (/filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '') || [])[1] || 'supplier.csv';
        const url = URL.createObjectURL(await r.blob());
        const link = el('a', {href: url, download: name});
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (e) { showError(e); }
    });
    main.replaceChildren(...[el('h2', {id: 'supplier'}, 'Supplier ' + id),
      me ? el('p', {}, num(me.installations) + ' installations (status ' + me.status + '); ' + num(me.listed) + ' on its list, not simply migrating.') : null,
      el('div', {class: 'filters'}, select('decision', outcomes.decisions.map((d) => d.name), decision),
        select('reason', outcomes.reasons.map((r) => r.name), reason), download),
      el('p', {class: 'muted'}, 'The CSV is the supplier list of the report: the installations not simply migrating, with their device GUIDs.'),
      el('table', {id: 'installations'}, el('thead', {}, el('tr', {}, ...['installation', 'cohort', 'decision', 'reason', 'clause', 'MPAN', 'MPRN', 'notify'].map((h) => el('th', {}, h)))), body),
      more].filter(Boolean));
  }

  route();
})();
