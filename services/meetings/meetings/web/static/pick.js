// Narrow the list of cells as the user types (accents ignored).
(function () {
  var input = document.getElementById("filter");
  if (!input) return;
  var fold = function (s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").toLowerCase(); };
  var links = Array.prototype.slice.call(document.querySelectorAll("#cells a"));
  input.addEventListener("input", function () {
    var q = fold(input.value.trim());
    links.forEach(function (a) { a.parentNode.hidden = q && fold(a.dataset.name).indexOf(q) < 0; });
  });
})();
