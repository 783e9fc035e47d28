/* Sort tables in place: an enhancement only. Without it, the dosing page links each
   column to a pre-rendered sort page (/dosing/sort/<column>/), so nothing depends on it.
   Loaded with <script src> (the Content-Security-Policy allows no inline script).
   A table opts in with data-sortable; its sortable headers carry data-sort, its cells
   data-sort-value ("part|part", numeric parts compared as numbers; no value sorts last).
   Rows are sorted within each <tbody>, keeping a first row of class "group" on top. */
(function () {
  "use strict";

  function parts(cell) {
    if (!cell || !cell.hasAttribute("data-sort-value")) { return null; }
    return cell.getAttribute("data-sort-value").split("|");
  }

  function compare(a, b) {
    for (var i = 0; i < Math.max(a.length, b.length); i++) {
      var x = a[i], y = b[i];
      if (x === undefined) { return -1; }
      if (y === undefined) { return 1; }
      var nx = Number(x), ny = Number(y);
      var c = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny
        : x.localeCompare(y, undefined, { sensitivity: "base" });
      if (c !== 0) { return c; }
    }
    return 0;
  }

  function sortBy(table, index, descending) {
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var rows = Array.prototype.slice.call(body.rows);
      var head = rows.length && rows[0].classList.contains("group") ? rows.shift() : null;
      rows.forEach(function (row, i) { row.dataset.order = row.dataset.order || String(i); });
      rows.sort(function (r1, r2) {
        var a = parts(r1.cells[index]), b = parts(r2.cells[index]);
        if (a === null || b === null) {   // missing values last, either direction
          return (a === null) - (b === null) || r1.dataset.order - r2.dataset.order;
        }
        return (descending ? -compare(a, b) : compare(a, b)) || r1.dataset.order - r2.dataset.order;
      });
      if (head) { body.appendChild(head); }
      rows.forEach(function (row) { body.appendChild(row); });
    });
  }

  function enhance(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      if (!th.hasAttribute("data-sort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.textContent = th.textContent.replace(" (sort by this column)", "").trim();
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var first = th.getAttribute("data-sort-first") === "descending" ? "descending" : "ascending";
        var current = th.getAttribute("aria-sort");
        var next = current ? (current === "ascending" ? "descending" : "ascending") : first;
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", next);
        sortBy(table, index, next === "descending");
      });
    });
  }

  document.querySelectorAll("table[data-sortable]").forEach(enhance);
}());
