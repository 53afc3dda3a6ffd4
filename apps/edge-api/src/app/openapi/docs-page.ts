/**
 * A self-contained, browsable view of /openapi.json (no CDN, no external script: the network may be closed).
 * Operations grouped by tag; each opens to show who may call it, its parameters, body and answers, with schemas
 * rendered as nested property lists. Everything is inserted as text (never as HTML).
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AISBF API</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.8}
main{max-width:1100px;margin:0 auto;padding:16px 24px}h2{margin:24px 0 8px;font-size:17px}
input{width:100%;box-sizing:border-box;padding:8px;border:1px solid #c9ced8;border-radius:6px;font-size:14px}
details.op{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:6px 0}
details.op>summary{cursor:pointer;padding:8px 10px;display:flex;gap:10px;align-items:center;list-style:none}
.m{font:600 12px ui-monospace,monospace;text-transform:uppercase;border-radius:4px;padding:2px 6px;min-width:52px;text-align:center;color:#fff}
.get{background:#2f7d32}.post{background:#1f5fbf}.put{background:#b26a00}.patch{background:#7b4bb3}.delete{background:#b3261e}
.p{font-family:ui-monospace,monospace}.s{color:#5a6375}.body{padding:4px 14px 12px;border-top:1px solid #eef0f4}
.acc{background:#fff7e0;border:1px solid #f0dca0;border-radius:4px;padding:4px 8px;display:inline-block}
ul.schema{list-style:none;padding-left:16px;margin:2px 0;border-left:1px dotted #c9ced8}ul.schema li{margin:2px 0}
.k{font-family:ui-monospace,monospace;font-weight:600}.t{color:#1f5fbf;font-family:ui-monospace,monospace}.req{color:#b3261e}
.d{color:#5a6375}code{background:#eef0f4;padding:1px 4px;border-radius:3px}
</style></head><body>
<header><h1 id="title">AISBF API</h1><p id="desc"></p></header>
<main><input id="filter" placeholder="Filter by path or summary"><div id="ops">Loading /openapi.json …</div></main>
<script>
(function () {
  var el = function (tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = String(text); return e; };
  var doc;
  function resolve(s) { var seen = 0; while (s && s.$ref && seen++ < 20) { s = doc.components.schemas[s.$ref.split('/').pop()]; } return s || {}; }
  function typeOf(s) {
    s = resolve(s);
    if (s.enum) return s.enum.map(function (v) { return JSON.stringify(v); }).join(' | ');
    if (s.anyOf || s.oneOf) return (s.anyOf || s.oneOf).map(typeOf).join(' | ');
    if (s.type === 'array') return typeOf(s.items || {}) + '[]';
    return s.type || (s.properties ? 'object' : 'any');
  }
  function schemaList(s, depth) {
    s = resolve(s);
    var ul = el('ul', 'schema');
    if (depth > 6) return ul;
    if (s.type === 'array' && s.items) return schemaList(s.items, depth + 1);
    var alts = s.anyOf || s.oneOf;
    if (alts) { alts.forEach(function (a) { var r = resolve(a); if (r.properties || r.items) ul.appendChild(schemaList(r, depth + 1)); }); return ul; }
    var props = s.properties || {};
    var req = s.required || [];
    Object.keys(props).forEach(function (k) {
      var p = resolve(props[k]);
      var li = el('li');
      li.appendChild(el('span', 'k', k));
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('span', 't', typeOf(p)));
      if (req.indexOf(k) >= 0) li.appendChild(el('span', 'req', ' required'));
      if (p.default !== undefined) li.appendChild(el('span', 'd', ' default ' + JSON.stringify(p.default)));
      if (p.description) li.appendChild(el('span', 'd', ' — ' + p.description));
      var inner = p.type === 'array' ? resolve(p.items || {}) : p;
      if (inner.properties || inner.anyOf) li.appendChild(schemaList(inner, depth + 1));
      ul.appendChild(li);
    });
    if (s.additionalProperties === false) ul.appendChild(el('li', 'd', '(no other keys)'));
    return ul;
  }
  function render(filter) {
    var root = document.getElementById('ops');
    root.textContent = '';
    var byTag = {};
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var o = doc.paths[path][method];
        var hay = (path + ' ' + method + ' ' + o.summary).toLowerCase();
        if (filter && hay.indexOf(filter) < 0) return;
        (byTag[o.tags[0]] = byTag[o.tags[0]] || []).push({ path: path, method: method, o: o });
      });
    });
    Object.keys(byTag).forEach(function (tag) {
      root.appendChild(el('h2', null, tag));
      byTag[tag].forEach(function (x) {
        var d = el('details', 'op');
        var s = el('summary');
        s.appendChild(el('span', 'm ' + x.method, x.method));
        s.appendChild(el('span', 'p', x.path));
        s.appendChild(el('span', 's', x.o.summary));
        d.appendChild(s);
        var b = el('div', 'body');
        b.appendChild(el('p', 'acc', x.o.description));
        (x.o.parameters || []).forEach(function (p) { var pe = el('p'); pe.appendChild(el('code', null, p.name)); pe.appendChild(document.createTextNode(' (' + p.in + ')' + (p.description ? ': ' + p.description : ''))); b.appendChild(pe); });
        if (x.o.requestBody) {
          var ref = x.o.requestBody.content['application/json'].schema.$ref.split('/').pop();
          b.appendChild(el('h4', null, 'Body: ' + ref));
          b.appendChild(schemaList(x.o.requestBody.content['application/json'].schema, 0));
        }
        b.appendChild(el('h4', null, 'Answers'));
        Object.keys(x.o.responses).forEach(function (st) {
          var r = x.o.responses[st];
          var sch = r.content && r.content['application/json'].schema;
          var de = el('details');
          de.appendChild(el('summary', null, st + ' ' + r.description + (sch ? ' — ' + sch.$ref.split('/').pop() : '')));
          if (sch) de.appendChild(schemaList(sch, 0));
          b.appendChild(de);
        });
        d.appendChild(b);
        root.appendChild(d);
      });
    });
  }
  fetch('/openapi.json').then(function (r) { return r.json(); }).then(function (j) {
    doc = j;
    document.getElementById('title').textContent = j.info.title + ' ' + j.info.version;
    document.getElementById('desc').textContent = j.info.description;
    render('');
    document.getElementById('filter').addEventListener('input', function (e) { render(e.target.value.toLowerCase()); });
  }).catch(function (e) { document.getElementById('ops').textContent = 'Could not load /openapi.json: ' + e; });
})();
</script></body></html>
`;
