// "Tout sélectionner" on the services of a secondary account: a checkbox that ticks or
// unticks every service at once, and shows whether all are ticked. Without this script the
// box stays hidden and each service is ticked by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var boxes = Array.prototype.slice.call(
      all.form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]'));
    function reflect() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      all.indeterminate = false;
    });
    boxes.forEach(function (box) { box.addEventListener("change", reflect); });
    reflect();
    all.closest("[data-select-all-box]").hidden = false;
  });
})();
