// The audit index: loads the study rows in chunks (script files: a browser refuses fetch() of
// local files), filters them and lists the matches a page at a time, each linking to the
// study's own page. Offline, no libraries; text is only ever set with textContent.
// Row layout: see review/audit/rows.py.
(function () {
  "use strict";
  var root = document.getElementById("audit-index");
  var base = root.getAttribute("data-base");
  var nChunks = parseInt(root.getAttribute("data-chunks"), 10);
  var total = parseInt(root.getAttribute("data-total"), 10);
  var PAGE = parseInt(root.getAttribute("data-page-size"), 10) || 50;

  var meta = null;
  var rows = [];
  var texts = [];
  var matches = [];
  var scanned = 0;
  var loadedChunks = 0;
  var page = 0;
  var pendingHash = null;
  var firstShown = false;
  var queued = false;

  function $(id) { return document.getElementById(id); }
  var f = {
    q: $("filter-text"), box: $("filter-box"), stage: $("filter-stage"),
    decision: $("filter-decision"), code: $("filter-code"), reviewer: $("filter-reviewer"),
    conflict: $("filter-conflict"), carried: $("filter-carried"), verified: $("filter-verified"),
    changed: $("filter-changed")
  };
  var KEYS = ["q", "box", "stage", "decision", "code", "reviewer", "conflict", "carried",
    "verified", "changed"];
  var count = $("filter-count");
  var tbody = $("results");
  var notice = $("notice");

  // ---- the filter -------------------------------------------------------------------------
  var current = null;

  function readFilters() {
    var c = {};
    KEYS.forEach(function (k) { c[k] = f[k].value; });
    c.words = c.q.toLowerCase().split(/\s+/).filter(Boolean);
    c.boxI = c.box ? meta.boxes.indexOf(c.box) : -1;
    c.stageI = c.stage ? meta.stages.indexOf(c.stage) : -1;
    c.decisionI = meta.decisions.indexOf(c.decision);
    c.codeI = c.code ? meta.codes.indexOf(c.code) : -2;
    c.reviewerI = c.reviewer ? meta.reviewers.indexOf(c.reviewer) : -2;
    c.versionI = c.changed ? meta.versions.indexOf(c.changed) : -2;
    c.byStage = !!(c.stage || c.decision || c.code || c.reviewer);
    return c;
  }

  // Does one stage cell match the stage/decision/criterion/reviewer filters?
  function stageMatches(cell, c) {
    var candidates;
    if (!cell) {
      candidates = [];
    } else if (c.reviewer) {
      candidates = cell[2].filter(function (d) { return d[0] === c.reviewerI; })
        .map(function (d) { return [d[1], d[2]]; });
    } else {
      candidates = cell[0] === -1 ? [] : [[cell[0], cell[1]]];
    }
    if (c.decision === "none") { return candidates.length === 0 && (!!cell || !c.reviewer); }
    if (!candidates.length) { return false; }
    return candidates.some(function (d) {
      return (c.decisionI === -1 || d[0] === c.decisionI) &&
        (c.codeI === -2 || d[1].indexOf(c.codeI) !== -1);
    });
  }

  function matchesRow(i, c) {
    var r = rows[i];
    if (c.boxI !== -1 && r[5] !== c.boxI) { return false; }
    var flags = r[6];
    var F = meta.flags;
    if (c.conflict === "any" && !(flags & F.conflict)) { return false; }
    if (c.conflict === "unresolved" && !(flags & F.unresolved)) { return false; }
    if (c.conflict === "resolved" && !((flags & F.conflict) && !(flags & F.unresolved))) { return false; }
    if (c.conflict === "none" && (flags & F.conflict)) { return false; }
    if (c.carried === "yes" && !(flags & F.carried)) { return false; }
    if (c.carried === "no" && (flags & F.carried)) { return false; }
    if (c.verified === "yes" && !(flags & F.verified)) { return false; }
    if (c.verified === "disagrees" && !(flags & F.disagrees)) { return false; }
    if (c.verified === "changed_mind" && !(flags & F.changed_mind)) { return false; }
    if (c.versionI !== -2 && r[9].indexOf(c.versionI) === -1) { return false; }
    if (c.byStage) {
      var stages = c.stageI === -1 ? [0, 1, 2] : [c.stageI];
      if (!stages.some(function (s) { return stageMatches(r[7][s], c); })) { return false; }
    }
    for (var w = 0; w < c.words.length; w++) {
      if (texts[i].indexOf(c.words[w]) === -1) { return false; }
    }
    return true;
  }

  function scan() {
    var t0 = performance.now();
    for (; scanned < rows.length; scanned++) {
      if (matchesRow(scanned, current)) { matches.push(scanned); }
    }
    root.setAttribute("data-filter-ms", (performance.now() - t0).toFixed(1));
  }

  function refilter() {
    current = readFilters();
    matches = [];
    scanned = 0;
    page = 0;
    scan();
    render();
    saveQuery();
  }

  // ---- the list ---------------------------------------------------------------------------
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function studyHref(r) { return base + "studies/" + (r[1] || r[0]) + ".html"; }

  function codesText(list) { return list.map(function (c) { return meta.codes[c]; }).join(" "); }

  function stageCell(cell) {
    var td = el("td");
    if (!cell) { td.appendChild(el("span", "–", "meta")); return td; }
    var outcome = cell[0] === -1 ? "no outcome yet" : meta.decisions[cell[0]];
    td.appendChild(el("span", outcome, "dec dec-" + (cell[0] === -1 ? "none" : outcome)));
    if (cell[1].length) { td.appendChild(document.createTextNode(" ")); td.appendChild(el("code", codesText(cell[1]), "code")); }
    cell[2].forEach(function (d) {
      td.appendChild(el("br"));
      var line = meta.reviewers[d[0]] + (d[3] ? " (resolution)" : "") + ": " + meta.decisions[d[1]] +
        (d[2].length ? " " + codesText(d[2]) : "");
      td.appendChild(el("span", line, "meta"));
    });
    return td;
  }

  function flagsCell(r) {
    var td = el("td");
    var F = meta.flags;
    var names = [];
    if (r[6] & F.unresolved) { names.push("conflict, not settled"); }
    else if (r[6] & F.conflict) { names.push("conflict, settled"); }
    if (r[6] & F.carried) { names.push("carried forward"); }
    if (r[6] & F.changed_mind) { names.push("changed mind"); }
    if (r[6] & F.disagrees) { names.push("checker disagrees"); }
    else if (r[6] & F.verified) { names.push("verified"); }
    r[9].forEach(function (v) { names.push("changed since " + meta.versions[v]); });
    names.forEach(function (n) { td.appendChild(el("span", n, "chip")); td.appendChild(document.createTextNode(" ")); });
    return td;
  }

  function rowElement(r) {
    var tr = el("tr");
    var study = el("td");
    var a = el("a", r[2] || r[0]);
    a.href = studyHref(r);
    study.appendChild(a);
    study.appendChild(el("br"));
    study.appendChild(el("code", r[0]));
    tr.appendChild(study);
    tr.appendChild(el("td", r[3]));
    var box = el("td");
    box.appendChild(el("span", meta.box_labels[r[5]], "box box-" + meta.boxes[r[5]]));
    if (r[7][0]) { box.appendChild(el("br")); box.appendChild(el("code", codesText(r[7][0][1]), "code")); }
    tr.appendChild(box);
    tr.appendChild(stageCell(r[7][1]));
    tr.appendChild(stageCell(r[7][2]));
    tr.appendChild(flagsCell(r));
    var labels = ["Study", "Title", "PRISMA box", "Title and abstract", "Full text", "Flags"];
    Array.prototype.forEach.call(tr.children, function (td, i) { td.setAttribute("data-label", labels[i]); });
    return tr;
  }

  function render() {
    queued = false;
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    if (page >= pages) { page = pages - 1; }
    var frag = document.createDocumentFragment();
    matches.slice(page * PAGE, (page + 1) * PAGE).forEach(function (i) { frag.appendChild(rowElement(rows[i])); });
    tbody.textContent = "";
    tbody.appendChild(frag);
    var loading = rows.length < total ? " (reading: " + rows.length.toLocaleString("en") + " of " + total.toLocaleString("en") + " studies loaded)" : "";
    count.textContent = matches.length.toLocaleString("en") + " of " + rows.length.toLocaleString("en") + " studies shown" + loading;
    $("page-info").textContent = matches.length ? "page " + (page + 1) + " of " + pages : "no study matches";
    $("page-prev").disabled = page === 0;
    $("page-next").disabled = page >= pages - 1;
    if (!firstShown && matches.length) {
      firstShown = true;
      // since the page was opened (navigation start): the benchmark reads it
      root.setAttribute("data-first-result-ms", performance.now().toFixed(1));
    }
  }

  function later() {
    if (!queued) { queued = true; window.requestAnimationFrame(render); }
  }

  // ---- the address: filters in the query, a study in the hash ------------------------------
  function saveQuery() {
    var params = new URLSearchParams();
    KEYS.forEach(function (k) { if (f[k].value) { params.set(k, f[k].value); } });
    if (page) { params.set("page", String(page + 1)); }
    var query = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    } catch (e) { /* some browsers refuse for file: pages; the filters still work */ }
  }

  function loadQuery() {
    var params = new URLSearchParams(window.location.search);
    KEYS.forEach(function (k) {
      var v = params.get(k);
      if (v === null) { return; }
      if (f[k].tagName === "SELECT" && !Array.prototype.some.call(f[k].options, function (o) { return o.value === v; })) { return; }
      f[k].value = v;
    });
    var p = parseInt(params.get("page") || "1", 10);
    page = p > 0 ? p - 1 : 0;
  }

  function wanted(id) {
    return function (r) { return r[0] === id || (r[8] && (" " + r[8] + " ").indexOf(" " + id + " ") !== -1); };
  }

  function findStudy(id, from) {
    var test = wanted(id);
    for (var i = from || 0; i < rows.length; i++) { if (test(rows[i])) { return rows[i]; } }
    return null;
  }

  function openHash(from) {
    if (!pendingHash) { return; }
    var r = findStudy(pendingHash, from);
    if (r) {
      var target = studyHref(r);
      pendingHash = null;
      window.location.replace(target);
    } else if (loadedChunks === nChunks) {
      notice.textContent = "No study or record “" + pendingHash + "” in this audit trail (it may belong to another version of the review).";
      notice.hidden = false;
      pendingHash = null;
    }
  }

  function readHash() {
    var raw = window.location.hash.slice(1);
    if (!raw) { return; }
    try { pendingHash = decodeURIComponent(raw); } catch (e) { pendingHash = raw; }
    notice.textContent = "Opening " + pendingHash + "…";
    notice.hidden = false;
    openHash(0);
  }

  // ---- loading ----------------------------------------------------------------------------
  function load(name, next) {
    var s = document.createElement("script");
    s.src = base + "data/" + name;
    s.onload = next;
    s.onerror = function () {
      notice.textContent = "Could not read " + s.src + "; the audit folder is incomplete (render it again with review audit pages).";
      notice.hidden = false;
    };
    document.head.appendChild(s);
  }

  function chunkName(i) { return "chunk-" + ("000" + (i + 1)).slice(-4) + ".js"; }

  function loadChunk(i) {
    if (i < nChunks) { load(chunkName(i), function () { loadChunk(i + 1); }); }
  }

  window.AuditIndex = {
    meta: function (m) {
      meta = m;
      loadQuery();
      current = readFilters();
      readHash();
      loadChunk(0);
    },
    chunk: function (i, data) {
      var from = rows.length;
      data.forEach(function (r) {
        var names = [];
        [1, 2].forEach(function (s) {
          if (r[7][s]) { r[7][s][2].forEach(function (d) { names.push(meta.reviewers[d[0]]); }); }
        });
        var codes = [];
        r[7].forEach(function (cell) { if (cell) { codes.push(codesText(cell[1])); } });
        rows.push(r);
        texts.push([r[0], r[2], r[3], r[4], r[8], names.join(" "), codes.join(" ")].join(" ").toLowerCase());
      });
      loadedChunks += 1;
      scan();
      openHash(from);
      if (loadedChunks === nChunks) {
        root.setAttribute("data-loaded-ms", performance.now().toFixed(1));
        render();
      } else if (matches.length <= (page + 1) * PAGE || !firstShown) {
        later();
      } else {
        count.textContent = matches.length.toLocaleString("en") + "+ studies shown (reading: " + rows.length.toLocaleString("en") + " of " + total.toLocaleString("en") + ")";
      }
    },
    resolve: function (id) {
      var r = findStudy(id, 0);
      return r ? studyHref(r) : null;
    },
    loaded: function () { return loadedChunks === nChunks; }
  };

  KEYS.forEach(function (k) { f[k].addEventListener(k === "q" ? "input" : "change", refilter); });
  $("filter-reset").addEventListener("click", function () {
    KEYS.forEach(function (k) { f[k].value = ""; });
    refilter();
  });
  $("page-prev").addEventListener("click", function () { if (page > 0) { page -= 1; render(); saveQuery(); } });
  $("page-next").addEventListener("click", function () { page += 1; render(); saveQuery(); });
  window.addEventListener("hashchange", readHash);
  load("meta.js", function () {});
})();
