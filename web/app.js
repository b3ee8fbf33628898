// app.js -- the page of `elbolab serve`: sends the derivation to /api/derive
// a moment after typing stops and shows each line typeset (KaTeX, when the
// server has it), how it was read, and each step's verdict; for an exercise,
// also its statement and the score from /api/grade.  Plain JavaScript, no
// build step; the text is kept in localStorage.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const DEBOUNCE_MS = 700;
  const store = {
    get(k, d) {
      try { const v = localStorage.getItem('elbolab.' + k); return v === null ? d : v; } catch (e) { return d; }
    },
    set(k, v) {
      try { localStorage.setItem('elbolab.' + k, v); } catch (e) { /* private mode: not kept */ }
    },
  };
  let exercises = [];
  let current = null; // the exercise shown, or null in free checking
  let timer = null;
  let inflight = null;
  let seq = 0;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // ---- typesetting ---------------------------------------------------------

  const REL_TEX = { '=': '=', '>=': '\\geq', '<=': '\\leq', '>': '>', '<': '<', '~': '\\approx',
    propto: '\\propto', '=>': '\\Rightarrow' };
  const REL_TEXT = { '=': '=', '>=': '≥', '<=': '≤', '>': '>', '<': '<', '~': '≈', propto: '∝', '=>': '⇒' };
  const GREEK = 'alpha|beta|gamma|delta|epsilon|eta|theta|lambda|mu|nu|pi|rho|sigma|tau|phi|psi|omega|Sigma|Pi|Lambda|Phi|Omega';

  // Plain notation (log, sum_z, E_q[...], KL(q || p), mu, >=) as TeX.
  function plainToTex(s) {
    return s
      .replace(/([%#&$])/g, '\\$1')
      .replace(/\|\|/g, ' \\,\\|\\, ')
      .replace(/>=/g, ' \\geq ')
      .replace(/<=/g, ' \\leq ')
      .replace(/(^|[^A-Za-z\\])(log|exp|sqrt|det|tr)(?![A-Za-z])/g, '$1\\operatorname{$2}')
      .replace(/(^|[^A-Za-z\\])(sum|int|prod)(?![A-Za-z])/g, '$1\\$2')
      .replace(/(^|[^A-Za-z\\])E(?=[_[])/g, '$1\\mathbb{E}')
      .replace(/(^|[^A-Za-z\\])(KL|H)(?=\()/g, '$1\\mathrm{$2}')
      .replace(new RegExp('(^|[^A-Za-z\\\\])(' + GREEK + ')(?![A-Za-z])', 'g'), '$1\\$2')
      .replace(/\*/g, ' \\cdot ');
  }

  function typeset(node, source) {
    const tex = source.indexOf('\\') >= 0 ? source : plainToTex(source);
    if (window.katex) {
      try {
        window.katex.render(tex, node, { throwOnError: false, displayMode: false, strict: 'ignore' });
        return;
      } catch (e) { /* fall through to plain text */ }
    }
    node.textContent = source;
    node.classList.add('plain');
  }

  // An exercise's statement: prose with LaTeX written inline and no $...$.
  // Runs of words that look like TeX (a command, _ ^ { }, p(x), an operator
  // between them) are typeset; the rest stays text; list lines stay lines.
  function mathy(w) {
    const t = w.replace(/[,.;:]+$/, '');
    return /[\\_^{}]/.test(t) || /^[A-Za-z]\([^\s]*\)$/.test(t) || /^(=|\+|-|>=|<=|\\\||\|)$/.test(t);
  }

  // Prose: `code` spans as code, the rest word by word.
  function proseNode(text) {
    const p = el('span');
    text.split(/(`[^`]*`)/).forEach((seg) => {
      if (/^`[^`]*`$/.test(seg)) {
        p.appendChild(el('code', null, seg.slice(1, -1)));
        return;
      }
      if (/^\s/.test(seg)) p.appendChild(document.createTextNode(' '));
      p.appendChild(wordsNode(seg));
      if (/\s$/.test(seg) && seg.trim()) p.appendChild(document.createTextNode(' '));
    });
    return p;
  }

  function wordsNode(text) {
    const p = el('span');
    const words = text.split(/\s+/).filter((w) => w);
    let i = 0;
    while (i < words.length) {
      if (!mathy(words[i])) {
        p.appendChild(document.createTextNode((i ? ' ' : '') + words[i]));
        i++;
        continue;
      }
      let j = i;
      while (j < words.length && mathy(words[j])) j++;
      let run = words.slice(i, j).join(' ');
      const tail = (run.match(/[,.;:]+$/) || [''])[0];
      run = run.slice(0, run.length - tail.length);
      const m = el('span');
      window.katex.render(run, m, { throwOnError: false, strict: 'ignore' });
      if (m.querySelector('.katex-error')) m.textContent = run;
      if (i) p.appendChild(document.createTextNode(' '));
      p.appendChild(m);
      if (tail) p.appendChild(document.createTextNode(tail));
      i = j;
    }
    return p;
  }

  function renderStatement(node, text) {
    node.textContent = '';
    if (!window.katex) {
      node.textContent = text;
      return;
    }
    text.split(/\n\s*\n/).forEach((par) => {
      const para = el('p');
      let buf = [];
      const flush = () => {
        if (!buf.length) return;
        if (para.childNodes.length) para.appendChild(el('br'));
        para.appendChild(proseNode(buf.join(' ')));
        buf = [];
      };
      par.split('\n').forEach((line) => {
        if (/^\s*(\d+\.|[-*])\s/.test(line)) flush();
        buf.push(line);
        if (/^\s*(\d+\.|[-*])\s/.test(line)) flush();
      });
      flush();
      node.appendChild(para);
    });
  }

  function relNode(r) {
    const span = el('span');
    if (!r) return span;
    if (window.katex && REL_TEX[r]) window.katex.render(REL_TEX[r], span, { throwOnError: false });
    else span.textContent = REL_TEXT[r] || r;
    return span;
  }

  // ---- the report ----------------------------------------------------------

  function markOf(st) {
    if (!st) return ['', ''];
    switch (st.status) {
      case 'valid': return ['valid', '✓'];
      case 'invalid': return ['invalid', '✗ ' + (st.diagnosis || '')];
      case 'error': return ['error', '✗ error'];
      default: return ['unknown', '? unknown'];
    }
  }

  function whyNode(st, first) {
    const why = el('div', 'why');
    if (st.diagnosis) why.appendChild(el('span', 'diag', st.diagnosis));
    if (st.message) why.appendChild(el('span', 'msg', st.message));
    if (first && st.instance) {
      let j = JSON.stringify(st.instance, (k, v) => (typeof v === 'number' ? +v.toPrecision(6) : v));
      if (j.length > 400) j = j.slice(0, 400) + '…';
      why.appendChild(el('div', 'inst', 'instance: ' + j));
    }
    return why;
  }

  function lineRow(d, i) {
    const line = d.lines[i];
    const st = i ? d.steps.find((s) => s.step === i) : null;
    const [cls, mark] = markOf(st);
    const row = el('div', 'row' + (cls && cls !== 'valid' ? ' ' + cls : ''));
    row.appendChild(el('div', 'ln', String(line.line)));
    const rel = el('div', 'rel');
    if (st) rel.appendChild(relNode(st.relation));
    row.appendChild(rel);
    const body = el('div');
    const math = el('div', 'math');
    typeset(math, line.source);
    body.appendChild(math);
    if (line.read_as) body.appendChild(el('div', 'readas', line.read_as));
    if (line.error) body.appendChild(el('div', 'why', 'does not read: ' + line.error));
    row.appendChild(body);
    const m = el('div', 'mark ' + cls, mark);
    if (st && st.justification) {
      const j = st.justification.trim();
      m.appendChild(el('span', 'just', /^[([].*[)\]]$/.test(j) ? j : '(' + j + ')'));
    }
    if (st && st.repeat) m.appendChild(el('span', 'just', '(repeat: not counted)'));
    row.appendChild(m);
    if (st && st.status !== 'valid' && (st.message || st.diagnosis))
      row.appendChild(whyNode(st, i === d.first_invalid));
    return row;
  }

  function chainNode(d) {
    const box = el('div', 'chain');
    const head = el('div', 'head ' + (d.valid ? 'valid' : d.first_invalid ? 'invalid' : ''));
    head.appendChild(document.createTextNode('Context '));
    head.appendChild(el('b', null, d.context));
    head.appendChild(document.createTextNode(', ' + d.instances + ' instances: '));
    head.appendChild(el('b', null, d.valid ? '✓ every step holds'
      : d.first_invalid ? '✗ step ' + d.first_invalid + ' does not hold' : 'not fully checked'));
    box.appendChild(head);
    for (let i = 0; i < d.lines.length; i++) box.appendChild(lineRow(d, i));
    const foot = el('div', 'foot');
    if (d.relation) {
      foot.appendChild(document.createTextNode('Composed relation: first line '));
      foot.appendChild(relNode(d.relation));
      foot.appendChild(document.createTextNode(' last line' + (d.valid ? '' : ' (if every step held)')));
    } else {
      foot.textContent = 'Composed relation: none (the steps go both ways).';
    }
    if (d.notes) foot.appendChild(el('div', null, 'Note: ' + d.notes));
    box.appendChild(foot);
    return box;
  }

  function showStatus(text, error) {
    const s = $('status');
    s.textContent = text;
    s.className = error ? 'error' : '';
  }

  function renderReport(rep) {
    const box = $('report');
    box.textContent = '';
    const ds = rep.derivations || [];
    if (!ds.length) {
      showStatus('No derivation yet: a chain needs two lines joined by =, ≥, ≤ …');
      return;
    }
    const bad = ds.filter((d) => !d.valid).length;
    showStatus(bad ? bad + ' of ' + ds.length + ' chain' + (ds.length > 1 ? 's' : '') + ' with a step that does not hold.'
      : 'Every step holds (' + ds.length + ' chain' + (ds.length > 1 ? 's' : '') + ').');
    ds.forEach((d) => box.appendChild(chainNode(d)));
  }

  function renderScore(g) {
    const box = $('score');
    box.textContent = '';
    const ex = (g.exercises || [])[0];
    if (!ex) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(el('span', 'pts', 'Score ' + ex.score + ' / ' + ex.max_score));
    box.appendChild(document.createTextNode('  (' + ex.status + ')'));
    (ex.parts || []).forEach((p) => {
      if (p.feedback) box.appendChild(el('div', null, (ex.parts.length > 1 ? p.name + ': ' : '') + p.feedback));
    });
  }

  // ---- talking to the server ------------------------------------------------

  async function post(path, body, signal) {
    const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body), signal });
    const j = await r.json().catch(() => ({ error: 'The server answered ' + r.status + '.' }));
    if (!r.ok) throw new Error(j.error || 'The server answered ' + r.status + '.');
    return j;
  }

  function answers() {
    const a = {};
    if (!current) return a;
    current.parts.forEach((p, i) => {
      a[p.name] = i === 0 ? $('text').value : (($('part-' + i) || {}).value || '');
    });
    return a;
  }

  async function check() {
    clearTimeout(timer);
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const my = ++seq;
    const text = $('text').value;
    const derive = !current || current.kind === 'derivation';
    showStatus('Checking…');
    try {
      if (derive) {
        if (!text.trim()) {
          $('report').textContent = '';
          showStatus('Type a derivation.');
        } else {
          const ctx = current ? current.context : $('mode').value.slice(4);
          const rep = await post('/api/derive', { text, context: ctx, seed: 0 }, inflight.signal);
          if (my !== seq) return;
          renderReport(rep);
        }
      } else {
        $('report').textContent = '';
        showStatus('');
      }
      if (current) {
        const g = await post('/api/grade', { exercise: current.id, answers: answers(),
          student: $('student').value.trim() }, inflight.signal);
        if (my !== seq) return;
        renderScore(g);
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (my === seq) showStatus(e.message, true);
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  }

  // ---- modes: free checking or an exercise ---------------------------------

  function textKey() { return 'text.' + $('mode').value; }

  async function showExercise(id) {
    const student = $('student').value.trim();
    const r = await fetch('/api/exercises/' + encodeURIComponent(id) + '?student=' + encodeURIComponent(student));
    const ex = await r.json();
    if (!r.ok) throw new Error(ex.error);
    current = ex;
    $('ex-title').textContent = ex.title + '  (' + ex.points + ' point' + (ex.points === 1 ? '' : 's') + ')';
    renderStatement($('ex-statement'), ex.statement);
    const parts = $('ex-parts');
    parts.textContent = '';
    ex.parts.forEach((p, i) => {
      if (i === 0) return;
      const id2 = 'part-' + i;
      const lab = el('label', null, p.name + ' (' + p.kind + ', ' + p.points + ' pt)');
      lab.htmlFor = id2;
      const inp = el('input');
      inp.id = id2;
      inp.value = store.get(textKey() + '.' + p.name, '');
      inp.addEventListener('input', () => { store.set(textKey() + '.' + p.name, inp.value); later(); });
      parts.append(lab, inp);
    });
    $('text-label').textContent = ex.parts.length
      ? 'Your answer for "' + ex.parts[0].name + '" (' + ex.parts[0].kind + ')' +
        (ex.kind === 'derivation' ? ': one step per row, plain text or LaTeX' : '')
      : 'Your answer';
    $('text').classList.toggle('short', ex.kind !== 'derivation');
    $('exercise').hidden = false;
  }

  async function selectMode() {
    const v = $('mode').value;
    store.set('mode', v);
    const isEx = v.startsWith('ex:');
    $('student').hidden = $('student-label').hidden = !isEx;
    $('score').hidden = true;
    $('report').textContent = '';
    current = null;
    $('exercise').hidden = true;
    $('text').classList.remove('short');
    $('text-label').textContent = 'Your derivation: one step per row; a row that begins with =, ≥, ≤ continues the chain (plain text or LaTeX, align* welcome)';
    $('text').value = store.get(textKey(), '');
    try {
      if (isEx) await showExercise(v.slice(3));
    } catch (e) {
      showStatus(e.message, true);
      return;
    }
    check();
  }

  function option(value, label) {
    const o = el('option', null, label);
    o.value = value;
    return o;
  }

  async function init() {
    const [ctx, exs] = await Promise.all([fetch('/api/contexts').then((r) => r.json()),
      fetch('/api/exercises').then((r) => r.json())]);
    exercises = exs;
    const sel = $('mode');
    const free = el('optgroup');
    free.label = 'Free checking in a context';
    ctx.forEach((c) => free.appendChild(option('ctx:' + c.name, c.name + (c.title ? ' — ' + c.title : ''))));
    const der = el('optgroup');
    der.label = 'Derivation exercises';
    const other = el('optgroup');
    other.label = 'Other exercises';
    exercises.forEach((e) => (e.kind === 'derivation' ? der : other).appendChild(option('ex:' + e.id, e.id + ' — ' + e.title)));
    sel.append(free, der, other);
    // ?mode=ctx:gauss&text=... (a link to a derivation) wins over what is kept
    const q = new URLSearchParams(location.search);
    const saved = q.get('mode') || store.get('mode', 'ctx:discrete');
    if (q.has('text')) store.set('text.' + saved, q.get('text'));
    sel.value = [...sel.options].some((o) => o.value === saved) ? saved : sel.options[0].value;
    $('student').value = store.get('student', '');
    sel.addEventListener('change', selectMode);
    $('text').addEventListener('input', () => { store.set(textKey(), $('text').value); later(); });
    $('student').addEventListener('change', () => { store.set('student', $('student').value.trim()); selectMode(); });
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); check(); }
      if (e.altKey && (e.key === 'm' || e.key === 'M')) { e.preventDefault(); sel.focus(); }
    });
    await selectMode();
  }

  init().catch((e) => showStatus('The server does not answer: ' + e.message, true));
})();
