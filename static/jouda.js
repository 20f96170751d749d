/* jouda.js - small enhancements; every page works without it. */
(function () {
  'use strict';
  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector('.error-summary');
  if (summary) summary.focus();
  // Ask before irreversible actions (forms marked data-confirm).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var msg = form.getAttribute && form.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();
