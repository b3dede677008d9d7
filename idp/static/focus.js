// After a refused form, take the keyboard and the screen reader to the error summary first
// (RGAA 11.10 and 11.11): it says what went wrong, and its links or text lead to the fields.
// Without this script the summary is still read out (role="alert"), but focus starts at the top.
(function () {
  "use strict";
  var summary = document.getElementById("form-error");
  if (summary) {
    summary.focus();
  }
})();
