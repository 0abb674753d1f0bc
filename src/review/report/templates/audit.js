// Filter the audit table by text and by PRISMA box; offline, no libraries.
(function () {
  "use strict";
  var input = document.getElementById("filter-text");
  var select = document.getElementById("filter-box");
  var count = document.getElementById("filter-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.study-row"));
  var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var box = select.value;
    var shown = 0;
    rows.forEach(function (row, i) {
      var ok = (!box || row.getAttribute("data-box") === box) &&
        words.every(function (w) { return texts[i].indexOf(w) !== -1; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " studies shown";
  }
  input.addEventListener("input", apply);
  select.addEventListener("change", apply);
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); }
  if (params.get("box")) { select.value = params.get("box"); }
  apply();
})();
