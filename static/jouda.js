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
  // The organisation tree opens a level in place: the page its link leads
  // to is fetched and its tree replaces this one, the node clicked staying
  // where it was on the screen. Without JavaScript the link loads that page.
  var treeBusy = false;
  var treeChanged = false;
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[data-tree-toggle]') : null;
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    var view = document.getElementById('tree-view');
    if (!view || !window.fetch || !window.DOMParser || !window.history.pushState) return;
    e.preventDefault();
    if (treeBusy) return;
    treeBusy = true;
    a.setAttribute('aria-busy', 'true');
    var id = a.getAttribute('data-tree-toggle');
    var li = document.getElementById(id);
    var top = li ? li.getBoundingClientRect().top : 0;
    window.fetch(a.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) {
        if (!res.ok) throw new Error('status ' + res.status);
        return res.text();
      })
      .then(function (html) {
        var next = new window.DOMParser().parseFromString(html, 'text/html').getElementById('tree-view');
        if (!next) throw new Error('no tree');
        view.replaceWith(document.importNode(next, true));
        window.history.pushState({ tree: true }, '', a.href);
        treeChanged = true;
        var again = document.getElementById(id);
        if (again) {
          window.scrollBy(0, again.getBoundingClientRect().top - top);
          var toggle = again.querySelector('a[data-tree-toggle="' + id + '"]') || again.querySelector('.node__name');
          if (toggle) toggle.focus({ preventScroll: true });
        }
        treeBusy = false;
      })
      .catch(function () {
        window.location.href = a.href;
      });
  });
  // Back and forward after trees opened in place: the page of that address.
  window.addEventListener('popstate', function () {
    if (treeChanged) window.location.reload();
  });
  // A criterion's score saves itself as it changes (forms marked
  // data-autosave): a click on a score at once, the texts a moment after
  // typing stops. The server answers with the rating's new version, or with
  // the reason it refused (a missing comment, someone else's newer score),
  // shown beside the button. Without JavaScript the Save button posts it.
  function autosave(form) {
    var status = form.querySelector('.save-status');
    if (!form.querySelector('input[name="score"]:checked')) return;
    var data = new URLSearchParams(new FormData(form));
    data.set('js', '1');
    if (status) { status.textContent = '…'; status.classList.remove('save-status--error'); }
    fetch(form.action, { method: 'POST', body: data, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
      .then(function (res) { return res.json().then(function (j) { return { ok: res.ok, j: j }; }); })
      .then(function (r) {
        if (r.ok) {
          form.querySelector('input[name="version"]').value = r.j.version;
          var card = form.closest('.camp-crit');
          if (card) card.classList.add('camp-crit--rated');
          if (status) status.textContent = r.j.message || '';
        } else if (status) {
          var errs = r.j.errors || {};
          status.textContent = Object.keys(errs).map(function (k) { return errs[k]; }).join(' ');
          status.classList.add('save-status--error');
        }
      })
      .catch(function () {
        if (status) { status.textContent = '!'; status.classList.add('save-status--error'); }
      });
  }
  var timers = new WeakMap();
  document.addEventListener('change', function (e) {
    var form = e.target.closest ? e.target.closest('form[data-autosave]') : null;
    if (form && e.target.name === 'score') autosave(form);
  });
  document.addEventListener('input', function (e) {
    var form = e.target.closest ? e.target.closest('form[data-autosave]') : null;
    if (!form || e.target.tagName !== 'TEXTAREA') return;
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { autosave(form); }, 1200));
  });
  // The board of actions: a card may be dragged to a column its status may
  // move to (data-targets); the move is the same form post as its buttons.
  // A move that needs more (a reason, a check) opens the action at that form.
  var board = document.querySelector('[data-board]');
  if (board) {
    var dragged = null;
    var say = function (text) {
      var s = document.querySelector('.board-status');
      if (s) s.textContent = text;
    };
    board.addEventListener('dragstart', function (e) {
      var card = e.target.closest && e.target.closest('.board-card[draggable="true"]');
      if (!card) return;
      dragged = card;
      card.classList.add('board-card--dragging');
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', card.getAttribute('data-id'));
    });
    board.addEventListener('dragend', function () {
      if (dragged) dragged.classList.remove('board-card--dragging');
      board.querySelectorAll('.board-col--over, .board-col--refuse').forEach(function (c) {
        c.classList.remove('board-col--over', 'board-col--refuse');
      });
      dragged = null;
    });
    var allowed = function (col) {
      if (!dragged || !col) return false;
      var targets = (dragged.getAttribute('data-targets') || '').split(' ');
      return targets.indexOf(col.getAttribute('data-status')) >= 0;
    };
    board.addEventListener('dragover', function (e) {
      var col = e.target.closest && e.target.closest('.board-col');
      if (!col || !dragged) return;
      var ok = allowed(col);
      var refused = !ok && col !== dragged.closest('.board-col');
      col.classList.toggle('board-col--over', ok);
      col.classList.toggle('board-col--refuse', refused);
      // a drop there will not happen: say why while the card is over it
      if (refused) say(board.getAttribute('data-refused'));
      if (ok) {
        say('');
        e.preventDefault();
      }
    });
    board.addEventListener('dragleave', function (e) {
      var col = e.target.closest && e.target.closest('.board-col');
      if (col && !col.contains(e.relatedTarget)) col.classList.remove('board-col--over', 'board-col--refuse');
    });
    board.addEventListener('drop', function (e) {
      var col = e.target.closest && e.target.closest('.board-col');
      if (!col || !dragged) return;
      e.preventDefault();
      var card = dragged;
      var status = col.getAttribute('data-status');
      if (!allowed(col)) {
        say(board.getAttribute('data-refused'));
        return;
      }
      // a move that needs more than a click: the action's own form
      var direct = card.querySelector('form input[name="status"][value="' + status + '"]');
      if (!direct) {
        window.location.href = card.getAttribute('data-href') + '#to-' + status;
        return;
      }
      var body = new URLSearchParams();
      body.set('_csrf', board.getAttribute('data-csrf'));
      body.set('rev', card.getAttribute('data-rev'));
      body.set('status', status);
      fetch(card.getAttribute('data-action'), {
        method: 'POST', credentials: 'same-origin', body: body,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
      }).then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        // the page itself is the truth: load it again where it was
        window.location.reload();
      }).catch(function () {
        say(board.getAttribute('data-failed'));
      });
    });
  }
})();
