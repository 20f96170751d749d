/* jouda.js - small enhancements; every page works without it. */
(function () {
  'use strict';
  // Move focus to the error summary so screen readers announce it.
  var summary = document.querySelector('.error-summary');
  if (summary) summary.focus();
  // A link of the error summary puts the cursor in the field and shows its
  // label and hint above it (a plain anchor would only scroll to the input).
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('.error-summary a[href^="#f-"]') : null;
    if (!a) return;
    var field = document.getElementById(a.getAttribute('href').slice(1));
    if (!field) return;
    e.preventDefault();
    var box = field.closest('.field') || field;
    box.scrollIntoView({ block: 'start' });
    field.focus({ preventScroll: true });
  });
  // Ask before irreversible actions (forms marked data-confirm); once asked
  // here, the server's own confirmation page is not needed (confirm=1).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var msg = form.getAttribute && form.getAttribute('data-confirm');
    if (!msg) return;
    if (!window.confirm(msg)) {
      e.preventDefault();
      return;
    }
    if (!form.querySelector('input[name="confirm"]')) {
      var c = document.createElement('input');
      c.type = 'hidden';
      c.name = 'confirm';
      c.value = '1';
      form.appendChild(c);
    }
  });
})();
